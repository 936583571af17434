import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { between, normals, on, onAll, pick, relativeError, rngFor, withoutMathRandom, type Result } from './helpers';

type Rng = ReturnType<typeof rngFor>;
type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const TOLERANCE = 1e-5;
const CASES = 36;
const CONV_KERNELS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'];
const POOL_KERNELS = ['MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad'];

beforeAll(async () => {
  await initBackend({ prefer: 'native' });
});

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

async function onBoth(compute: () => tf.Tensor[]): Promise<{ native: Result; cpu: Result }[]> {
  const native = await onAll('native', compute);
  const cpu = await onAll('cpu', compute);
  return native.map((n, k) => ({ native: n, cpu: cpu[k] }));
}

/** Native within TOLERANCE of cpu, same shapes. */
async function expectClose(label: string, compute: () => tf.Tensor[]): Promise<void> {
  for (const { native, cpu } of await onBoth(compute)) {
    expect(native.shape, label).toEqual(cpu.shape);
    expect(relativeError(native.values, cpu.values), label).toBeLessThanOrEqual(TOLERANCE);
  }
}

/** Native equal to cpu bit for bit (the pooling kernels sum in the cpu kernels' order and precision). */
async function expectSameBits(label: string, compute: () => tf.Tensor[]): Promise<void> {
  for (const { native, cpu } of await onBoth(compute)) {
    expect(native.shape, label).toEqual(cpu.shape);
    expect(Array.from(new Uint32Array(native.values.buffer)), label).toEqual(Array.from(new Uint32Array(cpu.values.buffer)));
  }
}

/** A padding in any attr form tfjs takes; numeric and explicit ones sometimes with a rounding mode. */
function randomPad(rng: Rng, dataFormat: 'NHWC' | 'NCHW'): { pad: Pad; rounding: Rounding } {
  const kind = pick(rng, ['same', 'valid', 'explicit', 'number'] as const);
  if (kind === 'same' || kind === 'valid') return { pad: kind, rounding: undefined };
  const rounding = pick(rng, [undefined, 'floor', 'round', 'ceil'] as const);
  if (kind === 'number') return { pad: between(rng, 0, 2), rounding };
  const h: [number, number] = [between(rng, 0, 2), between(rng, 0, 2)];
  const w: [number, number] = [between(rng, 0, 2), between(rng, 0, 2)];
  return { pad: dataFormat === 'NHWC' ? [[0, 0], h, w, [0, 0]] : [[0, 0], [0, 0], h, w], rounding };
}

/**
 * A random convolution: batch 1..3, 1..6 channels in and out, filters up to 4x4, strides or
 * dilations up to 3 (tfjs takes one or the other); every seventh 1x1 stride-1 unpadded (the
 * addon's no-im2col path), every fifth NCHW where asked (it stays on cpu). Null when the output is empty.
 */
function convCase(kernel: string, i: number, opts: { dilated: boolean; rounding: boolean; nchw: boolean }) {
  const rng = rngFor('native-conv', kernel, i);
  const dataFormat: 'NHWC' | 'NCHW' = opts.nchw && i % 5 === 4 ? 'NCHW' : 'NHWC';
  const pointwise = i % 7 === 0;
  const [b, h, w] = [between(rng, 1, 3), between(rng, 1, 11), between(rng, 1, 11)];
  const [inC, outC] = [between(rng, 1, 6), between(rng, 1, 6)];
  const filterShape: Shape4 = pointwise ? [1, 1, inC, outC] : [between(rng, 1, 4), between(rng, 1, 4), inC, outC];
  const dilate = opts.dilated && !pointwise && rng.int(2) === 1;
  const dilations: [number, number] = dilate ? [between(rng, 1, 3), between(rng, 1, 3)] : [1, 1];
  const strides: [number, number] = dilate || pointwise ? [1, 1] : [between(rng, 1, 3), between(rng, 1, 3)];
  const padding = pointwise ? { pad: 'valid' as Pad, rounding: undefined } : randomPad(rng, dataFormat);
  const rounding = opts.rounding ? padding.rounding : undefined;
  const xShape: Shape4 = dataFormat === 'NHWC' ? [b, h, w, inC] : [b, inC, h, w];
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, padding.pad, rounding, false,
    dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst');
  if (info.outHeight <= 0 || info.outWidth <= 0) return null;
  const label = JSON.stringify({ xShape, filterShape, strides, dilations, pad: padding.pad, rounding, dataFormat });
  return { rng, xShape, filterShape, strides, dilations, pad: padding.pad, rounding, dataFormat, info, label };
}

