import * as tf from '@tensorflow/tfjs';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { serializeWeights } from '../../kernel-lib/src/repro/checkpoint';
import { sha256 } from '../../kernel-lib/src/repro/hash';
import { cosineDecay, earlyStopping, progressBar, stepDecay, train, warmup } from '../../kernel-lib/src/train';
import { tempDb } from '../helpers';
import { blobs, mlp } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function weightsHash(model: tf.LayersModel): Promise<string> {
  return sha256(await serializeWeights(model));
}

describe('train()', () => {
  it('learns, and records every step and epoch plus the final checkpoint into the run', async () => {
    const registry = openRegistry({ db: tempDb() });
    const run = registry.startRun({ experiment: 'blobs', seed: 5 });
    const data = blobs(300, 1);
    const validation = blobs(90, 2);
    const model = mlp(7);
    const history = await train(model, data, { epochs: 4, batchSize: 32, run, validation, progress: false, optimizer: { name: 'adam', learningRate: 0.02 } });
    run.end();
    expect(history.epochs).toHaveLength(4);
    expect(history.steps).toBe(4 * 10);
    expect(history.epochs[3].val_accuracy).toBeGreaterThan(0.95);
    expect(history.epochs[3].loss).toBeLessThan(history.epochs[0].loss);
    const record = registry.getRun(run.id);
    expect(record.metrics.batch_loss.count).toBe(40);
    expect(record.metrics.val_accuracy).toMatchObject({ count: 4, step: 3 });
    expect(Object.keys(record.metrics)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'grad_norm', 'samples_per_sec']));
    expect(record.checkpoints.at(-1)).toMatchObject({ step: 40, sha256: await weightsHash(model) });
    expect(history.checkpoint?.final.sha256).toBe(await weightsHash(model));
    registry.close();
  });

  it('gives bit-identical weights for the same seed and different ones for another seed', async () => {
    const data = blobs(200, 3);
    const hashes: string[] = [];
    for (const seed of [11, 11, 12]) {
      const model = mlp(1);
      await train(model, data, { epochs: 2, batchSize: 16, seed, progress: false });
      hashes.push(await weightsHash(model));
    }
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[2]).not.toBe(hashes[0]); // only the shuffle seed differs
  });

  it('never calls Math.random during training', async () => {
    const data = blobs(64, 4);
    const model = mlp(2);
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random called in the training path');
    };
    try {
      await train(model, data, { epochs: 2, batchSize: 8, seed: 1, progress: false, validation: blobs(16, 5), optimizer: 'rmsprop' });
    } finally {
      Math.random = original;
    }
  });

  it('stops on a non-finite loss naming the step, and the run is failed with what it logged', async () => {
    const registry = openRegistry({ db: tempDb() });
    const run = registry.startRun({ experiment: 'nan' });
    const { x, y } = blobs(64, 6);
    const poisoned = tf.tidy(() => tf.concat([x.slice(0, 40), tf.fill([24, 4], NaN)]));
    await expect(train(mlp(3), { x: poisoned, y }, { epochs: 2, batchSize: 8, run, shuffle: false, progress: false })).rejects.toThrow(
      /The loss became NaN in batch 6\/8 of epoch 1\/2 \(metric step 5\): expected a finite loss/,
    );
    const record = registry.getRun(run.id);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/NaN in batch 6\/8 of epoch 1\/2/);
    expect(record.metrics.batch_loss.count).toBe(5);
    registry.close();
  });

  it('keeps the tensor count flat across epochs', async () => {
    const counts: number[] = [];
    await train(mlp(4), blobs(128, 7), {
      epochs: 4,
      batchSize: 16,
      seed: 1,
      progress: false,
      validation: blobs(32, 8),
      callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(new Set(counts.slice(1)).size).toBe(1);
  });

  it('early stopping stops, restores the best weights, and the final checkpoint is the best', async () => {
    const registry = openRegistry({ db: tempDb() });
    const run = registry.startRun({ experiment: 'es', seed: 3 });
    const model = mlp(5);
    const bestEpochWeights: string[] = [];
    // validation labels rotated by one class: the better the model fits, the worse val_loss gets
    const held = blobs(30, 10);
    const validation = { x: held.x, y: tf.tidy(() => tf.mod(tf.add(held.y, 1), 3)) };
    const history = await train(model, blobs(120, 9), {
      epochs: 30,
      batchSize: 8,
      run,
      progress: false,
      validation,
      optimizer: { name: 'sgd', learningRate: 0.05 },
      callbacks: [
        earlyStopping({ monitor: 'val_loss', patience: 2 }),
        { onEpochEnd: async (_e, _l, ctx) => void bestEpochWeights.push(await weightsHash(ctx.model)) },
      ],
    });
    run.end();
    expect(history.epochs.length).toBeLessThan(30);
    // epochs count from 1 in History.bestEpoch and in the reason, as progress prints them
    const bestEpoch = history.bestEpoch!;
    expect(bestEpoch).toBe(1 + history.epochs.findIndex((l) => l.val_loss === Math.min(...history.epochs.map((e) => e.val_loss))));
    expect(history.stoppedEarly).toMatch(new RegExp(`^val_loss did not improve for 2 epochs \\(best \\d\\.\\d+ at epoch ${bestEpoch}\\)$`));
    expect(await weightsHash(model)).toBe(bestEpochWeights[bestEpoch - 1]);
    expect(history.checkpoint?.final.sha256).toBe(bestEpochWeights[bestEpoch - 1]);
    expect(registry.getRun(run.id).metrics.best_epoch).toMatchObject({ value: bestEpoch, step: history.epochs.length - 1 });
    registry.close();
  });

  it('saves the best epoch as its own checkpoint when training goes on past it', async () => {
    const registry = openRegistry({ db: tempDb() });
    const run = registry.startRun({ experiment: 'best', seed: 3 });
    const perEpoch: string[] = [];
    const history = await train(mlp(5), blobs(120, 9), {
      epochs: 8,
      batchSize: 8,
      run,
      progress: false,
      validation: blobs(30, 10),
      optimizer: { name: 'sgd', learningRate: 0.8 },
      callbacks: [{ onEpochEnd: async (_e, _l, ctx) => void perEpoch.push(await weightsHash(ctx.model)) }],
    });
    run.end();
    const best = history.bestEpoch!; // counted from 1
    expect(history.checkpoint?.best?.sha256).toBe(perEpoch[best - 1]);
    expect(history.checkpoint?.final.sha256).toBe(perEpoch[perEpoch.length - 1]);
    expect(registry.getRun(run.id).checkpoints.map((c) => c.step)).toContain(15 * best);
    registry.close();
  });

  it('applies learning-rate schedules per step and logs them', async () => {
    const seen: number[] = [];
    await train(mlp(6), blobs(40, 11), {
      epochs: 2,
      batchSize: 10,
      seed: 1,
      progress: false,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      schedule: warmup(2, cosineDecay({ initial: 0.1, minimum: 0.01 })),
      callbacks: [{ onBatchEnd: (_s, logs) => void seen.push(logs.lr) }],
    });
    expect(seen).toHaveLength(8);
    expect(seen[0]).toBeCloseTo(0.1 / 2, 12); // step 0 of a 2-step warm-up: half the scheduled rate
    expect(seen[1]).toBeCloseTo(cosineDecay({ initial: 0.1, minimum: 0.01 })({ step: 1, epoch: 0, stepsPerEpoch: 4, totalSteps: 8 }), 12);
    expect(seen[7]).toBeCloseTo(0.01, 12);
    const decay = stepDecay({ initial: 1, factor: 0.5, everyEpochs: 2 });
    expect([0, 1, 2, 3, 4].map((epoch) => decay({ step: 0, epoch, stepsPerEpoch: 1, totalSteps: 5 }))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('clips gradients by global norm', async () => {
    const model = mlp(8);
    const before = model.getWeights().map((w) => w.clone());
    await train(model, blobs(32, 12), { epochs: 1, batchSize: 32, seed: 1, progress: false, optimizer: { name: 'sgd', learningRate: 1 }, clipNorm: 0.01 });
    const moved = Math.sqrt(model.getWeights().reduce((sum, w, i) => sum + tf.sum(tf.square(tf.sub(w, before[i]))).dataSync()[0], 0));
    expect(moved).toBeCloseTo(0.01, 5); // one SGD step of lr 1 moves the weights by exactly the clipped norm
  });

  it('AdamW decays kernels but not biases', async () => {
    const model = mlp(9);
    const kernel = model.getWeights()[0].dataSync().slice();
    await train(model, blobs(16, 13), {
      epochs: 1,
      batchSize: 16,
      seed: 1,
      progress: false,
      optimizer: { name: 'adamw', learningRate: 0.1, weightDecay: 0.5 },
      // a loss with zero gradient: only the decay moves the weights
      loss: (_y, pred) => tf.mul(tf.sum(pred), 0) as tf.Scalar,
    });
    const after = model.getWeights();
    expect(after[0].dataSync()[3]).toBeCloseTo(kernel[3] * (1 - 0.1 * 0.5), 6);
    expect(Array.from(after[1].dataSync()).every((b) => b === 0)).toBe(true);
  });

  it('trains with every optimizer and reports progress as plain lines when not a terminal', async () => {
    let text = '';
    const stream = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
    for (const optimizer of ['sgd', 'adam', 'adamw', 'rmsprop'] as const) {
      const history = await train(mlp(10), blobs(60, 14), { epochs: 2, batchSize: 10, seed: 1, optimizer, progress: progressBar({ stream }) });
      expect(history.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    }
    await train(mlp(10), blobs(60, 14), { epochs: 1, seed: 1, optimizer: { name: 'sgd', momentum: 0.9, nesterov: true }, progress: false });
    expect(text.split('\n').filter((l) => /^epoch \d\/2 {2}loss /.test(l))).toHaveLength(8);
  });

  it('rejects bad options with the error template', async () => {
    const data = blobs(8, 1);
    await expect(train(mlp(1), data, { epochs: 0, seed: 1 })).rejects.toThrow('Invalid value for `epochs`: expected a positive integer, received 0.');
    await expect(train(mlp(1), data, { epochs: 1 })).rejects.toThrow(/`seed`: expected a seed for shuffling/);
    await expect(train(mlp(1), { x: data.x, y: data.y.slice(0, 3) }, { epochs: 1, seed: 1 })).rejects.toThrow(/`data.y`: expected 8 rows, as many as x, received "3 rows"/);
    await expect(train(mlp(1), data, { epochs: 1, seed: 1, optimizer: { name: 'adagrad' as 'adam' } })).rejects.toThrow(/`optimizer.name`: expected one of sgd, adam, adamw, rmsprop/);
  });
});
