import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { between, normals, on, relativeError, rngFor, withoutMathRandom } from './helpers';

const TOLERANCE = 1e-5;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

function segmentSum(x: Float32Array | Int32Array, xShape: number[], ids: Int32Array, idShape: number[], numSegments: number) {
  return () =>
    tf.engine().runKernel(
      'UnsortedSegmentSum',
      { x: tf.tensor(x, xShape, x instanceof Int32Array ? 'int32' : 'float32'), segmentIds: tf.tensor(ids, idShape, 'int32') },
      { numSegments },
    ) as tf.Tensor;
}

describe('UnsortedSegmentSum on wasm', () => {
  it('matches the cpu kernel on random rows, ids with empty segments, and numSegments beyond the largest id', async () => {
    await withoutMathRandom(async () => {
      for (let i = 0; i < 30; ++i) {
        const rng = rngFor('segment-sum', i);
        const rows = between(rng, 1, 40);
        const rowShape = [[], [between(rng, 1, 6)], [between(rng, 1, 4), between(rng, 1, 5)]][i % 3];
        const maxId = between(rng, 0, 12);
        // Up to 5 segments past the largest id: those, and ids never drawn, must come out zero.
        const numSegments = maxId + 1 + between(rng, 0, 5);
        const ids = Int32Array.from({ length: rows }, () => rng.int(maxId + 1));
        const xShape = [rows, ...rowShape];
        const x = normals(rng, xShape.reduce((p, d) => p * d, 1));
        const expected = await on('cpu', segmentSum(x, xShape, ids, [rows], numSegments));
        const actual = await on('wasm', segmentSum(x, xShape, ids, [rows], numSegments));
        const label = JSON.stringify({ xShape, numSegments, ids: Array.from(ids) });
        expect(actual.shape, label).toEqual([numSegments, ...rowShape]);
        expect(relativeError(actual.values, expected.values), label).toBeLessThanOrEqual(TOLERANCE);
        const used = new Set(ids);
        const width = rowShape.reduce((p, d) => p * d, 1);
        for (let s = 0; s < numSegments; ++s) {
          if (used.has(s)) continue;
          expect(Array.from(actual.values.subarray(s * width, (s + 1) * width)), `segment ${s} of ${label}`).toEqual(new Array(width).fill(0));
        }
      }
    });
  });

  it('drops ids outside [0, numSegments), as the cpu kernel does', async () => {
    const rng = rngFor('segment-sum', 'out-of-range');
    const ids = Int32Array.from([0, -1, 2, 5, 2, -3, 1, 9]);
    const x = normals(rng, 8 * 3);
    const expected = await on('cpu', segmentSum(x, [8, 3], ids, [8], 4));
    const actual = await on('wasm', segmentSum(x, [8, 3], ids, [8], 4));
    expect(actual.shape).toEqual([4, 3]);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
    expect(Array.from(actual.values.subarray(9, 12))).toEqual([0, 0, 0]); // no row has id 3 (and -1, -3, 5, 9 are dropped)
  });

  it('sums int32 values to int32', async () => {
    const rng = rngFor('segment-sum', 'int32');
    const x = Int32Array.from({ length: 30 }, () => rng.int(200) - 100);
    const ids = Int32Array.from({ length: 10 }, () => rng.int(4));
    const expected = await on('cpu', segmentSum(x, [10, 3], ids, [10], 6));
    const actual = await on('wasm', segmentSum(x, [10, 3], ids, [10], 6));
    expect(actual.dtype).toBe('int32');
    expect(Array.from(actual.values)).toEqual(Array.from(expected.values));
  });

  it('takes segment ids of rank 2 (the leading dimensions of x)', async () => {
    const rng = rngFor('segment-sum', 'rank2');
    const ids = Int32Array.from({ length: 12 }, () => rng.int(5));
    const x = normals(rng, 12 * 4);
    // The cpu kernel only sums along one axis, so the reference flattens the ids first.
    const expected = await on('cpu', segmentSum(x, [12, 4], ids, [12], 7));
    const actual = await on('wasm', segmentSum(x, [3, 4, 4], ids, [3, 4], 7));
    expect(actual.shape).toEqual([7, 4]);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('is the gradient of gather: an Embedding-style lookup trains the same on wasm and cpu', async () => {
    const rng = rngFor('segment-sum', 'gather-grad');
    const table = normals(rng, 20 * 6);
    const indices = Int32Array.from({ length: 15 }, () => rng.int(12)); // rows 12..19 never looked up
    const upstream = normals(rng, 15 * 6);
    const grad = () => {
      const t = tf.tensor(table, [20, 6]);
      return tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.gather(w, tf.tensor(indices, [3, 5], 'int32')), tf.tensor(upstream, [3, 5, 6]))))(t);
    };
    const expected = await on('cpu', grad);
    const actual = await on('wasm', grad);
    expect(actual.shape).toEqual([20, 6]);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
  });
});
