import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend, type NativeAddon } from '../../kernel-lib/src/backend';
import { between, normals, on, pick, relativeError, rngFor, withoutMathRandom, type Result } from './helpers';
import type { Rng } from '../../kernel-lib/src/repro/rng';

const TOLERANCE = 1e-5;
const KERNELS = ['GatherV2', 'GatherNd', 'Transpose', 'Slice', 'Concat', 'Tile', 'UnsortedSegmentSum', 'ScatterNd'];
const DTYPES = ['float32', 'int32'] as const;
type DType = (typeof DTYPES)[number];

/** Largest relative error seen per check, printed at the end for the record. */
const worst = new Map<string, number>();

let addon: NativeAddon;

beforeAll(async () => {
  await initBackend({ prefer: 'native' });
  addon = (tf.backend() as unknown as { addon: NativeAddon }).addon;
});

afterAll(() => {
  console.log(`native-indexing: largest relative error vs cpu: ${JSON.stringify(Object.fromEntries(worst))}`);
});

function sizeOf(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function randomShape(rng: Rng, rank: number, sizes = [1, 2, 3, 4, 7, 9]): number[] {
  return Array.from({ length: rank }, () => pick(rng, sizes));
}

/** Values for a tensor of `dtype`: normals with some -0 and NaN (float32), or signed ints. */
function values(rng: Rng, n: number, dtype: DType): Float32Array | Int32Array {
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => rng.int(2001) - 1000);
  const out = normals(rng, n);
  for (let i = 0; i < n; ++i) if (rng.next() < 0.05) out[i] = pick(rng, [-0, NaN]);
  return out;
}

function shuffled(rng: Rng, n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; --i) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Exactly the cpu kernel's result: same shape, dtype and values (NaN where NaN, -0 where -0). */
async function expectSame(compute: () => tf.Tensor, label: string): Promise<void> {
  const [actual, expected] = [await on('native', compute), await on('cpu', compute)];
  expect(actual.shape, label).toEqual(expected.shape);
  expect(actual.dtype, label).toBe(expected.dtype);
  expect(Array.from(actual.values), label).toEqual(Array.from(expected.values));
}

function expectClose(actual: Result, expected: Result, label: string, key: string): void {
  expect(actual.shape, label).toEqual(expected.shape);
  const error = relativeError(actual.values, expected.values);
  worst.set(key, Math.max(worst.get(key) ?? 0, error));
  expect(error, label).toBeLessThanOrEqual(TOLERANCE);
}

