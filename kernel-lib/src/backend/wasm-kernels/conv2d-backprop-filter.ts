/** Conv2DBackpropFilter on the wasm backend (every conv layer's weight gradient; tfjs-backend-wasm 4.22 lacks it). */
import {
  backend_util,
  getKernel,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { f32, withShape, type WasmBackend } from './heap';

/**
 * Most floats one im2col block may hold (16 MiB). Blocks split the batch; the split depends only
 * on the shapes, so results stay deterministic.
 */
const BLOCK_FLOATS = 1 << 22;

/**
 * dW = P^T · dY, where P^T (rows: filter taps (r, c, inChannel); columns: output pixels) is the
 * im2col matrix of x, and dY is dy as [pixels, outChannels]. The product runs in the wasm
 * backend's own BatchMatMul kernel (~25 GFLOP/s here, about 40x a JS triple loop); only the
 * gather of patches is JS. This orientation uses an NHWC dy as it is (no transpose), which
 * measured twice as fast as P · dY^T; and its rows come out in the filter's [fh, fw, in, out]
 * order, so with one block the product is the answer as is. The product sums in float32 where
 * the cpu kernel sums in float64: results agree to about 1e-7 of their magnitude.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const wasm = backend as WasmBackend;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { batchSize, outHeight, outWidth, outChannels } = info;
  const channelsLast = info.dataFormat === 'channelsLast';
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const pixelsPerImage = outHeight * outWidth;
  if (batchSize * pixelsPerImage === 0 || taps * outChannels === 0) {
    return zeros(wasm, filterShape);
  }
  const imagesPerBlock = Math.max(1, Math.min(batchSize, Math.floor(BLOCK_FLOATS / (pixelsPerImage * (taps + outChannels)))));
  const matMul = getKernel('BatchMatMul', 'wasm').kernelFunc;

  let sum: Float64Array | null = null;
  for (let b0 = 0; b0 < batchSize; b0 += imagesPerBlock) {
    const images = Math.min(imagesPerBlock, batchSize - b0);
    const pixels = images * pixelsPerImage;
    const patches = wasm.makeOutput([1, taps, pixels], 'float32');
    // dy is already [pixels, outChannels] when it is NHWC and the batch fits one block.
    const dyDirect = channelsLast && images === batchSize;
    const dyBlock = dyDirect ? withShape(dy, [1, pixels, outChannels]) : wasm.makeOutput([1, pixels, outChannels], 'float32');
    // Views only now: the allocations above may have grown (and detached) the heap.
    gatherPatches(f32(wasm, x), f32(wasm, patches), info, b0, images);
    if (!dyDirect) copyDyBlock(f32(wasm, dy), f32(wasm, dyBlock), info, b0, images);
    const product = matMul({ inputs: { a: patches, b: dyBlock }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    wasm.disposeData(patches.dataId);
    if (!dyDirect) wasm.disposeData(dyBlock.dataId);
    if (images === batchSize) return withShape(product, filterShape);
    // Several blocks: add their partial products in float64, in block order.
    const part = f32(wasm, product);
    if (sum === null) sum = new Float64Array(part.length);
    for (let i = 0; i < part.length; ++i) sum[i] += part[i];
    wasm.disposeData(product.dataId);
  }
  const out = wasm.makeOutput(filterShape, 'float32');
  f32(wasm, out).set(sum!);
  return out;
}

/**
 * P^T[(r, c, d), n] = x at tap (r, c), channel d, of output pixel n (images b0 on); zero in the
 * padding. Each row is one pass over x, written contiguously.
 */
function gatherPatches(xv: Float32Array, pv: Float32Array, info: backend_util.Conv2DInfo, b0: number, images: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  // x strides of (batch, row, col, channel) in either layout.
  const [sB, sR, sC, sD] = info.dataFormat === 'channelsLast'
    ? [inHeight * inWidth * inChannels, inWidth * inChannels, inChannels, 1]
    : [inChannels * inHeight * inWidth, inWidth, 1, inHeight * inWidth];
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let p = 0;
  for (let r = 0; r < filterHeight; ++r) {
    for (let c = 0; c < filterWidth; ++c) {
      for (let d = 0; d < inChannels; ++d) {
        for (let b = b0; b < b0 + images; ++b) {
          const imageBase = b * sB + d * sD;
          for (let yr = 0; yr < outHeight; ++yr) {
            const xr = yr * strideHeight - top + r;
            if (xr < 0 || xr >= inHeight) {
              pv.fill(0, p, p + outWidth);
              p += outWidth;
              continue;
            }
            const rowBase = imageBase + xr * sR;
            let xc = c - left;
            for (let yc = 0; yc < outWidth; ++yc, xc += strideWidth) {
              pv[p++] = xc >= 0 && xc < inWidth ? xv[rowBase + xc * sC] : 0;
            }
          }
        }
      }
    }
  }
}

/** dy's pixels for images [b0, b0 + images) as a dense [pixels, outChannels] matrix (any layout). */
function copyDyBlock(dv: Float32Array, block: Float32Array, info: backend_util.Conv2DInfo, b0: number, images: number): void {
  const { outHeight, outWidth, outChannels } = info;
  const pixelsPerImage = outHeight * outWidth;
  const [sB, sR, sC, sD] = info.dataFormat === 'channelsLast'
    ? [pixelsPerImage * outChannels, outWidth * outChannels, outChannels, 1]
    : [outChannels * pixelsPerImage, outWidth, 1, pixelsPerImage];
  let p = 0;
  for (let b = b0; b < b0 + images; ++b) {
    for (let yr = 0; yr < outHeight; ++yr) {
      for (let yc = 0; yc < outWidth; ++yc) {
        const base = b * sB + yr * sR + yc * sC;
        for (let o = 0; o < outChannels; ++o) block[p++] = dv[base + o * sD];
      }
    }
  }
}

function zeros(wasm: WasmBackend, shape: number[]): TensorInfo {
  const out = wasm.makeOutput(shape, 'float32');
  f32(wasm, out).fill(0);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as KernelFunc,
};
