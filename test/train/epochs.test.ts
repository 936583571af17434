import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveProgressOn } from '../../kernel-lib/src/display/live';
import { earlyStopping, progressBar, train, type Callback } from '../../kernel-lib/src/train';
import { recordingSink, textStream } from '../display/recording';
import { blobs, mlp } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Early stopping on validation labels rotated by one class: the better the fit, the worse val_loss gets. */
async function stopsEarly(progress: Callback) {
  const held = blobs(30, 10);
  const validation = { x: held.x, y: tf.tidy(() => tf.mod(tf.add(held.y, 1), 3)) };
  return train(mlp(5), blobs(120, 9), {
    epochs: 30,
    batchSize: 8,
    seed: 3,
    validation,
    optimizer: { name: 'sgd', learningRate: 0.05 },
    callbacks: [earlyStopping({ monitor: 'val_loss', patience: 2 })],
    progress,
  });
}

describe('epochs count from 1 in everything a person reads', () => {
  it('the text progress says where and why early stopping ended training, with the same epoch numbers as History', async () => {
    const stream = textStream();
    const history = await stopsEarly(progressBar({ stream }));
    const ran = history.epochs.length;
    expect(ran).toBeLessThan(30);
    const lines = stream.text.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((l) => l.split('  ')[0])).toEqual(history.epochs.map((_, i) => `epoch ${i + 1}/30`));
    const best = history.bestEpoch!;
    expect(best).toBe(ran - 2); // patience 2: the best epoch, then two without improvement
    const bestLoss = Number(history.epochs[best - 1].val_loss.toPrecision(4));
    expect(lines.at(-1)).toBe(`stopped early at epoch ${ran}/30: val_loss did not improve for 2 epochs (best ${bestLoss} at epoch ${best})`);
    expect(history.stoppedEarly).toBe(`val_loss did not improve for 2 epochs (best ${bestLoss} at epoch ${best})`);
    // a run that trains every epoch says nothing more than its epoch lines
    const full = textStream();
    await train(mlp(1), blobs(20, 1), { epochs: 2, seed: 1, progress: progressBar({ stream: full }) });
    expect(full.text.split('\n').filter(Boolean).map((l) => l.split('  ')[0])).toEqual(['epoch 1/2', 'epoch 2/2']);
  });

  it('the notebook display says it stopped early, on a bar left where training ended, not "done" on a full one', async () => {
    const sink = recordingSink();
    const history = await stopsEarly(liveProgressOn(() => ({ kind: 'notebook', sink }), { intervalMs: 0 }));
    const last = sink.outputs[sink.outputs.length - 1].data['text/html'] as string;
    const ran = history.epochs.length;
    expect(last).toContain(`epoch ${ran}/30 · ${ran * 15} steps`);
    expect(last).toContain(`<div>stopped early at epoch ${ran}/30: val_loss did not improve for 2 epochs (best `);
    expect(last).not.toContain('done in');
    expect(last).toContain(`<rect x="0" y="0" width="${((360 * ran) / 30).toFixed(1)}" height="10" rx="4" fill="#ff7f0e"/>`);
  });
});