describe('native indexing kernels', () => {
  it('register on native kernels other than the cpu ones', () => {
    for (const name of KERNELS) expect(tf.getKernel(name, 'native')?.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')?.kernelFunc);
  });

  it('GatherV2 equals the cpu kernel over random shapes, axes and index shapes (float32 and int32)', async () => {
    await withoutMathRandom(async () => {
      for (let i = 0; i < 30; ++i) {
        const rng = rngFor('native-gather', i);
        const dtype = DTYPES[i % 2];
        const shape = randomShape(rng, between(rng, 1, 4));
        const axis = rng.int(shape.length) - (rng.next() < 0.3 ? shape.length : 0);
        const dim = shape[(axis + shape.length) % shape.length];
        const indexShape = randomShape(rng, rng.int(3), [1, 2, 5]);
        const indices = Int32Array.from({ length: sizeOf(indexShape) }, () => rng.int(dim));
        const x = values(rng, sizeOf(shape), dtype);
        await expectSame(() => tf.gather(tf.tensor(x, shape, dtype), tf.tensor(indices, indexShape, 'int32'), axis), JSON.stringify({ dtype, shape, axis, indexShape }));
      }
      // The MLP's batch gather: 128 rows of 784.
      const rng = rngFor('native-gather', 'mlp');
      const x = normals(rng, 300 * 784);
      const rows = Int32Array.from({ length: 128 }, () => rng.int(300));
      await expectSame(() => tf.gather(tf.tensor(x, [300, 784]), tf.tensor(rows, [128], 'int32')), 'mlp batch');
    });
  });

  it('GatherV2 leaves out-of-range indices and batchDims to the cpu kernel (its error, its result)', async () => {
    const x = tf.tensor([[1, 2], [3, 4], [5, 6]]);
    for (const bad of [3, -1]) {
      let cpuError = '';
      await initBackend({ prefer: 'cpu' });
      expect(() => tf.gather(tf.tensor(x.arraySync()), [0, bad])).toThrow();
      try {
        tf.gather(tf.tensor(x.arraySync()), [0, bad]);
      } catch (err) {
        cpuError = (err as Error).message;
      }
      await initBackend({ prefer: 'native' });
      expect(() => tf.gather(tf.tensor(x.arraySync()), [0, bad])).toThrow(cpuError);
    }
    x.dispose();
    const rng = rngFor('native-gather', 'batch');
    const data = normals(rng, 2 * 3 * 4);
    await expectSame(() => tf.gather(tf.tensor(data, [2, 3, 4]), tf.tensor([[2, 0], [1, 1]], [2, 2], 'int32'), 1, 1), 'batchDims 1');
  });

  it('Transpose equals the cpu kernel over random shapes (rank 1..5) and permutations', async () => {
    for (let i = 0; i < 40; ++i) {
      const rng = rngFor('native-transpose', i);
      const dtype = DTYPES[i % 2];
      const shape = randomShape(rng, 1 + (i % 5));
      const perm = shuffled(rng, shape.length);
      const x = values(rng, sizeOf(shape), dtype);
      await expectSame(() => tf.transpose(tf.tensor(x, shape, dtype), perm), JSON.stringify({ dtype, shape, perm }));
    }
    // Matrices past one tile, batches of them with the last two axes swapped, attention's head split.
    const rng = rngFor('native-transpose', 'large');
    const cases: [number[], number[]][] = [[[37, 53], [1, 0]], [[3, 33, 18], [0, 2, 1]], [[2, 3, 17, 20], [1, 0, 3, 2]], [[2, 16, 4, 8], [0, 2, 1, 3]], [[5, 1, 7], [2, 1, 0]]];
    for (const [shape, perm] of cases) {
      const x = normals(rng, sizeOf(shape));
      await expectSame(() => tf.transpose(tf.tensor(x, shape), perm), JSON.stringify({ shape, perm }));
    }
  });

  it('Transpose by the identity permutation is the same storage, kept until both tensors are gone', async () => {
    await initBackend({ prefer: 'native' });
    const rng = rngFor('native-transpose', 'identity');
    const [a, b] = [tf.tensor(normals(rng, 64 * 64), [64, 64]), tf.tensor(normals(rng, 64 * 64), [64, 64])];
    const y = tf.matMul(a, b);
    const expected = tf.matMul(a, b).dataSync().slice();
    const same = tf.transpose(y, [0, 1]);
    const storage = (t: tf.Tensor) => (tf.backend() as unknown as { data: { get(id: object): { values: unknown } } }).data.get(t.dataId).values;
    expect(storage(same)).toBe(storage(y));
    y.dispose();
    const others = [tf.matMul(b, a), tf.matMul(a, a), tf.matMul(b, b)]; // the pool must not hand y's array out
    expect(same.dataSync()).toEqual(expected);
    tf.dispose([a, b, same, ...others]);
  });

  it('Slice equals the cpu kernel over random begins and sizes (strided and contiguous)', async () => {
    for (let i = 0; i < 40; ++i) {
      const rng = rngFor('native-slice', i);
      const dtype = DTYPES[i % 2];
      const shape = randomShape(rng, 1 + (i % 5));
      const begin = shape.map((d) => rng.int(d));
      const size = shape.map((d, k) => (rng.next() < 0.2 ? -1 : between(rng, rng.next() < 0.1 ? 0 : 1, d - begin[k])));
      const x = values(rng, sizeOf(shape), dtype);
      await expectSame(() => tf.slice(tf.tensor(x, shape, dtype), begin, size), JSON.stringify({ dtype, shape, begin, size }));
    }
  });

  it('Concat equals the cpu kernel for 1..4 inputs over random axes, empty inputs included', async () => {
    for (let i = 0; i < 30; ++i) {
      const rng = rngFor('native-concat', i);
      const dtype = DTYPES[i % 2];
      const shape = randomShape(rng, between(rng, 1, 4));
      const axis = rng.int(shape.length);
      const count = between(rng, 1, 4);
      const shapes = Array.from({ length: count }, () => shape.map((d, k) => (k === axis ? pick(rng, [0, 1, 2, 5]) : d)));
      const inputs = shapes.map((s) => values(rng, sizeOf(s), dtype));
      const negative = rng.next() < 0.3;
      await expectSame(
        () => tf.concat(inputs.map((v, k) => tf.tensor(v, shapes[k], dtype)), negative ? axis - shape.length : axis),
        JSON.stringify({ dtype, shapes, axis, negative }),
      );
    }
  });

  it('Tile equals the cpu kernel over random shapes and reps', async () => {
    for (let i = 0; i < 30; ++i) {
      const rng = rngFor('native-tile', i);
      const dtype = DTYPES[i % 2];
      const shape = randomShape(rng, between(rng, 1, 4), [1, 2, 3, 5]);
      const reps = shape.map(() => pick(rng, [1, 1, 2, 3, i === 7 ? 0 : 4]));
      const x = values(rng, sizeOf(shape), dtype);
      await expectSame(() => tf.tile(tf.tensor(x, shape, dtype), reps), JSON.stringify({ dtype, shape, reps }));
    }
  });

  it('UnsortedSegmentSum matches the cpu kernel: ids out of range dropped, unused segments zero', async () => {
    for (let i = 0; i < 25; ++i) {
      const rng = rngFor('native-segment-sum', i);
      const rows = between(rng, 1, 50);
      const rowShape = randomShape(rng, rng.int(3));
      const numSegments = between(rng, 1, 12);
      // Some ids outside [0, numSegments): the cpu kernel drops them.
      const ids = Int32Array.from({ length: rows }, () => rng.int(numSegments + 3) - 1);
      const xShape = [rows, ...rowShape];
      const x = normals(rng, sizeOf(xShape));
      const compute = () => tf.unsortedSegmentSum(tf.tensor(x, xShape), tf.tensor(ids, [rows], 'int32'), numSegments);
      expectClose(await on('native', compute), await on('cpu', compute), JSON.stringify({ xShape, numSegments }), 'UnsortedSegmentSum');
    }
  });

  it('UnsortedSegmentSum keeps a NaN in its own segment (the cpu kernel spreads it to every segment)', async () => {
    const compute = () => tf.unsortedSegmentSum(tf.tensor([[1, NaN], [2, 3], [4, 5]]), tf.tensor([0, 1, 1], [3], 'int32'), 2);
    expect(Array.from((await on('native', compute)).values)).toEqual([1, NaN, 6, 8]);
    expect(Array.from((await on('cpu', compute)).values)).toEqual([1, NaN, 6, NaN]);
  });

  it('GatherNd and ScatterNd match the cpu kernels over random shapes and index depths', async () => {
    for (let i = 0; i < 25; ++i) {
      const rng = rngFor('native-nd', i);
      const dtype = DTYPES[i % 2];
      const shape = randomShape(rng, between(rng, 1, 4));
      const depth = between(rng, 1, shape.length);
      const count = between(rng, 1, 12);
      const indices = Int32Array.from({ length: count * depth }, (_, k) => rng.int(shape[k % depth]));
      const x = values(rng, sizeOf(shape), dtype);
      const label = JSON.stringify({ dtype, shape, depth, count });
      await expectSame(() => tf.gatherND(tf.tensor(x, shape, dtype), tf.tensor(indices, [count, depth], 'int32')), label);
      // Scatter: repeated indices add up (in order, in float32, as on cpu).
      const updates = normals(rng, count * sizeOf(shape.slice(depth)));
      const compute = () => tf.scatterND(tf.tensor(indices, [count, depth], 'int32'), tf.tensor(updates, [count, ...shape.slice(depth)]), shape);
      expectClose(await on('native', compute), await on('cpu', compute), label, 'ScatterNd');
    }
  });

  it('gradients through GatherV2, Concat, Slice and Transpose match the cpu backend', async () => {
    const ops: Record<string, (rng: Rng) => { shape: number[]; op: (x: tf.Tensor) => tf.Tensor }> = {
      GatherV2: (rng) => {
        const shape = randomShape(rng, between(rng, 1, 3));
        const axis = rng.int(shape.length);
        const indices = Int32Array.from({ length: between(rng, 1, 8) }, () => rng.int(shape[axis]));
        return { shape, op: (x) => tf.gather(x, tf.tensor(indices, [indices.length], 'int32'), axis) };
      },
      Concat: (rng) => {
        const shape = randomShape(rng, between(rng, 1, 3));
        const axis = rng.int(shape.length);
        return { shape, op: (x) => tf.concat([x, tf.mul(x, 2), tf.slice(x, 0, shape.map((d, k) => (k === axis ? 1 : d)))], axis) };
      },
      Slice: (rng) => {
        const shape = randomShape(rng, between(rng, 1, 4));
        const begin = shape.map((d) => rng.int(d));
        const size = shape.map((d, k) => between(rng, 1, d - begin[k]));
        return { shape, op: (x) => tf.slice(x, begin, size) };
      },
      Transpose: (rng) => {
        const shape = randomShape(rng, between(rng, 1, 5));
        const perm = shuffled(rng, shape.length);
        return { shape, op: (x) => tf.transpose(x, perm) };
      },
    };
    for (const [name, make] of Object.entries(ops)) {
      for (let i = 0; i < 8; ++i) {
        const { shape, op } = make(rngFor('native-indexing-grad', name, i));
        const rng = rngFor('native-indexing-grad-data', name, i);
        const x = normals(rng, sizeOf(shape));
        const outSize = tf.tidy(() => op(tf.tensor(x, shape)).size);
        const w = normals(rng, outSize);
        // A scalar loss with a different weight per output element, so every gradient entry is tested.
        const compute = () => {
          const loss = (t: tf.Tensor) => {
            const y = op(t);
            return tf.sum(tf.mul(y, tf.tensor(w, y.shape)));
          };
          const [gx] = tf.grads(loss)([tf.tensor(x, shape)]);
          return gx;
        };
        expectClose(await on('native', compute), await on('cpu', compute), `${name} ${JSON.stringify(shape)}`, `${name} grad`);
      }
    }
  });

  it('runs float32 and int32 natively and leaves other dtypes to the cpu kernels', async () => {
    const gather = vi.spyOn(addon, 'gather');
    const transpose = vi.spyOn(addon, 'transpose');
    try {
      await expectSame(() => tf.gather(tf.tensor([[1, 2], [3, 4]]), [1, 0]), 'float32 gather');
      await expectSame(() => tf.transpose(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32')), 'int32 transpose');
      expect(gather).toHaveBeenCalledTimes(1);
      expect(transpose).toHaveBeenCalledTimes(1);
      await expectSame(() => tf.gather(tf.tensor([[true, false], [false, false]], [2, 2], 'bool'), [1, 0]), 'bool gather');
      await expectSame(() => tf.transpose(tf.tensor([[true, false], [false, false]], [2, 2], 'bool')), 'bool transpose');
      expect(gather).toHaveBeenCalledTimes(1);
      expect(transpose).toHaveBeenCalledTimes(1);
      // A float32 tensor the cpu Cast left in its int32 array is converted, not mistaken for floats.
      await expectSame(() => tf.transpose(tf.cast(tf.tensor([[1, 2, 3]], [1, 3], 'int32'), 'float32')), 'cast storage');
      expect(transpose).toHaveBeenCalledTimes(2);
    } finally {
      gather.mockRestore();
      transpose.mockRestore();
    }
  });
});
