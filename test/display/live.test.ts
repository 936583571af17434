import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveProgressOn } from '../../kernel-lib/src/display/live';
import type { Target } from '../../kernel-lib/src/display/sink';
import { train } from '../../kernel-lib/src/train';
import type { Callback, Logs, TrainContext } from '../../kernel-lib/src/train/callbacks';
import { blobs, mlp } from '../train/fixture';
import { recordingSink, textStream } from './recording';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Drives a callback through `epochs` epochs of `steps` batches, `msPerStep` apart on a fake clock. */
async function drive(callback: Callback, clock: { now: number }, epochs: number, steps: number, msPerStep: number, epochLogs: (e: number) => Logs) {
  const ctx = { epochs, stepsPerEpoch: steps, step: 0, epoch: 0, stop() {} } as unknown as TrainContext;
  await callback.onTrainBegin?.(ctx);
  for (let e = 0; e < epochs; e++) {
    ctx.epoch = e;
    await callback.onEpochBegin?.(e, ctx);
    for (let s = 0; s < steps; s++) {
      clock.now += msPerStep;
      ctx.step++;
      await callback.onBatchEnd?.(ctx.step, { loss: 1 / ctx.step, size: 32, lr: 0.01 }, ctx);
    }
    await callback.onEpochEnd?.(e, epochLogs(e), ctx);
  }
  await callback.onTrainEnd?.(epochLogs(epochs - 1), ctx);
}

describe('liveProgress in a notebook', () => {
  it('keeps one output, updated in place at most every 250 ms within an epoch and at every epoch end', async () => {
    const sink = recordingSink();
    const clock = { now: 0 };
    const target = (): Target => ({ kind: 'notebook', sink });
    const logs = (e: number) => ({ loss: 1 / (e + 1), accuracy: 0.5 + 0.1 * e, val_loss: 1.2 / (e + 1), val_accuracy: 0.45 + 0.1 * e, samples_per_sec: 1234 });
    // 3 epochs of 100 steps 10 ms apart: 3 s of training.
    await drive(liveProgressOn(target, { title: 'mlp <b>#1</b>' }, () => clock.now), clock, 3, 100, 10, logs);

    expect(sink.handles).toBe(1);
    expect(sink.outputs.every((o) => o.handle === 0 && Object.keys(o.data).join() === 'text/html')).toBe(true);
    expect(sink.outputs.map((o) => o.kind)).toEqual(['display', ...sink.outputs.slice(1).map(() => 'update')]);
    // Begin, about one per 250 ms of batches, one per epoch end, and the end.
    expect(sink.outputs.length).toBeGreaterThanOrEqual(1 + 3 + 1 + 3000 / 250 - 3);
    expect(sink.outputs.length).toBeLessThanOrEqual(1 + 3 + 1 + 3000 / 250);

    const pages = sink.outputs.map((o) => o.data['text/html'] as string);
    expect(pages[0]).toContain('epoch 1/3 · step 0/100');
    expect(pages[0]).toContain('<b>mlp &lt;b&gt;#1&lt;/b&gt;</b>');
    const midway = pages.find((p) => p.includes('step 50/100'));
    expect(midway).toMatch(/batch loss 0\.02 · lr 0\.01/);
    expect(midway).toMatch(/samples\/s/);
    const last = pages[pages.length - 1];
    expect(last).toContain('epoch 3/3 · 300 steps · 1234 samples/s · done in 3.0s');
    // The bar is drawn by attributes (no CSS class to lose): full and green once done.
    expect(last).toContain('<rect x="0" y="0" width="360.0" height="10" rx="4" fill="#2ca02c"/>');
    // The last epoch's logs, and a loss and an accuracy chart with train and validation lines.
    expect(last).toContain('<th>epoch</th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th>');
    expect(last.match(/<svg [^>]*class="lb-spark"/g)).toHaveLength(2);
    expect(last.match(/<polyline /g)).toHaveLength(4);
    expect(last.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(last).not.toContain('<script');
  });

  it('draws no chart before the first epoch ends, and a point (not a line) after one epoch', async () => {
    const sink = recordingSink();
    const clock = { now: 0 };
    await drive(liveProgressOn(() => ({ kind: 'notebook', sink }), {}, () => clock.now), clock, 1, 4, 1, () => ({ loss: 0.5 }));
    const pages = sink.outputs.map((o) => o.data['text/html'] as string);
    expect(pages[0]).not.toContain('lb-spark');
    expect(pages[pages.length - 1]).toMatch(/<svg [^>]*class="lb-spark"[^]*<circle [^]*<\/svg>/);
  });

  it('trains a real model unchanged: the same weights with or without the live display, and no Math.random', async () => {
    const run = async (callbacks: Callback[]) => {
      const data = blobs(96, 3);
      const model = mlp(11);
      const history = await train(model, data, { epochs: 3, batchSize: 16, seed: 5, callbacks, validation: blobs(30, 4), progress: false });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      return { history, weights };
    };
    const sink = recordingSink();
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random called');
    };
    let withLive, without;
    try {
      withLive = await run([liveProgressOn(() => ({ kind: 'notebook', sink }), { intervalMs: 0 })]);
      without = await run([]);
    } finally {
      Math.random = original;
    }
    expect(withLive.weights).toEqual(without.weights);
    expect(sink.handles).toBe(1);
    const last = sink.outputs[sink.outputs.length - 1].data['text/html'] as string;
    expect(last).toContain('epoch 3/3 · 18 steps');
    expect(last).toContain(`<td>${Number(withLive.history.epochs[2].loss.toPrecision(6))}</td>`);
  });

  it('a display that throws stops the display, never the training', async () => {
    const sink = recordingSink();
    sink.newDisplay = () => ({
      raw() {
        throw new Error('Not ready');
      },
    });
    const clock = { now: 0 };
    const errors: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => errors.push(text) > 0) as typeof process.stderr.write;
    try {
      await drive(liveProgressOn(() => ({ kind: 'notebook', sink }), {}, () => clock.now), clock, 2, 10, 100, () => ({ loss: 1 }));
    } finally {
      process.stderr.write = write;
    }
    expect(errors).toEqual(['labbook: live progress stopped: Not ready\n']);
  });
});

