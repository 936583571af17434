import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernel-lib/src/backend';
import { between, normals, on, pick, relativeError, rngFor, withoutMathRandom } from './helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

const TOLERANCE = 1e-5;
const CASES = 40;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

/** A random padding in the kernel's attr form, explicit ones laid out for `dataFormat`. */
function randomPad(rng: ReturnType<typeof rngFor>, dataFormat: 'NHWC' | 'NCHW'): Pad {
  const kind = pick(rng, ['same', 'valid', 'explicit', 'number'] as const);
  if (kind === 'same' || kind === 'valid') return kind;
  if (kind === 'number') return between(rng, 0, 2);
  const h: [number, number] = [between(rng, 0, 2), between(rng, 0, 2)];
  const w: [number, number] = [between(rng, 0, 2), between(rng, 0, 2)];
  return dataFormat === 'NHWC' ? [[0, 0], h, w, [0, 0]] : [[0, 0], [0, 0], h, w];
}

function describeCase(attrs: object, shapes: object): string {
  return JSON.stringify({ ...shapes, ...attrs });
}

describe('Conv2DBackpropFilter on wasm', () => {
  it(`matches the cpu kernel on ${CASES} random shapes, strides, paddings and layouts`, async () => {
    await withoutMathRandom(async () => {
      for (let i = 0; i < CASES; ++i) {
        const rng = rngFor('conv2d-filter', i);
        const dataFormat = i % 5 === 4 ? 'NCHW' : 'NHWC';
        const [b, h, w] = [between(rng, 1, 3), between(rng, 4, 11), between(rng, 4, 11)];
        const [inC, outC] = [between(rng, 1, 5), between(rng, 1, 6)];
        const filterShape: Shape4 = [between(rng, 1, Math.min(4, h)), between(rng, 1, Math.min(4, w)), inC, outC];
        const strides: [number, number] = [pick(rng, [1, 2]), pick(rng, [1, 2])];
        const pad = randomPad(rng, dataFormat);
        const xShape: Shape4 = dataFormat === 'NHWC' ? [b, h, w, inC] : [b, inC, h, w];
        const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, 'floor', false,
          dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst');
        if (info.outHeight <= 0 || info.outWidth <= 0) continue;
        const x = normals(rng, xShape.reduce((p, d) => p * d));
        const dy = normals(rng, info.outShape.reduce((p, d) => p * d));
        const attrs = { strides, pad, dataFormat, dimRoundingMode: 'floor', filterShape };
        const run = () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: tf.tensor(dy, info.outShape) }, attrs) as tf.Tensor;
        const expected = await on('cpu', run);
        const actual = await on('wasm', run);
        const label = describeCase(attrs, { xShape });
        expect(actual.shape, label).toEqual(filterShape);
        expect(relativeError(actual.values, expected.values), label).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });

  it('splits a batch too large for one im2col block and still matches cpu', async () => {
    // Each image makes 86x86 pixels x (3x3x32 taps + 1 output) = 2.14M floats, more than half
    // the 4M-float block, so each of the three images takes a block of its own.
    const rng = rngFor('conv2d-filter', 'blocks');
    const xShape: Shape4 = [3, 88, 88, 32];
    const dyShape: Shape4 = [3, 86, 86, 1];
    const filterShape: Shape4 = [3, 3, 32, 1];
    const x = normals(rng, xShape.reduce((p, d) => p * d));
    const dy = normals(rng, dyShape.reduce((p, d) => p * d));
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape };
    const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: tf.tensor(dy, dyShape) }, attrs) as tf.Tensor;
    const expected = await on('cpu', run);
    const actual = await on('wasm', run);
    expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(TOLERANCE);
  });
});

/** A depthwise case: shapes, strides, padding and dilation (dilation only with stride 1, as tfjs requires). */
function depthwiseCase(i: number, kernel: string) {
  const rng = rngFor(kernel, i);
  const [b, h, w, inC, mult] = [between(rng, 1, 3), between(rng, 5, 11), between(rng, 5, 11), between(rng, 1, 4), between(rng, 1, 3)];
  const dilated = i % 3 === 2;
  const dilations: [number, number] = dilated ? [pick(rng, [1, 2]), pick(rng, [2, 3])] : [1, 1];
  const strides: [number, number] = dilated ? [1, 1] : [pick(rng, [1, 2]), pick(rng, [1, 2])];
  const filterShape: Shape4 = [between(rng, 1, 3), between(rng, 1, 3), inC, mult];
  const pad = randomPad(rng, 'NHWC');
  const xShape: Shape4 = [b, h, w, inC];
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, 'floor', true);
  return { rng, xShape, filterShape, strides, dilations, pad, info };
}

