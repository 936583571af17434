import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { train, type LossName } from '../../kernel-lib/src/train';
import { tempDb } from '../helpers';
import { blobs, mlp } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Accuracy computed by hand from the model's logits, as the loss names define it. */
function handAccuracy(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: LossName): number {
  const logits = Array.from((model.predict(x) as tf.Tensor).dataSync());
  const labels = Array.from(y.dataSync());
  const n = x.shape[0];
  const k = logits.length / n;
  let right = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.slice(i * k, (i + 1) * k);
    if (loss === 'binary-crossentropy') right += Number(row[0] > 0 === labels[i] > 0.5);
    else {
      const predicted = row.indexOf(Math.max(...row));
      const truth = loss === 'categorical-crossentropy' ? labels.slice(i * k, (i + 1) * k).indexOf(1) : labels[i];
      right += Number(predicted === truth);
    }
  }
  return right / n;
}

/** The blobs with labels as each loss wants them. */
function labelled(n: number, seed: number, loss: LossName): { x: tf.Tensor; y: tf.Tensor } {
  const classes = loss === 'binary-crossentropy' ? 2 : 3;
  const { x, y } = blobs(n, seed, classes);
  if (loss === 'binary-crossentropy') return { x, y: tf.reshape(tf.cast(y, 'float32'), [n, 1]) };
  if (loss === 'categorical-crossentropy') return { x, y: tf.oneHot(y, 3).toFloat() };
  return { x, y };
}

describe('accuracy for every classification loss', () => {
  it('logs accuracy and val_accuracy with each of them, the validation one equal to a hand count', async () => {
    for (const loss of ['sparse-categorical-crossentropy', 'categorical-crossentropy', 'binary-crossentropy'] as const) {
      const registry = openRegistry({ db: tempDb() });
      const run = registry.startRun({ experiment: 'acc', seed: 1 });
      const model = mlp(2, loss === 'binary-crossentropy' ? 1 : 3);
      const validation = labelled(45, 2, loss);
      const history = await train(model, labelled(90, 1, loss), { epochs: 3, batchSize: 16, run, loss, validation, progress: false, optimizer: { name: 'adam', learningRate: 0.02 } });
      run.end();
      const last = history.epochs[2];
      expect(Object.keys(last).slice(0, 4)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy']);
      expect(last.accuracy).toBeGreaterThan(0.5);
      expect(last.val_accuracy).toBeCloseTo(handAccuracy(model, validation.x, validation.y, loss), 10);
      expect(Object.keys(registry.getRun(run.id).metrics)).toEqual(expect.arrayContaining(['accuracy', 'val_accuracy']));
      registry.close();
    }
  });
});

describe('metrics: [...]', () => {
  const data = blobs(60, 3);
  const validation = blobs(30, 4);

  it('a custom loss logs only the loss by default, and what `metrics` names when given', async () => {
    const custom = (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y, 'int32'), 3), p) as tf.Scalar;
    const plain = await train(mlp(1), data, { epochs: 1, seed: 1, loss: custom, validation, progress: false });
    expect(Object.keys(plain.epochs[0])).not.toContain('accuracy');
    const model = mlp(1);
    const named = await train(model, data, { epochs: 1, seed: 1, loss: custom, validation, metrics: ['accuracy'], progress: false });
    expect(named.epochs[0].val_accuracy).toBeCloseTo(handAccuracy(model, validation.x, validation.y, 'sparse-categorical-crossentropy'), 10);
  });

  it('regression metrics by name, under their own keys', async () => {
    const y = tf.tidy(() => tf.sum(data.x, 1));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
    const history = await train(model, { x: data.x, y }, { epochs: 2, seed: 1, loss: 'mse', metrics: ['mae', 'mse'], validation: { x: data.x, y }, progress: false });
    const last = history.epochs[1];
    expect(last.val_mse).toBeCloseTo(last.val_loss, 5);
    const predicted = (model.predict(data.x) as tf.Tensor).reshape([-1]);
    expect(last.val_mae).toBeCloseTo(tf.mean(tf.abs(tf.sub(predicted, y))).dataSync()[0], 5);
    expect(Object.keys(last)).toEqual(expect.arrayContaining(['mae', 'mse', 'val_mae', 'val_mse']));
  });

  it('refuses an unknown metric, listing the supported ones', async () => {
    await expect(train(mlp(1), data, { epochs: 1, seed: 1, metrics: ['acuracy' as 'accuracy'], progress: false })).rejects.toThrow(
      "Invalid value for `metrics`: expected one of 'accuracy', 'binary-accuracy', 'categorical-accuracy', 'sparse-categorical-accuracy', 'mse', 'mae', received 'acuracy'. Did you mean 'accuracy'?",
    );
  });
});
