import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  huber,
  LOSS_NAMES,
  lossByName,
  mae,
  mse,
  sparseCategoricalCrossEntropy,
} from '../../kernel-lib/src/train/losses';
import { catchError } from '../metrics/helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Every test runs in a scope: tensors it makes are freed, and the leak tests count on a clean slate.
beforeEach(() => tf.engine().startScope());
afterEach(() => tf.engine().endScope());

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  return t.dataSync()[0];
}

const logits = () =>
  tf.tensor2d([
    [1, 2, 3],
    [1, 1, 1],
    [-2, 0.5, 4],
  ]);
const labels = () => tf.tensor1d([2, 0, 1], 'int32');

describe('cross-entropy from logits', () => {
  it('sparse: by hand, -log softmax of the true class, mean over the batch', () => {
    const lse = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
    const expected = ((lse([1, 2, 3]) - 3) + (lse([1, 1, 1]) - 1) + (lse([-2, 0.5, 4]) - 0.5)) / 3;
    expect(value(sparseCategoricalCrossEntropy(labels(), logits()))).toBeCloseTo(expected, 5);
    // Labels as float32 or [n, 1] give the same value.
    expect(value(sparseCategoricalCrossEntropy(tf.tensor2d([2, 0, 1], [3, 1]), logits()))).toBeCloseTo(expected, 5);
  });

  it('sparse and categorical agree with tf.losses.softmaxCrossEntropy', () => {
    const reference = value(tf.losses.softmaxCrossEntropy(tf.oneHot(labels(), 3), logits()));
    expect(value(sparseCategoricalCrossEntropy(labels(), logits()))).toBeCloseTo(reference, 5);
    expect(value(categoricalCrossEntropy(tf.oneHot(labels(), 3), logits()))).toBeCloseTo(reference, 5);
    // Soft targets too (label smoothing, distillation).
    const soft = tf.tensor2d([
      [0.1, 0.1, 0.8],
      [0.5, 0.25, 0.25],
      [0, 1, 0],
    ]);
    expect(value(categoricalCrossEntropy(soft, logits()))).toBeCloseTo(value(tf.losses.softmaxCrossEntropy(soft, logits())), 5);
  });

  it('stays finite for logits of +-1e4, where the naive -log(softmax) is not', () => {
    const huge = tf.tensor2d([
      [1e4, -1e4],
      [-1e4, 1e4],
    ]);
    const y = tf.tensor1d([1, 1], 'int32');
    // Row 0 is wrong by 2e4 nats, row 1 right: mean 1e4.
    expect(value(sparseCategoricalCrossEntropy(y, huge))).toBe(1e4);
    expect(value(categoricalCrossEntropy(tf.oneHot(y, 2), huge))).toBe(1e4);
    const naive = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, 2), tf.log(tf.softmax(huge))), 1)));
    expect(value(naive)).toBeNaN(); // softmax underflows to 0, log gives -Infinity, 0 x -Infinity is NaN
  });

  it('has the gradient (softmax - onehot) / n, finite for huge logits', () => {
    const grad = tf.grad((x: tf.Tensor) => sparseCategoricalCrossEntropy(labels(), x));
    const expected = tf.div(tf.sub(tf.softmax(logits()), tf.oneHot(labels(), 3)), 3);
    expect(Array.from(grad(logits()).dataSync())).toEqual(
      Array.from(expected.dataSync()).map((v) => expect.closeTo(v, 6)),
    );
    const huge = tf.tensor2d([1e4, -1e4, -1e4, 1e4], [2, 2]);
    const g = tf.grad((x: tf.Tensor) => sparseCategoricalCrossEntropy(tf.tensor1d([1, 1], 'int32'), x))(huge);
    expect(Array.from(g.dataSync())).toEqual([0.5, -0.5, 0, 0]);
    const gc = tf.grad((x: tf.Tensor) => categoricalCrossEntropy(tf.tensor2d([0, 1, 0, 1], [2, 2]), x))(huge);
    expect(Array.from(gc.dataSync())).toEqual([0.5, -0.5, 0, 0]);
  });

  it('refuses one-hot rows for sparse labels and probabilities of the wrong shape', () => {
    expect(catchError(() => sparseCategoricalCrossEntropy(tf.oneHot(labels(), 3), logits())).message).toBe(
      'Invalid value for `yTrue`: expected integer class labels of shape [3] (one per row of the logits), ' +
        'received a tensor of shape [3, 3]. Pass class indices, not one-hot rows (use categoricalCrossEntropy for those).',
    );
    expect(catchError(() => categoricalCrossEntropy(labels(), logits())).message).toContain(
      'expected one-hot targets of shape [3, 3] like the logits, received a tensor of shape [3]',
    );
    expect(catchError(() => sparseCategoricalCrossEntropy(labels(), tf.tensor1d([1, 2, 3]))).message).toContain(
      '`yPred`: expected logits of shape [n, numClasses], received a tensor of shape [3]',
    );
  });
});