describe('liveProgress curves', () => {
  /** The last page's charts, after `epochs` epochs of these logs. */
  async function lastCharts(options: { metrics?: string[] }, epochs: number, logs: (e: number) => Logs): Promise<string[]> {
    const sink = recordingSink();
    const clock = { now: 0 };
    await drive(liveProgressOn(() => ({ kind: 'notebook', sink }), options, () => clock.now), clock, epochs, 2, 1, logs);
    const last = sink.outputs[sink.outputs.length - 1].data['text/html'] as string;
    return (last.match(/<svg [^]*?<\/svg>/g) ?? []).filter((svg) => svg.includes('class="lb-spark"'));
  }

  it('draws a metric and its val_ twin in one chart, in the order asked', async () => {
    const logs = (e: number) => ({ loss: 1 - e / 10, val_loss: 1.1 - e / 10, accuracy: 0.5 + e / 10 });
    const charts = await lastCharts({ metrics: ['accuracy', 'loss', 'val_loss'] }, 3, logs);
    expect(charts.map((c) => c.match(/<title>(.*?)<\/title>/)![1])).toEqual(['accuracy', 'loss']);
    expect(charts[1].match(/<polyline /g)).toHaveLength(2);
    expect((await lastCharts({ metrics: ['val_loss'] }, 3, logs)).map((c) => c.match(/<title>(.*?)<\/title>/)![1])).toEqual(['val_loss']);
  });

  it('prints axis labels compactly, whole, inside the chart: 8.84e-4, not a clipped 000884473', async () => {
    for (const [values, texts] of [
      [[0.000884473, 0.000512], ['8.84e-4', '5.12e-4']],
      [[123456.789, -98765.4321], ['1.23e5', '-98800']],
      [[0.88412, 0.88437], ['0.8844', '0.8841']], // more digits only where 3 would print both ends alike
    ] as [number[], string[]][]) {
      const [chart] = await lastCharts({ metrics: ['loss'] }, values.length, (e) => ({ loss: values[e] }));
      const labels = [...chart.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end"[^>]*>([^<]*)<\/text>/g)].filter((m) => !m[2].startsWith('epoch'));
      expect(labels.map((m) => m[2])).toEqual(texts);
      // Right-aligned at x, each label needs x >= its width: 6.4px a character in DejaVu Sans at 10px, the widest common sans-serif.
      for (const [, x, text] of labels) expect(Number(x)).toBeGreaterThanOrEqual(6.4 * text.length);
    }
  });
});

describe('liveProgress outside a notebook', () => {
  it('falls back to the text progress bar: one line per epoch on a plain stream', async () => {
    const stream = textStream();
    const clock = { now: 0 };
    await drive(liveProgressOn(() => ({ kind: 'stream', stream })), clock, 2, 3, 1, (e) => ({ loss: 0.5 - e * 0.1 }));
    expect(stream.text).toBe('epoch 1/2  loss 0.5000\nepoch 2/2  loss 0.4000\n');
  });

  it('checks its options', () => {
    expect(() => liveProgressOn(() => ({ kind: 'stream', stream: textStream() }), { intervalMs: -1 })).toThrow('Invalid value for `intervalMs`: expected a non-negative number of milliseconds, received -1.');
    expect(() => liveProgressOn(() => ({ kind: 'stream', stream: textStream() }), { metrics: 'loss' as never })).toThrow(/Invalid value for `metrics`/);
  });
});