/**
 * The cpu kernels ignore dilations, so a dilated case is checked against the undilated kernel on
 * the equivalent filter: the dilated one with zeros between its taps.
 */
function spread(filterShape: Shape4, [dh, dw]: [number, number]): Shape4 {
  return [(filterShape[0] - 1) * dh + 1, (filterShape[1] - 1) * dw + 1, filterShape[2], filterShape[3]];
}

describe('DepthwiseConv2dNativeBackpropFilter on wasm', () => {
  it(`matches the cpu kernel on ${CASES} random shapes, strides, paddings and dilations`, async () => {
    await withoutMathRandom(async () => {
      for (let i = 0; i < CASES; ++i) {
        const { rng, xShape, filterShape, strides, dilations, pad, info } = depthwiseCase(i, 'depthwise-filter');
        if (info.outHeight <= 0 || info.outWidth <= 0) continue;
        const x = normals(rng, xShape.reduce((p, d) => p * d));
        const dy = normals(rng, info.outShape.reduce((p, d) => p * d));
        const attrs = { strides, dilations, pad, dimRoundingMode: 'floor', filterShape };
        const inputs = () => ({ x: tf.tensor(x, xShape), dy: tf.tensor(dy, info.outShape) });
        const actual = await on('wasm', () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', inputs(), attrs) as tf.Tensor);
        const wide = spread(filterShape, dilations);
        const expected = await on('cpu', () => {
          const full = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', inputs(),
            { ...attrs, dilations: [1, 1], filterShape: wide }) as tf.Tensor;
          // Keep the taps the dilated filter really has.
          return tf.stridedSlice(full, [0, 0, 0, 0], wide, [dilations[0], dilations[1], 1, 1]);
        });
        const label = describeCase(attrs, { xShape });
        expect(actual.shape, label).toEqual(filterShape);
        expect(relativeError(actual.values, expected.values), label).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });
});

describe('DepthwiseConv2dNativeBackpropInput on wasm', () => {
  it(`matches the cpu kernel on ${CASES} random shapes, strides, paddings and dilations`, async () => {
    await withoutMathRandom(async () => {
      for (let i = 0; i < CASES; ++i) {
        const { rng, xShape, filterShape, strides, dilations, pad, info } = depthwiseCase(i, 'depthwise-input');
        if (info.outHeight <= 0 || info.outWidth <= 0) continue;
        const filter = normals(rng, filterShape.reduce((p, d) => p * d));
        const dy = normals(rng, info.outShape.reduce((p, d) => p * d));
        const attrs = { strides, dilations, pad, dimRoundingMode: 'floor', inputShape: xShape };
        const actual = await on('wasm', () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dy, info.outShape), filter: tf.tensor(filter, filterShape) }, attrs) as tf.Tensor);
        const wide = spread(filterShape, dilations);
        const expected = await on('cpu', () => {
          // The dilated filter written out with zeros between its taps.
          const taps = tf.buffer(wide, 'float32');
          for (let r = 0; r < filterShape[0]; ++r)
            for (let c = 0; c < filterShape[1]; ++c)
              for (let d = 0; d < filterShape[2]; ++d)
                for (let m = 0; m < filterShape[3]; ++m) {
                  const k = ((r * filterShape[1] + c) * filterShape[2] + d) * filterShape[3] + m;
                  taps.set(filter[k], r * dilations[0], c * dilations[1], d, m);
                }
          return tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dy, info.outShape), filter: taps.toTensor() },
            { ...attrs, dilations: [1, 1] }) as tf.Tensor;
        });
        const label = describeCase(attrs, { filterShape });
        expect(actual.shape, label).toEqual(xShape);
        expect(relativeError(actual.values, expected.values), label).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });
});
