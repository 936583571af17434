import * as tf from '@tensorflow/tfjs';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLearningRate, progressBar, reduceLROnPlateau, stepDecay, train, type Callback, type TrainContext } from '../../kernel-lib/src/train';
import { blobs, mlp } from './fixture';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

/** What a Keras user writes: the optimizer's own field, halved at the end of every epoch. */
const halveField: Callback = {
  onEpochEnd: (_e, _l, ctx) => void ((ctx.optimizer as unknown as { learningRate: number }).learningRate *= 0.5),
};

describe('a callback changing the learning rate', () => {
  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`is honoured by ${optimizer}: the same weights as a schedule halving it per epoch, and the lr logged is the one used`, async () => {
      const data = blobs(60, 1);
      const byCallback = mlp(3);
      const h1 = await train(byCallback, data, { epochs: 3, batchSize: 10, seed: 1, progress: false, optimizer: { name: optimizer, learningRate: 0.1 }, callbacks: [halveField] });
      const bySchedule = mlp(3);
      const h2 = await train(bySchedule, data, { epochs: 3, batchSize: 10, seed: 1, progress: false, optimizer: { name: optimizer, learningRate: 0.1 }, schedule: stepDecay({ initial: 0.1, factor: 0.5, everyEpochs: 1 }) });
      expect(h1.epochs.map((e) => e.lr)).toEqual([0.1, 0.05, 0.025]);
      expect(h2.epochs.map((e) => e.lr)).toEqual([0.1, 0.05, 0.025]);
      expect(weightsOf(byCallback)).toEqual(weightsOf(bySchedule));
      const unchanged = mlp(3);
      await train(unchanged, data, { epochs: 3, batchSize: 10, seed: 1, progress: false, optimizer: { name: optimizer, learningRate: 0.1 } });
      expect(weightsOf(unchanged)).not.toEqual(weightsOf(byCallback));
    });
  }

  it('ctx.learningRate is the typed way, and with a schedule a change scales the scheduled rate from then on', async () => {
    const seen: number[] = [];
    const history = await train(mlp(4), blobs(40, 2), {
      epochs: 3,
      batchSize: 20,
      seed: 1,
      progress: false,
      optimizer: { name: 'sgd', learningRate: 1 },
      schedule: stepDecay({ initial: 0.2, factor: 0.5, everyEpochs: 1 }),
      callbacks: [
        { onEpochEnd: (epoch, _l, ctx) => void (epoch === 0 && (ctx.learningRate = ctx.learningRate / 10)) },
        { onBatchEnd: (_s, logs, ctx) => void seen.push(logs.lr, getLearningRate(ctx.optimizer)) },
      ],
    });
    expect(history.epochs.map((e) => e.lr)).toEqual([0.2, 0.1 / 10, 0.05 / 10]);
    expect(seen).toEqual([0.2, 0.2, 0.2, 0.2, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005]);
  });
});

/** Feeds reduceLROnPlateau a sequence of val_loss values; returns the rate after each epoch and its messages. */
function plateau(values: number[], options: Parameters<typeof reduceLROnPlateau>[0]): { rates: number[]; messages: string[] } {
  const optimizer = tf.train.sgd(1);
  const messages: string[] = [];
  const ctx = { optimizer, message: (t: string) => void messages.push(t) } as unknown as TrainContext;
  const callback = reduceLROnPlateau(options);
  void callback.onTrainBegin?.(ctx);
  const rates = values.map((v, epoch) => {
    void callback.onEpochEnd?.(epoch, { val_loss: v }, ctx);
    return getLearningRate(optimizer);
  });
  optimizer.dispose();
  return { rates, messages };
}

describe('reduceLROnPlateau (Keras semantics)', () => {
  const flat = [1, 1, 1, 1, 1, 1, 1];

  it('reduces by `factor` after `patience` epochs without improvement, and says so', () => {
    const { rates, messages } = plateau(flat, { patience: 2, factor: 0.5 });
    expect(rates).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
    expect(messages[0]).toBe('epoch 3: reducing the learning rate to 0.5 (val_loss did not improve for 2 epochs)');
    // improvements by more than minDelta (1e-4) reset the count; smaller ones do not
    expect(plateau([1, 0.9, 0.8, 0.7, 0.69999, 0.69998], { patience: 2, factor: 0.5 }).rates).toEqual([1, 1, 1, 1, 1, 0.5]);
    // the defaults: patience 10, factor 0.1
    expect(plateau(Array(12).fill(1), {}).rates.slice(9)).toEqual([1, 0.1, 0.1]);
  });

  it('waits `cooldown` epochs after a reduction and never goes below minLr', () => {
    expect(plateau(flat, { patience: 2, factor: 0.5, cooldown: 2 }).rates).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    expect(plateau(flat, { patience: 1, factor: 0.1, minLr: 0.05 }).rates).toEqual([1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05]);
    expect(plateau([0.1, 0.2, 0.3, 0.4], { patience: 1, factor: 0.5, monitor: 'val_loss', mode: 'max' }).rates).toEqual([1, 1, 1, 1]);
  });

  it('checks its options', () => {
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(/Invalid value for `factor`: expected a number between 0 and 1 \(exclusive\), received 1/);
    expect(() => reduceLROnPlateau({ patience: -1 })).toThrow(/`patience`: expected a non-negative integer/);
    expect(() => reduceLROnPlateau({ mode: 'up' as 'min' })).toThrow(/`mode`: expected 'auto', 'min' or 'max'/);
  });

  it('lowers a real run\'s rate, the same way on every run, with the message on the progress stream', async () => {
    const once = async () => {
      let text = '';
      const stream = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
      const held = blobs(30, 10);
      // validation labels rotated by one class: the better the fit, the worse val_loss gets
      const validation = { x: held.x, y: tf.tidy(() => tf.mod(tf.add(held.y, 1), 3)) };
      const model = mlp(5);
      const history = await train(model, blobs(60, 9), {
        epochs: 6,
        batchSize: 10,
        seed: 2,
        validation,
        optimizer: { name: 'sgd', learningRate: 0.1 },
        callbacks: [reduceLROnPlateau({ patience: 1, factor: 0.5 })],
        progress: progressBar({ stream }),
      });
      return { lrs: history.epochs.map((e) => e.lr), weights: weightsOf(model), text };
    };
    const [a, b] = [await once(), await once()];
    expect(a.lrs[0]).toBe(0.1);
    expect(a.lrs.at(-1)).toBeLessThan(0.1);
    expect(a.text).toMatch(/^epoch (\d)\/6  loss .*\nepoch \1: reducing the learning rate to 0\.05 \(val_loss did not improve for 1 epoch\)$/m);
    const said = (text: string) => text.split('\n').filter((l) => l.includes('reducing'));
    expect({ lrs: b.lrs, weights: b.weights, said: said(b.text) }).toEqual({ lrs: a.lrs, weights: a.weights, said: said(a.text) });
  });
});
