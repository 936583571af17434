import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, type NativeAddon } from '../../kernel-lib/src/backend';
import { between, normals, on, pick, relativeError, rngFor, withoutMathRandom, type Result } from './helpers';
import type { Rng } from '../../kernel-lib/src/repro/rng';

const TOLERANCE = 1e-5;
const KERNELS = ['Sum', 'Prod', 'Max', 'Min', 'Mean', 'ArgMax', 'ArgMin', 'Softmax'];

/** Largest relative error seen per check, printed at the end for the record. */
const worst = new Map<string, number>();

function expectClose(actual: Result, expected: Result, label: string, key: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  expect(actual.dtype, label).toBe(expected.dtype);
  const error = relativeError(actual.values, expected.values);
  worst.set(key, Math.max(worst.get(key) ?? 0, error));
  expect(error, label).toBeLessThanOrEqual(TOLERANCE);
}

function randomShape(rng: Rng, rank: number): number[] {
  return Array.from({ length: rank }, () => pick(rng, [1, 2, 3, 5, 7, 16]));
}

/** A single axis, a few distinct ones in any order, all of them (null) or none; negative axes half the time. */
function randomAxes(rng: Rng, rank: number): number | number[] | null {
  const negate = (a: number) => (rng.next() < 0.5 ? a - rank : a);
  switch (rng.int(4)) {
    case 0:
      return negate(rng.int(rank));
    case 1: {
      const all = Array.from({ length: rank }, (_, i) => i);
      const count = between(rng, 1, rank);
      const chosen: number[] = [];
      while (chosen.length < count) chosen.push(...all.splice(rng.int(all.length), 1));
      return chosen.map(negate);
    }
    case 2: {
      // One ascending run of axes (reduced in place natively, without a transpose).
      const first = rng.int(rank);
      return Array.from({ length: between(rng, 1, rank - first) }, (_, i) => first + i);
    }
    default:
      return rng.next() < 0.5 ? null : [];
  }
}

type Reduction = (x: tf.Tensor, axis: number | number[] | null, keepDims: boolean) => tf.Tensor;
const REDUCTIONS: Record<string, Reduction> = {
  Sum: (x, axis, keepDims) => tf.sum(x, axis ?? undefined, keepDims),
  Prod: (x, axis, keepDims) => tf.prod(x, axis ?? undefined, keepDims),
  Max: (x, axis, keepDims) => tf.max(x, axis ?? undefined, keepDims),
  Min: (x, axis, keepDims) => tf.min(x, axis ?? undefined, keepDims),
  Mean: (x, axis, keepDims) => tf.mean(x, axis ?? undefined, keepDims),
};

let addon: NativeAddon;

beforeAll(async () => {
  await initBackend({ prefer: 'native' });
  addon = (tf.backend() as unknown as { addon: NativeAddon }).addon;
});

afterAll(() => {
  console.log(`native-reduce: largest relative error vs cpu: ${JSON.stringify(Object.fromEntries(worst))}`);
});

