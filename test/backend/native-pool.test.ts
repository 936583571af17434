/**
 * Native max pooling over 8 channels and more, where pool.cc takes channels a vector of 8 at a time
 * and the rest one by one (native-conv.test.ts's random pooling cases have at most 6 channels, all
 * in the scalar tail): forward and gradient bit for bit the cpu kernels', ties, NaN and -Infinity included.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { normals, onAll, rngFor, withoutMathRandom } from './helpers';

type Shape4 = [number, number, number, number];

beforeAll(async () => {
  await initBackend({ prefer: 'native' });
});

// Channels: one vector, a vector and a tail, two vectors, two and a tail, the CNN's 32 and 64.
// Windows: tiling 2x2 (every input written once), 2x2 on an odd size (an untouched edge), 3x3
// stride 2 (overlapping: the accumulating path), 'same' padding (clipped windows).
const CASES: { xShape: Shape4; filter: number; stride: number; pad: 'valid' | 'same' }[] = [
  { xShape: [2, 6, 6, 8], filter: 2, stride: 2, pad: 'valid' },
  { xShape: [2, 7, 5, 13], filter: 2, stride: 2, pad: 'valid' },
  { xShape: [1, 8, 8, 16], filter: 3, stride: 2, pad: 'valid' },
  { xShape: [3, 5, 7, 21], filter: 2, stride: 2, pad: 'same' },
  { xShape: [2, 26, 26, 32], filter: 2, stride: 2, pad: 'valid' },
  { xShape: [2, 11, 11, 64], filter: 2, stride: 2, pad: 'valid' },
];

const bits = (v: Float32Array | Int32Array) => Array.from(new Uint32Array(v.buffer));

describe('native max pooling over wide channels', () => {
  CASES.forEach((c, i) => {
    for (const style of ['plain', 'ties', 'special'] as const) {
      it(`MaxPool and its gradient match cpu bit for bit on ${JSON.stringify(c)}, ${style} values`, async () => {
        await withoutMathRandom(async () => {
          const rng = rngFor('native-pool-wide', i, style);
          const x = normals(rng, c.xShape.reduce((p, d) => p * d, 1));
          // Halves make ties, so the first-maximum rule matters; NaN never wins, -Infinity alone gives -Infinity.
          if (style !== 'plain') x.forEach((v, k) => (x[k] = Math.round(v * 2) / 2));
          if (style === 'special') for (let k = 0; k < x.length; k += 3) x[k] = k % 2 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
          const compute = () => {
            const xt = tf.tensor4d(x, c.xShape);
            const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.filter, c.stride, c.pad);
            const y = pool(xt);
            const r = tf.tensor(normals(rngFor('native-pool-wide-dy', i), y.size), y.shape);
            return [y, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), r)))(xt)];
          };
          const native = await onAll('native', compute);
          const cpu = await onAll('cpu', compute);
          native.forEach((n, k) => {
            expect(n.shape).toEqual(cpu[k].shape);
            expect(bits(n.values)).toEqual(bits(cpu[k].values));
          });
        });
      });
    }
  });
});
