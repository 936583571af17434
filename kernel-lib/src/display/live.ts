/** liveProgress(): a train callback that keeps one notebook output updated in place (a text bar elsewhere). */
import { invalidArgument } from '../errors';
import { metricPanels } from '../plots/panels';
import type { Callback, Logs, TrainContext } from '../train/callbacks';
import { progressBar, stoppedEarlyText } from '../train/progress';
import { formatDuration, formatNumber } from './format';
import { currentTarget, type DisplayHandle, type Target, type TextStream } from './sink';
import { progressSvg, sparkChart } from './spark';
import { escapeHtml, htmlTable } from './table';
import { wrap } from './views';

export interface LiveProgressOptions {
  /** Shown above the bar (e.g. the run's name). */
  title?: string;
  /** Least time between redraws within an epoch (default 250 ms: at most 4 a second); every epoch end redraws. */
  intervalMs?: number;
  /** Epoch logs drawn as small curves, one chart per base metric: `loss` with val_loss, `val_loss` alone (default: loss and accuracy, where logged). */
  metrics?: readonly string[];
  /** Outside a notebook, where the text progress bar goes (default process.stderr). */
  stream?: TextStream;
}

/**
 * In a tslab notebook: one output that a progress bar, step and epoch, loss, the last epoch's
 * logs, throughput and small learning curves overwrite in place. Elsewhere: progressBar().
 * The curves are inline SVG, not plotly: a redraw is a few KB of markup that needs no script,
 * no library on the page and no re-plot, so it shows the same in a saved or untrusted notebook.
 */
export function liveProgress(options: LiveProgressOptions = {}): Callback {
  return liveProgressOn(() => currentTarget(options.stream ?? process.stderr), options);
}

/** liveProgress on a chosen target (tests pass a recording sink), decided when training begins. */
export function liveProgressOn(target: () => Target, options: LiveProgressOptions = {}, clock: () => number = () => performance.now()): Callback {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'an options object', options);
  const interval = options.intervalMs ?? 250;
  if (typeof interval !== 'number' || !(interval >= 0)) throw invalidArgument('intervalMs', 'a non-negative number of milliseconds', options.intervalMs);
  const metrics = options.metrics ?? ['loss', 'accuracy'];
  if (!Array.isArray(metrics) || !metrics.every((m) => typeof m === 'string')) throw invalidArgument('metrics', 'an array of epoch log names', options.metrics);
  let inner: Callback | null = null;
  return {
    onTrainBegin(ctx) {
      const where = target();
      inner =
        where.kind === 'notebook'
          ? notebookProgress(where.sink.newDisplay(), { title: options.title, interval, metrics }, clock)
          : progressBar({ stream: where.stream, intervalMs: options.intervalMs });
      return inner.onTrainBegin?.(ctx);
    },
    onEpochBegin: (epoch, ctx) => inner?.onEpochBegin?.(epoch, ctx),
    onBatchEnd: (step, logs, ctx) => inner?.onBatchEnd?.(step, logs, ctx),
    onEpochEnd: (epoch, logs, ctx) => inner?.onEpochEnd?.(epoch, logs, ctx),
    onTrainEnd: (logs, ctx) => inner?.onTrainEnd?.(logs, ctx),
    onMessage: (text, ctx) => inner?.onMessage?.(text, ctx),
  };
}

interface LiveState {
  title?: string;
  epochs: number;
  stepsPerEpoch: number;
  step: number;
  epoch: number;
  batch: Logs | null;
  history: Logs[];
  samplesPerSec: number | null;
  elapsed: number;
  done: boolean;
  /** Why training stopped before its last epoch (ctx.stopReason), once it has. */
  stopped: string | null;
  /** Callbacks' messages (ctx.message), oldest first. */
  messages: string[];
  metrics: readonly string[];
}