describe('native conv kernels', () => {
  it('are the ones registered on native, not the cpu kernels', () => {
    for (const name of [...CONV_KERNELS, ...POOL_KERNELS]) {
      const native = tf.getKernel(name, 'native');
      expect(native, name).toBeDefined();
      expect(native!.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')!.kernelFunc);
    }
  });

  it(`Conv2D matches cpu on ${CASES} random shapes, strides, dilations, paddings and rounding modes`, async () => {
    await withoutMathRandom(async () => {
      let tested = 0;
      for (let i = 0; i < CASES; ++i) {
        const c = convCase('Conv2D', i, { dilated: true, rounding: true, nchw: true });
        if (c === null) continue;
        const x = normals(c.rng, count(c.xShape));
        const filter = normals(c.rng, count(c.filterShape));
        await expectClose(c.label, () => [
          tf.conv2d(tf.tensor4d(x, c.xShape), tf.tensor4d(filter, c.filterShape), c.strides, c.pad, c.dataFormat, c.dilations, c.rounding),
        ]);
        ++tested;
      }
      expect(tested).toBeGreaterThanOrEqual(30);
    });
  });

  it(`Conv2D gradients (input and filter) match cpu on ${CASES} random cases`, async () => {
    await withoutMathRandom(async () => {
      let tested = 0;
      for (let i = 0; i < CASES; ++i) {
        // tfjs has no gradients for dilated convolutions, and drops dimRoundingMode in them.
        const c = convCase('Conv2D-grad', i, { dilated: false, rounding: false, nchw: true });
        if (c === null) continue;
        const x = normals(c.rng, count(c.xShape));
        const filter = normals(c.rng, count(c.filterShape));
        const r = normals(c.rng, count(c.info.outShape));
        const loss = (xt: tf.Tensor4D, ft: tf.Tensor4D) =>
          tf.sum(tf.mul(tf.conv2d(xt, ft, c.strides, c.pad, c.dataFormat), tf.tensor(r, c.info.outShape)));
        await expectClose(c.label, () => tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(x, c.xShape), tf.tensor4d(filter, c.filterShape)]));
        ++tested;
      }
      expect(tested).toBeGreaterThanOrEqual(30);
    });
  });

  it('Conv2D forward and both gradients match cpu on 24 wide-channel cases (the implicit GEMM on whole and partial column panels)', async () => {
    await withoutMathRandom(async () => {
      for (let i = 0; i < 24; ++i) {
        const rng = rngFor('native-conv-wide', i);
        const xShape: Shape4 = [between(rng, 1, 2), between(rng, 3, 12), between(rng, 3, 12), pick(rng, [1, 3, 7, 16, 32])];
        // 17 and 80: panels of 16/32 columns with a partial one at the edge.
        const filterShape: Shape4 = [between(rng, 1, 3), between(rng, 1, 3), xShape[3], pick(rng, [16, 32, 64, 80, 128, 17])];
        const strides = pick(rng, [1, 1, 2]);
        const pad = pick(rng, ['same', 'valid'] as const);
        const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
        if (info.outHeight <= 0 || info.outWidth <= 0) continue;
        const x = normals(rng, count(xShape));
        const filter = normals(rng, count(filterShape));
        const r = normals(rng, count(info.outShape));
        const loss = (xt: tf.Tensor4D, ft: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(xt, ft, strides, pad), tf.tensor(r, info.outShape)));
        const label = JSON.stringify({ xShape, filterShape, strides, pad });
        await expectClose(label, () => [
          tf.conv2d(tf.tensor4d(x, xShape), tf.tensor4d(filter, filterShape), strides, pad),
          ...tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(x, xShape), tf.tensor4d(filter, filterShape)]),
        ]);
      }
    });
  });

  it(`Conv2DBackpropInput and Conv2DBackpropFilter match cpu on ${CASES} direct calls with rounding modes`, async () => {
    await withoutMathRandom(async () => {
      let tested = 0;
      for (let i = 0; i < CASES; ++i) {
        const c = convCase('Conv2D-backprop', i, { dilated: false, rounding: true, nchw: true });
        if (c === null) continue;
        const x = normals(c.rng, count(c.xShape));
        const filter = normals(c.rng, count(c.filterShape));
        const dy = normals(c.rng, count(c.info.outShape));
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat, dimRoundingMode: c.rounding };
        const run = (name: string, inputs: tf.NamedTensorMap, extra: object) =>
          tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
        await expectClose(c.label, () => [
          run('Conv2DBackpropInput', { dy: tf.tensor(dy, c.info.outShape), filter: tf.tensor(filter, c.filterShape) }, { inputShape: c.xShape }),
          run('Conv2DBackpropFilter', { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, c.info.outShape) }, { filterShape: c.filterShape }),
        ]);
        ++tested;
      }
      expect(tested).toBeGreaterThanOrEqual(30);
    });
  });

  it(`FusedConv2D (bias, activations) and its gradients (bias, relu or linear) match cpu on ${CASES} random cases`, async () => {
    await withoutMathRandom(async () => {
      let tested = 0;
      for (let i = 0; i < CASES; ++i) {
        // tfjs fuses NHWC only, and has no dilated fused gradients.
        const c = convCase('FusedConv2D', i, { dilated: false, rounding: false, nchw: false });
        if (c === null) continue;
        const outC = c.filterShape[3];
        const x = normals(c.rng, count(c.xShape));
        const filter = normals(c.rng, count(c.filterShape));
        const biasShape = pick(c.rng, [[outC], [1], [1, 1, 1, outC]]);
        const bias = normals(c.rng, count(biasShape));
        const r = normals(c.rng, count(c.info.outShape));
        const activation = pick(c.rng, ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const);
        const conv = (xt: tf.Tensor4D, ft: tf.Tensor4D, bt: tf.Tensor, act: typeof activation) =>
          tf.fused.conv2d({ x: xt, filter: ft, strides: c.strides, pad: c.pad, dataFormat: c.dataFormat, bias: bt, activation: act, leakyreluAlpha: 0.3 });
        const inputs = () => [tf.tensor4d(x, c.xShape), tf.tensor4d(filter, c.filterShape), tf.tensor(bias, biasShape)] as const;
        const label = `${c.label} ${activation} bias ${JSON.stringify(biasShape)}`;
        await expectClose(label, () => [conv(...inputs(), activation)]);
        // Under tf.grads tfjs runs FusedConv2D itself only for 'linear' (relu it splits into conv, add, relu).
        const gradActivation = i % 2 === 0 ? 'relu' : 'linear';
        const loss = (xt: tf.Tensor4D, ft: tf.Tensor4D, bt: tf.Tensor) => tf.sum(tf.mul(conv(xt, ft, bt, gradActivation), tf.tensor(r, c.info.outShape)));
        await expectClose(`${label} grads with ${gradActivation}`, () => tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([...inputs()]));
        ++tested;
      }
      expect(tested).toBeGreaterThanOrEqual(30);
    });
  });

  it('splits a patch matrix over 16M floats into blocks and still matches cpu', async () => {
    // 2 x 154 x 154 pixels x (7 x 7 x 8) taps = 18.6M floats: two blocks.
    const rng = rngFor('native-conv', 'blocks');
    const xShape: Shape4 = [2, 160, 160, 8];
    const filterShape: Shape4 = [7, 7, 8, 1];
    const outShape: Shape4 = [2, 154, 154, 1];
    const x = normals(rng, count(xShape));
    const filter = normals(rng, count(filterShape));
    const r = normals(rng, count(outShape));
    const loss = (xt: tf.Tensor4D, ft: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(xt, ft, 1, 'valid'), tf.tensor(r, outShape)));
    await expectClose('blocks', () => [
      tf.conv2d(tf.tensor4d(x, xShape), tf.tensor4d(filter, filterShape), 1, 'valid'),
      ...tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(x, xShape), tf.tensor4d(filter, filterShape)]),
    ]);
  });

  it('gives the same bits twice for a conv forward and backward', async () => {
    // The CNN's shapes (conv32 3x3 on 28x28x1, pool, conv64 3x3, pool), batch 8.
    const rng = rngFor('native-conv', 'determinism');
    const x = normals(rng, 8 * 28 * 28);
    const w1 = normals(rng, 3 * 3 * 1 * 32).map((v) => v * 0.3);
    const w2 = normals(rng, 3 * 3 * 32 * 64).map((v) => v * 0.06);
    const b1 = normals(rng, 32);
    const run = () =>
      on('native', () => {
        const [xt, w1t, w2t, b1t] = [tf.tensor4d(x, [8, 28, 28, 1]), tf.tensor4d(w1, [3, 3, 1, 32]), tf.tensor4d(w2, [3, 3, 32, 64]), tf.tensor1d(b1)];
        const net = (a: tf.Tensor4D, k1: tf.Tensor4D, k2: tf.Tensor4D, bias: tf.Tensor1D) => {
          const h = tf.maxPool(tf.fused.conv2d({ x: a, filter: k1, strides: 1, pad: 'valid', bias, activation: 'relu' }), 2, 2, 'valid');
          return tf.sum(tf.square(tf.maxPool(tf.relu(tf.conv2d(h, k2, 1, 'valid')), 2, 2, 'valid')));
        };
        const { value, grads } = tf.valueAndGrads(net as (...t: tf.Tensor[]) => tf.Tensor)([xt, w1t, w2t, b1t]);
        return tf.concat([value.reshape([1]), ...grads.map((g) => g.flatten())]);
      });
    const first = await run();
    const second = await run();
    expect(Array.from(new Uint32Array(second.values.buffer))).toEqual(Array.from(new Uint32Array(first.values.buffer)));
  });
});