describe('binaryCrossEntropy from logits', () => {
  it('by hand: max(x,0) - x z + log(1 + exp(-|x|)), and as tf.losses.sigmoidCrossEntropy', () => {
    const x = tf.tensor1d([0, 2, -3, 0.7]);
    const z = tf.tensor1d([1, 0, 1, 0.25]);
    const per = [Math.log(2), 2 + Math.log1p(Math.exp(-2)), 3 + Math.log1p(Math.exp(-3)), 0.7 - 0.7 * 0.25 + Math.log1p(Math.exp(-0.7))];
    expect(value(binaryCrossEntropy(z, x))).toBeCloseTo(per.reduce((a, b) => a + b) / 4, 5);
    expect(value(binaryCrossEntropy(z, x))).toBeCloseTo(value(tf.losses.sigmoidCrossEntropy(z, x)), 5);
  });

  it('stays finite with finite gradients (sigmoid(x) - z) / N for logits of +-1e4', () => {
    const x = tf.tensor2d([1e4, -1e4, 1e4, -1e4], [4, 1]);
    const z = tf.tensor2d([0, 1, 1, 0], [4, 1]);
    expect(value(binaryCrossEntropy(z, x))).toBe(5e3);
    const g = tf.grad((t: tf.Tensor) => binaryCrossEntropy(z, t))(x);
    expect(Array.from(g.dataSync())).toEqual([0.25, -0.25, 0, 0]);
  });
});

describe('regression losses', () => {
  const yTrue = () => tf.tensor2d([3, -0.5, 2, 7], [4, 1]);
  const yPred = () => tf.tensor2d([2.5, 0.0, 2, 8], [4, 1]);

  it("mse and mae: sklearn's docstring example (0.375, 0.5) and tf.losses", () => {
    expect(value(mse(yTrue(), yPred()))).toBe(0.375);
    expect(value(mae(yTrue(), yPred()))).toBe(0.5);
    expect(value(mse(yTrue(), yPred()))).toBeCloseTo(value(tf.losses.meanSquaredError(yTrue(), yPred())), 6);
    expect(value(mae(yTrue(), yPred()))).toBeCloseTo(value(tf.losses.absoluteDifference(yTrue(), yPred())), 6);
  });

  it('huber: quadratic within delta, linear beyond, as tf.losses.huberLoss', () => {
    // errors 0.5, 2, -3 with delta 1: 0.125, 1.5, 2.5.
    const t = tf.tensor1d([0, 0, 0]);
    const p = tf.tensor1d([0.5, 2, -3]);
    expect(value(huber(t, p))).toBeCloseTo((0.125 + 1.5 + 2.5) / 3, 6);
    // delta 2: 0.125, 2, 2 * (3 - 1) = 4.
    expect(value(huber(t, p, 2))).toBeCloseTo((0.125 + 2 + 4) / 3, 6);
    expect(value(huber(yTrue(), yPred()))).toBeCloseTo(value(tf.losses.huberLoss(yTrue(), yPred())), 6);
    expect(value(huber(yTrue(), yPred(), 0.3))).toBeCloseTo(value(tf.losses.huberLoss(yTrue(), yPred(), undefined, 0.3)), 6);
    expect(catchError(() => huber(t, p, 0)).message).toBe('Invalid value for `delta`: expected a positive finite number, received 0.');
  });

  it('pairs labels [n] with a Dense(1) output [n, 1] instead of broadcasting to [n, n]', () => {
    const flat = tf.tensor1d([3, -0.5, 2, 7]);
    expect(value(mse(flat, yPred()))).toBe(0.375);
    expect(value(mae(yPred(), flat))).toBe(0.5);
    expect(catchError(() => mse(tf.tensor1d([1, 2, 3]), yPred())).message).toBe(
      'Invalid value for `yTrue`: expected the shape of yPred [4, 1], received a tensor of shape [3]. Give one target per prediction.',
    );
    expect(catchError(() => mse(tf.zeros([2, 2]), tf.zeros([4]))).message).toContain('expected the shape of yPred [4]');
  });

  it('have finite gradients, for huge errors too', () => {
    const p = tf.tensor1d([1e4, -1e4, 0.5, 0]);
    const t = tf.tensor1d([0, 0, 0, 0]);
    for (const loss of [mse, mae, huber, binaryCrossEntropy]) {
      const g = tf.grad((x: tf.Tensor) => loss(t, x))(p);
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    }
    // huber's gradient is the clipped error / N: delta beyond it, the error within.
    const g = Array.from(tf.grad((x: tf.Tensor) => huber(t, x))(p).dataSync());
    expect(g.map((v) => v + 0)).toEqual([0.25, -0.25, 0.125, 0]);
  });
});

