/**
 * Native 3x3 stride-1 convolutions with 8 channels or more, which conv.cc computes by Winograd's
 * F(4x4, 3x3) (conv-winograd.cc): Conv2D, FusedConv2D and Conv2DBackpropFilter within a
 * tolerance of the cpu kernels (the transforms sum differently from a direct product), the input
 * gradient (direct) alongside, and the same bits on every instruction path and thread count.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { expectNativeClose, normals, rngFor, withoutMathRandom } from './helpers';
import { addon, bits, everywhere, expectOneResult, loaded, restorePathAfterAll } from './native-paths';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];


beforeAll(async () => {
  await initBackend({ prefer: 'native' });
});

// The CNN's conv2; channel counts with a vector tail (13, 17, 9, 12) or under 8 (out channels);
// odd and tiny images (tiles past the edge); explicit pads, one past the filter (tiles reaching
// wholly into padding).
const CASES: { xShape: Shape4; outC: number; pad: Pad }[] = [
  { xShape: [2, 13, 13, 32], outC: 64, pad: 'valid' },
  { xShape: [2, 9, 7, 8], outC: 8, pad: 'same' },
  { xShape: [1, 6, 10, 13], outC: 17, pad: 'same' },
  { xShape: [2, 5, 5, 40], outC: 3, pad: 'valid' },
  { xShape: [3, 4, 3, 16], outC: 8, pad: 'same' },
  { xShape: [1, 8, 8, 9], outC: 12, pad: [[0, 0], [3, 1], [0, 2], [0, 0]] },
];

describe('native Winograd convolutions', () => {
  CASES.forEach((c, i) => {
    it(`Conv2D, FusedConv2D (bias, relu) and both gradients match cpu on ${JSON.stringify(c)}`, async () => {
      await withoutMathRandom(async () => {
        const rng = rngFor('native-conv-winograd', i);
        const filterShape: Shape4 = [3, 3, c.xShape[3], c.outC];
        const x = normals(rng, c.xShape.reduce((p, d) => p * d, 1));
        const filter = normals(rng, 9 * c.xShape[3] * c.outC);
        const bias = normals(rng, c.outC);
        const compute = () => {
          const [xt, ft] = [tf.tensor4d(x, c.xShape), tf.tensor4d(filter, filterShape)];
          const y = tf.conv2d(xt, ft, 1, c.pad);
          const r = tf.tensor(normals(rngFor('native-conv-winograd-dy', i), y.size), y.shape);
          const loss = (a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, c.pad), r));
          const fused = tf.fused.conv2d({ x: xt, filter: ft, strides: 1, pad: c.pad, bias: tf.tensor1d(bias), activation: 'relu' });
          return [y, fused, ...tf.grads(loss)([xt, ft])];
        };
        await expectNativeClose(JSON.stringify(c), compute, 1e-5);
      });
    });
  });
});

describe.skipIf(!loaded.ok)('native Winograd convolutions on every path', () => {
  restorePathAfterAll();

  it.each([0, 2, 5])('Conv2D, Conv2DBackpropFilter and Conv2DBackpropInput give the same bits on every path and thread count (case %i)', (i) => {
    const c = CASES[i];
    const [b, h, w, inC] = c.xShape;
    const info = tf.backend_util.computeConv2DInfo(c.xShape, [3, 3, inC, c.outC], 1, 1, c.pad);
    const geometry = Int32Array.of(b, h, w, inC, info.outHeight, info.outWidth, c.outC, 3, 3, 1, 1, 1, 1, info.padInfo.top, info.padInfo.left);
    const rng = rngFor('native-conv-winograd-paths', i);
    const x = normals(rng, b * h * w * inC);
    const filter = normals(rng, 9 * inC * c.outC);
    const dy = normals(rng, b * info.outHeight * info.outWidth * c.outC);
    const results = everywhere(() => {
      const out = new Float32Array(dy.length);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(filter.length);
      addon.conv2d(x, filter, out, geometry, new Float32Array(0), 0, 0, 0);
      addon.conv2dBackpropInput(dy, filter, dx, geometry);
      addon.conv2dBackpropFilter(x, dy, dw, geometry);
      return bits(out, dx, dw);
    });
    expectOneResult(results);
  });
});
