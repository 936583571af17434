/**
 * Native kernels: layer normalization over the last axis, forward and backward. labbook's own
 * kernels (tfjs has none): models/layers/layer-norm.ts calls them through tf.customGrad on
 * backends that register them, and runs tfjs's composition everywhere else.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, size, uninitialized, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/layer-norm.cc). */
export interface LayerNormAddon {
  /** x, y [rows, width], gamma, beta [width]; fills y, mean [rows] and rstd [rows]. */
  layerNormForward(
    x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array,
    rows: number, width: number, epsilon: number,
  ): void;
  /** Fills dx [rows, width], dgamma and dbeta [width] from the forward pass's mean and rstd. */
  layerNormBackward(
    dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, rows: number, width: number,
  ): void;
}

/** Inputs x [..., width], gamma, beta [width]; attr epsilon; outputs y, mean [rows], rstd [rows]. */
export const LAYER_NORM_KERNEL = 'LabbookLayerNorm';
/** Inputs dy, x, gamma, mean, rstd; outputs dx, dgamma, dbeta. */
export const LAYER_NORM_GRAD_KERNEL = 'LabbookLayerNormGrad';

function dims(kernel: string, x: TensorInfo, gamma: TensorInfo, ...rest: TensorInfo[]): [number, number] {
  if (!allFloat32(x, gamma, ...rest)) throw new Error(`${kernel}: expected float32 tensors, received ${[x, gamma, ...rest].map((t) => t.dtype).join(', ')}`);
  const width = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || gamma.shape.length !== 1 || gamma.shape[0] !== width) {
    throw new Error(`${kernel}: expected gamma [${width}] for x [${x.shape}], received [${gamma.shape}]`);
  }
  return [size(x.shape) / width, width];
}

function layerNorm({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs as { [name: string]: TensorInfo };
  const { epsilon } = attrs as { epsilon: number };
  const [rows, width] = dims(LAYER_NORM_KERNEL, x, gamma, beta);
  const nb = backend as Backend;
  const y = uninitialized(nb, rows * width);
  const mean = uninitialized(nb, rows);
  const rstd = uninitialized(nb, rows);
  nb.addon.layerNormForward(f32(nb, x), f32(nb, gamma), f32(nb, beta), y, mean, rstd, rows, width, epsilon);
  return [output(nb, x.shape, y), output(nb, [rows], mean), output(nb, [rows], rstd)];
}

function layerNormGrad({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { dy, x, gamma, mean, rstd } = inputs as { [name: string]: TensorInfo };
  const [rows, width] = dims(LAYER_NORM_GRAD_KERNEL, x, gamma, dy, mean, rstd);
  const nb = backend as Backend;
  const dx = uninitialized(nb, rows * width);
  const dgamma = uninitialized(nb, width);
  const dbeta = uninitialized(nb, width);
  nb.addon.layerNormBackward(f32(nb, dy), f32(nb, x), f32(nb, gamma), f32(nb, mean), f32(nb, rstd), dx, dgamma, dbeta, rows, width);
  return [output(nb, x.shape, dx), output(nb, [width], dgamma), output(nb, [width], dbeta)];
}

export const layerNormKernels: NativeKernel[] = [
  { kernelName: LAYER_NORM_KERNEL, kernelFunc: layerNorm },
  { kernelName: LAYER_NORM_GRAD_KERNEL, kernelFunc: layerNormGrad },
];