/**
 * A random pooling: batch 1..3, 1..6 channels, windows up to 4x4 and strides up to 3 (so they
 * overlap, tile, or skip), every padding form. Values sometimes rounded to halves, so windows
 * hold ties and the position rule matters; sometimes with -Infinity and NaN.
 */
function poolCase(kernel: string, i: number, rounding: boolean) {
  const rng = rngFor('native-pool', kernel, i);
  const [b, h, w, ch] = [between(rng, 1, 3), between(rng, 1, 11), between(rng, 1, 11), between(rng, 1, 6)];
  const filterSize: [number, number] = [between(rng, 1, 4), between(rng, 1, 4)];
  const strides: [number, number] = [between(rng, 1, 3), between(rng, 1, 3)];
  const padding = randomPad(rng, 'NHWC');
  const dimRoundingMode = rounding ? padding.rounding : undefined;
  const xShape: Shape4 = [b, h, w, ch];
  const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, padding.pad, dimRoundingMode);
  if (info.outHeight <= 0 || info.outWidth <= 0) return null;
  const x = normals(rng, count(xShape));
  const style = i % 3;
  if (style > 0) x.forEach((v, k) => (x[k] = Math.round(v * 2) / 2));
  const r = normals(rng, count(info.outShape));
  const label = JSON.stringify({ xShape, filterSize, strides, pad: padding.pad, dimRoundingMode, style });
  return { x, xShape, filterSize, strides, pad: padding.pad, dimRoundingMode, info, r, label, special: style === 2 };
}

