/** DepthwiseConv2dNative's two gradient kernels on the wasm backend (tfjs-backend-wasm 4.22 lacks both). */
import {
  backend_util,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { f32, type WasmBackend } from './heap';

type Shape4 = [number, number, number, number];

/**
 * dW[r, c, d, m] = sum over (b, yr, yc) of x[b, xr, xc, d] * dy[b, yr, yc, d * M + m]. Sums run
 * in float64 over (b, yr, yc) in the same order as the cpu backend's kernel, then round once.
 * Dilations are honoured (the cpu kernel ignores them; tfjs's gradient only asks for 1).
 */
function depthwiseBackpropFilter({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const wasm = backend as WasmBackend;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const multiplier = outChannels / inChannels;
  const sum = new Float64Array(filterHeight * filterWidth * outChannels);
  const out = wasm.makeOutput(filterShape, 'float32');
  const xv = f32(wasm, x);
  const dyv = f32(wasm, dy);
  for (let b = 0; b < batchSize; ++b) {
    for (let yr = 0; yr < outHeight; ++yr) {
      for (let yc = 0; yc < outWidth; ++yc) {
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * outChannels;
        for (let r = 0; r < filterHeight; ++r) {
          const xr = yr * strideHeight - top + r * dilationHeight;
          if (xr < 0 || xr >= inHeight) continue;
          for (let c = 0; c < filterWidth; ++c) {
            const xc = yc * strideWidth - left + c * dilationWidth;
            if (xc < 0 || xc >= inWidth) continue;
            const xBase = ((b * inHeight + xr) * inWidth + xc) * inChannels;
            const wBase = (r * filterWidth + c) * outChannels;
            for (let d = 0; d < inChannels; ++d) {
              const xd = xv[xBase + d];
              const k0 = d * multiplier;
              for (let m = 0; m < multiplier; ++m) sum[wBase + k0 + m] += xd * dyv[dyBase + k0 + m];
            }
          }
        }
      }
    }
  }
  f32(wasm, out).set(sum);
  return out;
}

/**
 * dx[b, xr, xc, d] = sum of dy[b, yr, yc, d * M + m] * w[r, c, d, m] over the taps that read
 * (xr, xc): scattered from each output pixel in float64, rounded once at the end.
 */
function depthwiseBackpropInput({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const wasm = backend as WasmBackend;
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const multiplier = outChannels / inChannels;
  const sum = new Float64Array(batchSize * inHeight * inWidth * inChannels);
  const out = wasm.makeOutput(info.inShape, 'float32');
  const dyv = f32(wasm, dy);
  const wv = f32(wasm, filter);
  for (let b = 0; b < batchSize; ++b) {
    for (let yr = 0; yr < outHeight; ++yr) {
      for (let yc = 0; yc < outWidth; ++yc) {
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * outChannels;
        for (let r = 0; r < filterHeight; ++r) {
          const xr = yr * strideHeight - top + r * dilationHeight;
          if (xr < 0 || xr >= inHeight) continue;
          for (let c = 0; c < filterWidth; ++c) {
            const xc = yc * strideWidth - left + c * dilationWidth;
            if (xc < 0 || xc >= inWidth) continue;
            const xBase = ((b * inHeight + xr) * inWidth + xc) * inChannels;
            const wBase = (r * filterWidth + c) * outChannels;
            for (let d = 0; d < inChannels; ++d) {
              const k0 = d * multiplier;
              let acc = 0;
              for (let m = 0; m < multiplier; ++m) acc += dyv[dyBase + k0 + m] * wv[wBase + k0 + m];
              sum[xBase + d] += acc;
            }
          }
        }
      }
    }
  }
  f32(wasm, out).set(sum);
  return out;
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as KernelFunc,
};

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as KernelFunc,
};
