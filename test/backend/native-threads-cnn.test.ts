/**
 * The CNN's kernels give the same bits on every instruction path and thread count at shapes
 * large enough to be split: conv.cc's implicit-GEMM forward (blocks of rows), input gradient
 * (blocks of images) and gather filter gradient, conv-winograd.cc's filter gradient over several
 * blocks of tiles (transforms split over tiles), max pooling and its gradient, the relu gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, type NativeAddon, type NativeIsa } from '../../kernel-lib/src/backend/native';
import { normals, rngFor } from './helpers';

type Shape4 = [number, number, number, number];

const loaded = loadNativeAddon();
const addon = (loaded.ok ? loaded.addon : null) as NativeAddon;

// conv1 (1 channel: gather filter gradient), conv2 with blocks of tiles and of images, and a
// strided, padded 5x5 (the direct paths with padding).
const CONVS: { xShape: Shape4; outC: number; size: number; stride: number; pad: 'same' | 'valid' }[] = [
  { xShape: [3, 28, 28, 1], outC: 32, size: 3, stride: 1, pad: 'valid' },
  { xShape: [10, 13, 13, 32], outC: 64, size: 3, stride: 1, pad: 'valid' },
  { xShape: [5, 12, 11, 6], outC: 7, size: 5, stride: 2, pad: 'same' },
];

const bits = (arrays: Float32Array[]) => arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')).join();

describe.skipIf(!loaded.ok)('CNN kernels on every path and thread count', () => {
  const initial = loaded.ok ? addon.info() : null;
  afterAll(() => {
    if (initial === null) return;
    addon.setIsa(initial.isa);
    addon.setThreads(initial.threads);
  });
  const isas: NativeIsa[] = ['scalar', 'avx2', ...(loaded.ok && addon.info().avx512 ? (['avx512'] as const) : [])];
  const everyPath = (run: () => Float32Array[]) => {
    const results = new Set<string>();
    for (const isa of isas)
      for (const threads of [1, 2, 4]) {
        expect(addon.setIsa(isa)).toBe(true);
        addon.setThreads(threads);
        results.add(bits(run()));
      }
    return results;
  };

  it.each(CONVS.map((c, i) => [i, c] as const))('Conv2D and both gradients give the same bits (case %i)', (i, c) => {
    const [b, h, w, inC] = c.xShape;
    const fShape: Shape4 = [c.size, c.size, inC, c.outC];
    const info = tf.backend_util.computeConv2DInfo(c.xShape, fShape, c.stride, 1, c.pad);
    const geometry = Int32Array.of(b, h, w, inC, info.outHeight, info.outWidth, c.outC, c.size, c.size, c.stride, c.stride, 1, 1, info.padInfo.top, info.padInfo.left);
    const rng = rngFor('native-threads-cnn-conv', i);
    const x = normals(rng, b * h * w * inC);
    const filter = normals(rng, c.size * c.size * inC * c.outC);
    const bias = normals(rng, c.outC);
    const dy = normals(rng, b * info.outHeight * info.outWidth * c.outC);
    const results = everyPath(() => {
      const out = new Float32Array(dy.length);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(filter.length);
      addon.conv2d(x, filter, out, geometry, bias, c.outC, 1, 0);
      addon.conv2dBackpropInput(dy, filter, dx, geometry);
      addon.conv2dBackpropFilter(x, dy, dw, geometry);
      return [out, dx, dw];
    });
    expect(results.size).toBe(1);
  });

  // The CNN's pools (windows tiling the image, and not: 13 rows leave one out) and a padded one,
  // split over blocks of images: every path and thread count, and image by image (one block
  // each, the reference for the blocks' offsets, which one thread walks just as two do).
  it.each([
    [0, [7, 26, 26, 32], 2, 2, 0],
    [1, [5, 13, 13, 20], 2, 2, 0],
    [2, [6, 9, 10, 11], 3, 3, 1],
  ] as const)('MaxPool and MaxPoolGrad give the same bits (case %i)', (i, shape, size, stride, pad) => {
    const [b, h, w, c] = shape;
    const outH = Math.floor((h + 2 * pad - size) / stride) + 1, outW = Math.floor((w + 2 * pad - size) / stride) + 1;
    const geometry = Int32Array.of(b, h, w, c, outH, outW, size, size, stride, stride, pad, pad);
    const rng = rngFor('native-threads-cnn-pool', i);
    const x = normals(rng, b * h * w * c);
    const dy = normals(rng, b * outH * outW * c);
    const results = everyPath(() => {
      const out = new Float32Array(dy.length);
      const dx = new Float32Array(x.length).fill(NaN);
      addon.maxPool(x, out, geometry);
      addon.maxPoolGrad(dy, x, dx, geometry);
      return [out, dx];
    });
    const [inSize, outSize] = [h * w * c, outH * outW * c];
    const one = Int32Array.from(geometry, (v, k) => (k === 0 ? 1 : v));
    const out = new Float32Array(dy.length);
    const dx = new Float32Array(x.length).fill(NaN);
    for (let image = 0; image < b; ++image) {
      addon.maxPool(x.subarray(image * inSize, (image + 1) * inSize), out.subarray(image * outSize, (image + 1) * outSize), one);
      addon.maxPoolGrad(dy.subarray(image * outSize, (image + 1) * outSize), x.subarray(image * inSize, (image + 1) * inSize), dx.subarray(image * inSize, (image + 1) * inSize), one);
    }
    results.add(bits([out, dx]));
    expect(results.size).toBe(1);
  });

  it('the relu gradient gives the same bits over several slices', () => {
    const rng = rngFor('native-threads-cnn-relu', 0);
    const n = 3 * 65536 + 17;
    const dy = normals(rng, n);
    const x = normals(rng, n);
    x[5] = NaN;
    x[n - 1] = -0;
    expect(everyPath(() => {
      const out = new Float32Array(n);
      addon.reluGrad(dy, x, out, n);
      return [out];
    }).size).toBe(1);
  });
});
