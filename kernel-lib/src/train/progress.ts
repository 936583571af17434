/** Training progress as text: a live bar on a terminal, one plain line per epoch elsewhere. */
import type { Callback, Logs } from './callbacks';

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Minimum time between redraws of the live bar, so drawing never slows training. */
  intervalMs?: number;
}

export function formatLogs(logs: Logs, skip: string[] = []): string {
  return Object.entries(logs)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1000 || Number.isInteger(v) ? Math.round(v) : v.toPrecision(4)}`)
    .join('  ');
}

export function progressBar(options: ProgressOptions = {}): Callback {
  const stream = options.stream ?? process.stderr;
  const live = stream.isTTY === true;
  const interval = options.intervalMs ?? 100;
  let last = 0;
  let epochStart = 0;
  let samples = 0;
  return {
    onEpochBegin() {
      epochStart = performance.now();
      samples = 0;
    },
    onBatchEnd(step, logs, ctx) {
      samples += logs.size ?? 0;
      if (!live) return;
      const now = performance.now();
      const inEpoch = step - ctx.epoch * ctx.stepsPerEpoch;
      if (now - last < interval && inEpoch < ctx.stepsPerEpoch) return;
      last = now;
      const width = 24;
      const done = Math.round((width * inEpoch) / ctx.stepsPerEpoch);
      const rate = samples / Math.max(1e-9, (now - epochStart) / 1000);
      const line = `epoch ${ctx.epoch + 1}/${ctx.epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${inEpoch}/${ctx.stepsPerEpoch}  loss ${logs.loss.toPrecision(4)}  ${Math.round(rate)} samples/s`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`);
    },
    onEpochEnd(epoch, logs, ctx) {
      const line = `epoch ${epoch + 1}/${ctx.epochs}  ${formatLogs(logs)}`;
      stream.write(live ? `\r${line}\x1b[K\n` : `${line}\n`);
    },
    onMessage(text) {
      stream.write(live ? `\r${text}\x1b[K\n` : `${text}\n`);
    },
    onTrainEnd(_logs, ctx) {
      // Epochs count from 1 in everything printed; the hooks' `epoch` is the 0-based index.
      if (ctx.stopReason) stream.write(`${stoppedEarlyText(ctx)}\n`);
    },
  };
}

/** "stopped early at epoch 24/30: val_loss did not improve for 5 epochs (best 0.3124 at epoch 19)". */
export function stoppedEarlyText(ctx: { epoch: number; epochs: number; stopReason: string | null }): string {
  return `stopped early at epoch ${ctx.epoch + 1}/${ctx.epochs}: ${ctx.stopReason}`;
}