describe('native reductions and softmax', () => {
  it('register on native kernels other than the cpu ones', () => {
    for (const name of KERNELS) expect(tf.getKernel(name, 'native')?.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
  });

  for (const [name, reduce] of Object.entries(REDUCTIONS)) {
    it(`${name} matches the cpu kernel over random shapes (rank 1..5), axes and keepDims`, async () => {
      await withoutMathRandom(async () => {
        for (let i = 0; i < 30; ++i) {
          const rng = rngFor('native-reduce', name, i);
          const shape = randomShape(rng, 1 + (i % 5));
          const axis = randomAxes(rng, shape.length);
          const keepDims = rng.next() < 0.5;
          // Prod: factors near 1, so products of hundreds of terms stay in range.
          const n = shape.reduce((p, d) => p * d, 1);
          const values = name === 'Prod' ? normals(rng, n).map((v) => 1 + 0.05 * v) : normals(rng, n);
          const compute = () => reduce(tf.tensor(values, shape), axis, keepDims);
          const label = JSON.stringify({ shape, axis, keepDims });
          expectClose(await on('native', compute), await on('cpu', compute), label, name);
        }
      });
    });
  }

  for (const name of ['ArgMax', 'ArgMin'] as const) {
    it(`${name} matches the cpu kernel (first index on ties, int32) over random shapes and axes`, async () => {
      const arg = name === 'ArgMax' ? tf.argMax : tf.argMin;
      for (let i = 0; i < 25; ++i) {
        const rng = rngFor('native-arg', name, i);
        const shape = randomShape(rng, 1 + (i % 5));
        const axis = rng.int(shape.length) - (rng.next() < 0.5 ? shape.length : 0);
        // Values from a handful of levels: ties are common.
        const values = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.int(4) - 1.5);
        const compute = () => arg(tf.tensor(values, shape), axis);
        const [actual, expected] = [await on('native', compute), await on('cpu', compute)];
        const label = JSON.stringify({ shape, axis });
        expect(actual.shape, label).toEqual(expected.shape);
        expect(actual.dtype, label).toBe('int32');
        expect(Array.from(actual.values), label).toEqual(Array.from(expected.values));
      }
    });
  }

  it('handles NaN in Max, Min, ArgMax and ArgMin as the cpu kernels do (also NaN first in a row)', async () => {
    const ops: Record<string, (x: tf.Tensor, axis: number) => tf.Tensor> = {
      Max: (x, axis) => tf.max(x, axis),
      Min: (x, axis) => tf.min(x, axis),
      ArgMax: (x, axis) => tf.argMax(x, axis),
      ArgMin: (x, axis) => tf.argMin(x, axis),
    };
    for (const [name, op] of Object.entries(ops)) {
      for (let i = 0; i < 8; ++i) {
        const rng = rngFor('native-nan', name, i);
        const shape = randomShape(rng, between(rng, 1, 4));
        const values = normals(rng, shape.reduce((p, d) => p * d, 1));
        values[0] = NaN;
        for (let k = 0; k < values.length; ++k) if (rng.next() < 0.15) values[k] = NaN;
        const axis = rng.int(shape.length);
        const compute = () => op(tf.tensor(values, shape), axis);
        const [actual, expected] = [await on('native', compute), await on('cpu', compute)];
        const label = `${name} ${JSON.stringify({ shape, axis })}`;
        expect(actual.shape, label).toEqual(expected.shape);
        expect(Array.from(actual.values), label).toEqual(Array.from(expected.values));
      }
    }
  });

  it('Softmax matches the cpu kernel on random shapes and logit scales, NaN and infinite rows included', async () => {
    for (let i = 0; i < 25; ++i) {
      const rng = rngFor('native-softmax', i);
      const shape = randomShape(rng, 1 + (i % 4));
      const scale = pick(rng, [0.1, 1, 10, 40]);
      const values = normals(rng, shape.reduce((p, d) => p * d, 1)).map((v) => v * scale);
      if (i % 5 === 4) values[rng.int(values.length)] = pick(rng, [NaN, Infinity, -Infinity]);
      const compute = () => tf.softmax(tf.tensor(values, shape));
      const [actual, expected] = [await on('native', compute), await on('cpu', compute)];
      const label = JSON.stringify({ shape, scale });
      expect(actual.shape, label).toEqual(expected.shape);
      // Non-finite rows: the same NaN/0/1 pattern; elsewhere the tolerance.
      expect(Array.from(actual.values).map(Number.isNaN), label).toEqual(Array.from(expected.values).map(Number.isNaN));
      const finite = (r: Result) => Array.from(r.values).map((v) => (Number.isNaN(v) ? 0 : v));
      const error = relativeError(finite(actual), finite(expected));
      worst.set('Softmax', Math.max(worst.get('Softmax') ?? 0, error));
      expect(error, label).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('gradients through Sum, Max, Mean and Softmax match the cpu backend', async () => {
    const ops: Record<string, (x: tf.Tensor, axis: number | number[], keepDims: boolean) => tf.Tensor> = {
      Sum: (x, axis, keepDims) => tf.sum(x, axis, keepDims),
      Max: (x, axis, keepDims) => tf.max(x, axis, keepDims),
      Mean: (x, axis, keepDims) => tf.mean(x, axis, keepDims),
      Softmax: (x) => tf.softmax(x),
    };
    for (const [name, op] of Object.entries(ops)) {
      for (let i = 0; i < 8; ++i) {
        const rng = rngFor('native-reduce-grad', name, i);
        const shape = randomShape(rng, between(rng, 1, 4));
        const axes = randomAxes(rng, shape.length);
        const axis = axes === null || (Array.isArray(axes) && axes.length === 0) ? shape.length - 1 : axes;
        const keepDims = rng.next() < 0.5;
        const x = normals(rng, shape.reduce((p, d) => p * d, 1));
        const weightSeed = rng.int(1 << 30);
        // A scalar loss: the op's output weighted by fixed random values, so every gradient entry differs.
        const compute = () => {
          const y = op(tf.tensor(x, shape), axis, keepDims);
          const w = tf.tensor(normals(rngFor('weights', weightSeed), y.size), y.shape);
          return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t, axis, keepDims), w)))(tf.tensor(x, shape));
        };
        const label = `${name} ${JSON.stringify({ shape, axis, keepDims })}`;
        expectClose(await on('native', compute), await on('cpu', compute), label, `${name} grad`);
      }
    }
  });

  it('runs float32 natively and leaves int32 to the cpu kernel, with the same results', async () => {
    const reduce = vi.spyOn(addon, 'reduce');
    const argReduce = vi.spyOn(addon, 'argReduce');
    try {
      const rng = rngFor('native-int32');
      const ints = Int32Array.from({ length: 60 }, () => rng.int(100) - 50);
      for (const op of [(x: tf.Tensor) => tf.sum(x, 1), (x: tf.Tensor) => tf.max(x, [0, 2]), (x: tf.Tensor) => tf.argMax(x, 2)]) {
        const compute = () => op(tf.tensor(ints, [3, 4, 5], 'int32'));
        const [actual, expected] = [await on('native', compute), await on('cpu', compute)];
        expect(actual).toEqual(expected);
      }
      expect(reduce).not.toHaveBeenCalled();
      expect(argReduce).not.toHaveBeenCalled();
      await on('native', () => tf.sum(tf.tensor(Float32Array.from(ints), [3, 4, 5]), [2, 0]));
      await on('native', () => tf.argMin(tf.tensor(Float32Array.from(ints), [3, 4, 5]), 0));
      expect(reduce).toHaveBeenCalledTimes(1);
      expect(argReduce).toHaveBeenCalledTimes(1);
    } finally {
      reduce.mockRestore();
      argReduce.mockRestore();
    }
  });

  it('handles scalars, empty axes and zero-size tensors like the cpu kernels', async () => {
    const cases: [string, () => tf.Tensor][] = [
      ['sum of a scalar', () => tf.sum(tf.scalar(2.5))],
      ['max over no axes', () => tf.max(tf.tensor([[1, 2], [3, 4]]), [], true)],
      ['sum over an empty axis', () => tf.sum(tf.zeros([0, 3]), 0)],
      ['mean beside an empty axis', () => tf.mean(tf.zeros([0, 3]), 1)],
      ['softmax of empty rows', () => tf.softmax(tf.zeros([2, 0]))],
    ];
    for (const [label, compute] of cases) {
      const [actual, expected] = [await on('native', compute), await on('cpu', compute)];
      expect(actual, label).toEqual(expected);
    }
  });

  it('gives the same bits on every run', async () => {
    const rng = rngFor('native-reduce-repeat');
    const x = normals(rng, 7 * 16 * 5);
    const compute = () => tf.concat([tf.sum(tf.tensor(x, [7, 16, 5]), [2, 0]), tf.mean(tf.tensor(x, [7, 16, 5]), 1).flatten(), tf.softmax(tf.tensor(x, [35, 16])).flatten()]);
    const first = await on('native', compute);
    const second = await on('native', compute);
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });
});