function notebookProgress(display: DisplayHandle, options: { title?: string; interval: number; metrics: readonly string[] }, clock: () => number): Callback {
  let started = 0;
  let epochStart = 0;
  let epochSamples = 0;
  let last = -Infinity;
  let broken = false;
  const state: LiveState = { title: options.title, epochs: 0, stepsPerEpoch: 0, step: 0, epoch: 0, batch: null, history: [], samplesPerSec: null, elapsed: 0, done: false, stopped: null, messages: [], metrics: options.metrics };
  const draw = (ctx: TrainContext) => {
    if (broken) return;
    const now = clock();
    last = now;
    state.epochs = ctx.epochs;
    state.stepsPerEpoch = ctx.stepsPerEpoch;
    state.step = ctx.step;
    state.epoch = ctx.epoch;
    state.elapsed = (now - started) / 1000;
    try {
      display.raw('text/html', liveHtml(state));
    } catch (error) {
      // A display that fails must never fail the training it reports on.
      broken = true;
      process.stderr.write(`labbook: live progress stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  return {
    onTrainBegin(ctx) {
      started = clock();
      draw(ctx);
    },
    onEpochBegin() {
      epochStart = clock();
      epochSamples = 0;
    },
    onBatchEnd(_step, logs, ctx) {
      epochSamples += logs.size ?? 0;
      state.batch = logs;
      const now = clock();
      if (now - last < options.interval) return;
      state.samplesPerSec = epochSamples / Math.max(1e-9, (now - epochStart) / 1000);
      draw(ctx);
    },
    onEpochEnd(_epoch, logs, ctx) {
      state.history.push({ ...logs });
      if (typeof logs.samples_per_sec === 'number') state.samplesPerSec = logs.samples_per_sec;
      draw(ctx);
    },
    onMessage(text, ctx) {
      state.messages.push(text);
      draw(ctx);
    },
    onTrainEnd(_logs, ctx) {
      state.done = true;
      state.stopped = ctx.stopReason ? stoppedEarlyText(ctx) : null;
      draw(ctx);
    },
  };
}

/** The whole live output, from the state alone (so it is testable without a kernel or a clock). */
function liveHtml(s: LiveState): string {
  const total = Math.max(1, s.epochs * s.stepsPerEpoch);
  // Stopped early, the bar stays where training ended, so it never reads as all epochs done.
  const fraction = s.done && !s.stopped ? 1 : Math.min(1, s.step / total);
  const inEpoch = s.step - s.epoch * s.stepsPerEpoch;
  const epochShown = s.done ? s.history.length : Math.min(s.epochs, s.epoch + 1);
  const parts = [
    s.title ? `<b>${escapeHtml(s.title)}</b>` : '',
    `epoch ${epochShown}/${s.epochs}`,
    s.done ? `${s.step} steps` : `step ${inEpoch}/${s.stepsPerEpoch}`,
    s.samplesPerSec !== null ? `${formatNumber(Math.round(s.samplesPerSec))} samples/s` : '',
    s.done ? `${s.stopped ? 'ended' : 'done'} in ${formatDuration(s.elapsed)}` : `${formatDuration(s.elapsed)} elapsed`,
    !s.done && s.step > 0 ? `~${formatDuration((s.elapsed * (total - s.step)) / s.step)} left` : '',
  ].filter(Boolean);
  const batch = !s.done && typeof s.batch?.loss === 'number' ? `<div>batch loss ${escapeHtml(formatNumber(s.batch.loss))}${typeof s.batch?.lr === 'number' ? ` · lr ${escapeHtml(formatNumber(s.batch.lr))}` : ''}</div>` : '';
  const lastEpoch = s.history[s.history.length - 1];
  const logs = lastEpoch
    ? htmlTable({ columns: ['epoch', ...Object.keys(lastEpoch)], rows: [[String(s.history.length), ...Object.values(lastEpoch).map(formatNumber)]] })
    : '';
  // One chart per base metric, as learningCurves draws: `['loss', 'val_loss']` is one chart, not two.
  const charts = metricPanels(s.metrics, (k) => s.history.some((logs) => k in logs))
    .map((panel) => {
      const series = panel.keys.map((k) => ({ name: k.startsWith('val_') ? 'validation' : 'train', dashed: k.startsWith('val_'), values: s.history.map((logs) => logs[k] ?? null) }));
      return sparkChart(panel.title, series, Math.max(s.epochs, s.history.length));
    })
    .join('');
  const color = s.stopped ? '#ff7f0e' : s.done ? '#2ca02c' : '#1f77b4';
  const notes = [...s.messages.slice(-5), ...(s.stopped ? [s.stopped] : [])].map((m) => `<div>${escapeHtml(m)}</div>`).join('');
  return wrap(`<div>${parts.join(' · ')}</div><div>${progressSvg(fraction, color)}</div>${notes}${batch}${logs}<div>${charts}</div>`);
}