describe('native pooling kernels', () => {
  for (const kind of ['max', 'avg'] as const) {
    it(`${kind}Pool forward matches cpu bit for bit on ${CASES} random cases`, async () => {
      await withoutMathRandom(async () => {
        let tested = 0;
        for (let i = 0; i < CASES; ++i) {
          const c = poolCase(`${kind}Pool`, i, true);
          if (c === null) continue;
          if (c.special && kind === 'max') {
            // NaN never wins on cpu, and a window of -Infinity and NaN alone gives -Infinity.
            for (let k = 0; k < c.x.length; k += 3) c.x[k] = k % 2 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
          }
          const pool = kind === 'max' ? tf.maxPool : tf.avgPool;
          await expectSameBits(c.label, () => [pool(tf.tensor4d(c.x, c.xShape), c.filterSize, c.strides, c.pad, c.dimRoundingMode)]);
          ++tested;
        }
        expect(tested).toBeGreaterThanOrEqual(30);
      });
    });

    it(`${kind}Pool gradient matches cpu bit for bit on ${CASES} random cases (ties included)`, async () => {
      await withoutMathRandom(async () => {
        let tested = 0;
        for (let i = 0; i < CASES; ++i) {
          // AvgPoolGrad has no dimRoundingMode; tfjs drops it in both gradients.
          const c = poolCase(`${kind}Pool-grad`, i, false);
          if (c === null) continue;
          if (c.special && kind === 'max') for (let k = 0; k < c.x.length; k += 4) c.x[k] = Number.NEGATIVE_INFINITY;
          const pool = kind === 'max' ? tf.maxPool : tf.avgPool;
          const loss = (xt: tf.Tensor) => tf.sum(tf.mul(pool(xt as tf.Tensor4D, c.filterSize, c.strides, c.pad), tf.tensor(c.r, c.info.outShape)));
          await expectSameBits(c.label, () => [tf.grad(loss)(tf.tensor4d(c.x, c.xShape))]);
          ++tested;
        }
        expect(tested).toBeGreaterThanOrEqual(30);
      });
    });
  }

  it('MaxPoolGrad and AvgPoolGrad match cpu bit for bit on direct calls, ties and rounding modes included', async () => {
    await withoutMathRandom(async () => {
      let tested = 0;
      for (let i = 0; i < CASES; ++i) {
        const c = poolCase('pool-grad-direct', i, true);
        if (c === null) continue;
        const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode } as unknown as tf.NamedAttrMap;
        await expectSameBits(c.label, () => {
          const input = tf.tensor4d(c.x, c.xShape);
          const dy = tf.tensor(c.r, c.info.outShape);
          const out = tf.maxPool(input, c.filterSize, c.strides, c.pad, c.dimRoundingMode);
          const results = [tf.engine().runKernel('MaxPoolGrad', { dy, input, output: out }, attrs) as tf.Tensor];
          // AvgPoolGrad's geometry ignores dimRoundingMode; where that changes dy's shape, cpu decides.
          if (c.dimRoundingMode === undefined) results.push(tf.engine().runKernel('AvgPoolGrad', { dy, input }, attrs) as tf.Tensor);
          return results;
        });
        ++tested;
      }
      expect(tested).toBeGreaterThanOrEqual(30);
    });
  });
});
