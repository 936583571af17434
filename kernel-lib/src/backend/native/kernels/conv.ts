/** Native kernels: Conv2D, FusedConv2D and both backprops (im2col + GEMM), NHWC only; NCHW and other dtypes run on cpu. */
import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs';
import { ACTIVATIONS } from './matmul';
import { allFloat32, f32, output, size, uninitialized, withFallback, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/conv.cc). */
export interface ConvAddon {
  /**
   * out = activation(conv2d(x, filter) + bias), NHWC, filter [fh, fw, inC, outC]; bias: one value,
   * one per out channel, or none (biasSize 0); activation: an index into ACTIVATIONS.
   */
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, geometry: Int32Array, bias: Float32Array, biasSize: number, activation: number, leakyreluAlpha: number): void;
  /** dw = the filter gradient of conv2d for x and the output gradient dy. */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  /** dx = the input gradient of conv2d for the output gradient dy and the filter. */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: Int32Array): void;
}

type Shape4 = [number, number, number, number];
type Padding = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/**
 * tfjs's own geometry for the convolution (so 'same', explicit pads and dimRoundingMode mean what
 * they mean on cpu), NHWC, or null for what stays on cpu: other layouts, and empty operands (the
 * addon gets no data pointer for an empty array).
 */
function convInfo(dataFormat: string, xShape: number[], filterShape: number[], strides: number | [number, number], dilations: number | [number, number], pad: Padding, rounding: Rounding): backend_util.Conv2DInfo | null {
  if (dataFormat !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4 || xShape[3] !== filterShape[2]) return null;
  if (size(xShape) === 0 || size(filterShape) === 0) return null;
  const info = backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, strides, dilations, pad, rounding, false, 'channelsLast');
  // A negative output size is an error, and the cpu kernel's to report.
  return info.outShape.some((d) => d < 0) ? null : info;
}

/** The geometry argument, in the order native/src/conv.cc reads it. */
function geometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left,
  );
}

const NO_BIAS = new Float32Array(0);

type ConvAttrs = { strides: number | [number, number]; pad: Padding; dataFormat: string; dilations: number | [number, number]; dimRoundingMode?: Rounding };

function conv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as ConvAttrs;
  if (!allFloat32(x, filter)) return null;
  const info = convInfo(dataFormat, x.shape, filter.shape, strides, dilations, pad, dimRoundingMode);
  if (info === null) return null;
  const nb = backend as Backend;
  const out = uninitialized(nb, size(info.outShape));
  nb.addon.conv2d(f32(nb, x), f32(nb, filter), out, geometry(info), NO_BIAS, 0, 0, 0);
  return output(nb, info.outShape, out);
}

/** Conv2D, then the bias (one per out channel, or a scalar) and an activation, in the same pass over each output block. */
function fusedConv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode, activation, leakyreluAlpha } = attrs as unknown as ConvAttrs & {
    activation?: string;
    leakyreluAlpha?: number;
  };
  const code = (ACTIVATIONS as readonly string[]).indexOf(activation ?? 'linear');
  if (code < 0 || preluActivationWeights != null || !allFloat32(x, filter, bias)) return null;
  const info = convInfo(dataFormat, x.shape, filter.shape, strides, dilations, pad, dimRoundingMode);
  if (info === null) return null;
  const biasSize = bias == null ? 0 : size(bias.shape);
  // A bias that broadcasts along the channels only (rank ≤ 4, so the output shape stays); others go to cpu.
  const channelBias = bias != null && bias.shape.length <= 4 && (biasSize === 1 || (biasSize === info.outChannels && bias.shape[bias.shape.length - 1] === biasSize));
  if (bias != null && !channelBias) return null;
  const nb = backend as Backend;
  const out = uninitialized(nb, size(info.outShape));
  nb.addon.conv2d(f32(nb, x), f32(nb, filter), out, geometry(info), bias == null ? NO_BIAS : f32(nb, bias), biasSize, code, leakyreluAlpha ?? 0.2);
  return output(nb, info.outShape, out);
}

type BackpropAttrs = { strides: number | [number, number]; pad: Padding; dataFormat: string; dimRoundingMode?: Rounding };

/** The cpu backprops ignore dilations (tfjs has no dilated conv gradients), and so do these. */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropAttrs & { filterShape: Shape4 };
  if (!allFloat32(x, dy)) return null;
  const info = convInfo(dataFormat, x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  if (info === null || !util.arraysEqual(dy.shape, info.outShape)) return null;
  const nb = backend as Backend;
  const dw = uninitialized(nb, size(info.filterShape));
  nb.addon.conv2dBackpropFilter(f32(nb, x), f32(nb, dy), dw, geometry(info));
  return output(nb, info.filterShape, dw);
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as BackpropAttrs & { inputShape: Shape4 };
  if (!allFloat32(dy, filter)) return null;
  const info = convInfo(dataFormat, inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
  if (info === null || !util.arraysEqual(dy.shape, info.outShape)) return null;
  const nb = backend as Backend;
  const dx = uninitialized(nb, size(info.inShape));
  nb.addon.conv2dBackpropInput(f32(nb, dy), f32(nb, filter), dx, geometry(info));
  return output(nb, info.inShape, dx);
}

export const convKernels: NativeKernel[] = [
  { kernelName: 'Conv2D', kernelFunc: withFallback('Conv2D', conv2D) },
  { kernelName: 'FusedConv2D', kernelFunc: withFallback('FusedConv2D', fusedConv2D) },
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: withFallback('Conv2DBackpropFilter', conv2DBackpropFilter) },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: withFallback('Conv2DBackpropInput', conv2DBackpropInput) },
];
