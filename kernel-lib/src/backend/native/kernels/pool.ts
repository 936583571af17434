/** Native kernels: MaxPool/AvgPool and their gradients, NHWC float32 (other dtypes run on cpu), bit for bit the cpu kernels' results. */
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs';
import { f32, output, size, uninitialized, withFallback, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/pool.cc). */
export interface PoolAddon {
  /** out = the largest value of each window, per channel (NaN ignored; -Infinity for none). */
  maxPool(x: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** out = the mean of each window's in-image values, per channel. */
  avgPool(x: Float32Array, out: Float32Array, geometry: Int32Array): void;
  /** dx = dy routed to the first maximum of each window of x. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  /** dx = the sum of dy over the windows holding each input, divided by the full window size. */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
}

type Shape4 = [number, number, number, number];
type PoolAttrs = {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * tfjs's own pooling geometry (dilation 1, as the cpu kernels use), or null for what stays on cpu:
 * other dtypes, and empty inputs (the addon gets no data pointer for an empty array).
 */
function poolInfo(x: TensorInfo, attrs: PoolAttrs, rounding: PoolAttrs['dimRoundingMode']): backend_util.Conv2DInfo | null {
  if (x.dtype !== 'float32' || x.shape.length !== 4 || size(x.shape) === 0) return null;
  const info = backend_util.computePool2DInfo(x.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, rounding);
  // A negative output size is an error, and the cpu kernel's to report.
  return info.outShape.some((d) => d < 0) ? null : info;
}

/** The geometry argument, in the order native/src/pool.cc reads it. */
function geometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
}

function forward(kind: 'maxPool' | 'avgPool') {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const { x } = inputs as { x: TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const info = poolInfo(x, a, a.dimRoundingMode);
    // A 1x1 window keeping the shape is the identity on cpu, even where a numeric pad made tfjs
    // size the width with the height's stride (so a wider stride would leave -Infinity gaps).
    if (info === null || (info.filterHeight === 1 && info.filterWidth === 1 && util.arraysEqual(info.inShape, info.outShape))) return null;
    const nb = backend as Backend;
    const out = uninitialized(nb, size(info.outShape));
    nb.addon[kind](f32(nb, x), out, geometry(info));
    return output(nb, info.outShape, out);
  };
}

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as PoolAttrs;
  const info = poolInfo(input, a, a.dimRoundingMode);
  if (info === null || dy.dtype !== 'float32' || !util.arraysEqual(dy.shape, info.outShape)) return null;
  const nb = backend as Backend;
  const dx = uninitialized(nb, size(input.shape));
  nb.addon.maxPoolGrad(f32(nb, dy), f32(nb, input), dx, geometry(info));
  return output(nb, input.shape, dx);
}

/** Geometry without dimRoundingMode, as on cpu (AvgPoolGrad has no such attr); a dy of another shape goes to cpu. */
function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const info = poolInfo(input, attrs as unknown as PoolAttrs, undefined);
  if (info === null || dy.dtype !== 'float32' || !util.arraysEqual(dy.shape, info.outShape)) return null;
  const nb = backend as Backend;
  const dx = uninitialized(nb, size(input.shape));
  nb.addon.avgPoolGrad(f32(nb, dy), dx, geometry(info));
  return output(nb, input.shape, dx);
}

export const poolKernels: NativeKernel[] = [
  { kernelName: 'MaxPool', kernelFunc: withFallback('MaxPool', forward('maxPool')) },
  { kernelName: 'AvgPool', kernelFunc: withFallback('AvgPool', forward('avgPool')) },
  { kernelName: 'MaxPoolGrad', kernelFunc: withFallback('MaxPoolGrad', maxPoolGrad) },
  { kernelName: 'AvgPoolGrad', kernelFunc: withFallback('AvgPoolGrad', avgPoolGrad) },
];