describe('lossByName', () => {
  it('finds every loss by its config name and computes the same value', () => {
    expect(LOSS_NAMES).toEqual(['sparse-categorical-crossentropy', 'categorical-crossentropy', 'binary-crossentropy', 'mse', 'mae', 'huber']);
    expect(lossByName('sparse-categorical-crossentropy')).toBe(sparseCategoricalCrossEntropy);
    expect(value(lossByName('huber')(tf.tensor1d([0]), tf.tensor1d([3])))).toBe(2.5);
    expect(lossByName('mse')).toBe(mse);
  });

  it('lists the names it knows when given another', () => {
    expect(catchError(() => lossByName('crossentropy' as never)).message).toBe(
      "Invalid value for `loss`: expected one of 'sparse-categorical-crossentropy', 'categorical-crossentropy', " +
        "'binary-crossentropy', 'mse', 'mae', 'huber', received \"crossentropy\". Pick a name from that list or pass a loss function.",
    );
    expect(catchError(() => lossByName('toString' as never)).code).toBe('INVALID_ARGUMENT');
  });
});

describe('tensor hygiene', () => {
  it('leaves only the returned scalar behind, and nothing inside tf.tidy', () => {
    const cases: [string, tf.Tensor, tf.Tensor][] = [
      ['sparse-categorical-crossentropy', labels(), logits()],
      ['categorical-crossentropy', tf.oneHot(labels(), 3), logits()],
      ['binary-crossentropy', tf.tensor1d([1, 0, 1], 'int32'), tf.tensor2d([0.3, -2, 5], [3, 1])],
      ['mse', tf.tensor1d([1, 2, 3], 'int32'), tf.tensor2d([0.3, -2, 5], [3, 1])],
      ['mae', tf.tensor1d([1, 2, 3]), tf.tensor1d([0.3, -2, 5])],
      ['huber', tf.tensor1d([1, 2, 3]), tf.tensor1d([0.3, -2, 5])],
    ];
    for (const [name, yTrue, yPred] of cases) {
      const loss = lossByName(name as never);
      const before = tf.memory().numTensors;
      const result = loss(yTrue, yPred);
      expect(tf.memory().numTensors, name).toBe(before + 1);
      result.dispose();
      tf.tidy(() => loss(yTrue, yPred).dataSync());
      tf.tidy(() => {
        tf.grad((x: tf.Tensor) => loss(yTrue, x))(yPred);
      });
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });
});

describe('on the wasm backend (the fast path for small models)', () => {
  // Every loss and its gradient have kernels there (Log1p, LogSoftmax's ops, OneHot) and agree with cpu.
  function evaluateAll(): number[][] {
    const out: number[][] = [];
    const pairs: [tf.Tensor, tf.Tensor][] = [
      [labels(), tf.tensor2d([1, 2, 3, 1e4, -1e4, 0, -2, 0.5, 4], [3, 3])],
      [tf.oneHot(labels(), 3), logits()],
      [tf.tensor1d([1, 0, 1]), tf.tensor1d([0.3, 1e4, -1e4])],
      [tf.tensor1d([1, 0, 1]), tf.tensor1d([0.3, 2, -3])],
      [tf.tensor1d([1, 0, 1]), tf.tensor1d([0.3, 2, -3])],
      [tf.tensor1d([1, 0, 1]), tf.tensor1d([0.3, 2, -3])],
    ];
    LOSS_NAMES.forEach((name, i) => {
      const [t, p] = pairs[i];
      const loss = lossByName(name);
      out.push([value(loss(t, p)), ...tf.grad((x: tf.Tensor) => loss(t, x))(p).dataSync()]);
    });
    return out;
  }

  let onCpu: number[][];
  beforeAll(async () => {
    onCpu = tf.tidy(() => evaluateAll());
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the values and gradients the cpu backend gives', () => {
    expect(tf.getBackend()).toBe('wasm');
    const onWasm = evaluateAll();
    onWasm.forEach((row, i) => {
      expect(row.every(Number.isFinite), LOSS_NAMES[i]).toBe(true);
      // Relative: float32 spacing at 6667 (the huge-logit case) is 5e-4.
      row.forEach((v, j) => expect(Math.abs(v - onCpu[i][j]), `${LOSS_NAMES[i]}[${j}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
    });
  });
});
