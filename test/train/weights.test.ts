import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../kernel-lib/src/train';
import { blobs, mlp } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A linear model whose logits are its inputs (identity kernel, no bias): losses can be worked out by hand. */
function identity(units: number): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [units], units, useBias: false })] });
  model.setWeights([tf.eye(units)]);
  return model;
}

const x = [
  [2, 0],
  [0, 1],
  [1, 1],
  [-1, 3],
];
const labels = [0, 1, 0, 1];

describe('class and sample weights', () => {
  it('weight the loss as Keras does: sum(weight * per-row loss) / rows, worked out by hand', async () => {
    const ce = x.map((row, i) => Math.log(Math.exp(row[0]) + Math.exp(row[1])) - row[labels[i]]);
    const classWeight = { 0: 1, 1: 3 };
    const sampleWeight = [1, 2, 0.5, 1];
    const w = labels.map((c, i) => classWeight[c as 0 | 1] * sampleWeight[i]);
    const expected = ce.reduce((sum, l, i) => sum + w[i] * l, 0) / 4;
    const data = { x: tf.tensor2d(x), y: tf.tensor1d(labels, 'int32') };
    // one batch of all four rows: the epoch's loss is that batch's, before its update
    const history = await train(identity(2), data, { epochs: 1, batchSize: 4, seed: 1, progress: false, classWeight, sampleWeight, optimizer: 'sgd' });
    expect(history.epochs[0].loss).toBeCloseTo(expected, 6);
    expect(expected).not.toBeCloseTo(ce.reduce((a, b) => a + b) / 4, 2);

    const target = [1, -1, 0.5, 2];
    const mse = await train(identity(1), { x: tf.tensor2d([[0], [1], [2], [3]]), y: tf.tensor1d(target) }, { epochs: 1, batchSize: 4, seed: 1, progress: false, loss: 'mse', sampleWeight: tf.tensor1d(sampleWeight) });
    expect(mse.epochs[0].loss).toBeCloseTo(target.reduce((s, t, i) => s + sampleWeight[i] * (i - t) ** 2, 0) / 4, 6);
  });

  it('shuffle the weights with their rows', async () => {
    const data = blobs(48, 1);
    const sampleWeight = Array.from({ length: 48 }, (_, i) => (i % 3 === 0 ? 5 : 0.1));
    const loss = async (shuffle: boolean) => (await train(mlp(1), data, { epochs: 1, batchSize: 48, seed: 3, shuffle, progress: false, sampleWeight })).epochs[0].loss;
    const shuffled = await loss(true);
    expect(shuffled).toBeCloseTo(await loss(false), 5);
    const unweighted = (await train(mlp(1), data, { epochs: 1, batchSize: 48, seed: 3, progress: false })).epochs[0].loss;
    expect(shuffled).not.toBeCloseTo(unweighted, 2);
  });

  it("'balanced' weights classes n / (classes * count): the minority class gets more of the model's belief", async () => {
    // 3 of every 4 rows are class 0, on overlapping blobs
    const { x: xs, y: ys } = blobs(120, 2, 2);
    const keep = Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 2 === 0 || i % 8 === 1);
    const idx = tf.tensor1d(keep, 'int32');
    const data = { x: tf.add(tf.gather(xs, idx), tf.randomNormal([keep.length, 4], 0, 2.5, 'float32', 4)), y: tf.gather(ys, idx) };
    const counts = [keep.filter((i) => i % 2 === 0).length, keep.filter((i) => i % 2 === 1).length];
    const fit = async (classWeight?: 'balanced' | { [c: number]: number }) => {
      const model = mlp(6, 2);
      await train(model, data, { epochs: 5, batchSize: 8, seed: 1, progress: false, classWeight, optimizer: { name: 'adam', learningRate: 0.01 } });
      const probs = tf.softmax(model.predict(data.x) as tf.Tensor);
      return { belief: tf.mean(probs.slice([0, 1], [-1, 1])).dataSync()[0], weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
    };
    const plain = await fit();
    const balanced = await fit('balanced');
    const n = keep.length;
    const explicit = await fit({ 0: n / (2 * counts[0]), 1: n / (2 * counts[1]) });
    expect(balanced.weights).toEqual(explicit.weights);
    expect(balanced.belief).toBeGreaterThan(plain.belief + 0.05);
  });

  it('are refused where they cannot apply, with the fix', async () => {
    const data = blobs(12, 1);
    await expect(train(mlp(1), data, { epochs: 1, seed: 1, progress: false, classWeight: { 0: 1, 1: 2 } })).rejects.toThrow(
      "Invalid value for `classWeight`: expected a weight for every class in the labels (0, 1, 2), received \"none for class 2\". Add them, or pass 'balanced'.",
    );
    await expect(train(mlp(1), data, { epochs: 1, seed: 1, progress: false, sampleWeight: [1, 2] })).rejects.toThrow(/`sampleWeight`: expected 12 weights, one per training row, received "2 weights"/);
    const source = { size: 12, batches: () => [] };
    await expect(train(mlp(1), source, { epochs: 1, seed: 1, progress: false, classWeight: 'balanced' })).rejects.toThrow(/`classWeight`: expected in-memory \{x, y\} training data, received "a batch source"/);
    const custom = (y: tf.Tensor, p: tf.Tensor) => tf.losses.meanSquaredError(y, p) as tf.Scalar;
    await expect(train(mlp(1), data, { epochs: 1, seed: 1, progress: false, loss: custom, classWeight: 'balanced' })).rejects.toThrow(/Pass a loss name, or a `forward` that applies `batch.sampleWeight` itself/);
  });
});

describe('train() options', () => {
  it('refuses an unknown option at run time, naming it and suggesting the close one', async () => {
    const options = { epochs: 1, seed: 1, progress: false, classWeights: { 0: 1 } };
    await expect(train(mlp(1), blobs(8, 1), options as never)).rejects.toThrow(
      /^Unknown option `classWeights` for train\(\): expected one of epochs, batchSize, seed, optimizer, loss, metrics, classWeight, sampleWeight, validation, callbacks, schedule, clipNorm, shuffle, run, logEvery, progress, monitor, checkpoint, forward, received `classWeights`\. Did you mean `classWeight`\?$/,
    );
    await expect(train(mlp(1), blobs(8, 1), { epochs: 1, seed: 1, learningRate: 0.1 } as never)).rejects.toThrow(/Unknown option `learningRate` for train\(\).* Set it in the optimizer: `optimizer: \{name: .adam., learningRate\}`\.$/);
  });
});
