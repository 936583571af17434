/** Native kernels: fused optimizer updates (Adam), one kernel per variable instead of a dozen, and the global gradient norm. */
import type { TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, f32, output, size, uninitialized, type Backend, type KernelArgs, type NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/optimizer.cc). */
export interface OptimizerAddon {
  /** One Adam step for a variable: fills outW, outM, outV (distinct from the inputs) from w, m, v and the gradient g. */
  adamUpdate(
    w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
    outW: Float32Array, outM: Float32Array, outV: Float32Array,
    learningRate: number, beta1: number, beta2: number, epsilon: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, oneMinusBeta1: number, oneMinusBeta2: number,
  ): void;
  /** adamUpdate's step written into w, m and v themselves (four distinct arrays of one length). */
  adamUpdateInPlace(
    w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array,
    learningRate: number, beta1: number, beta2: number, epsilon: number,
    oneMinusAccBeta1: number, oneMinusAccBeta2: number, oneMinusBeta1: number, oneMinusBeta2: number,
  ): void;
  /** The sum of x[i]^2, accumulated in double in index order. */
  sumOfSquares(x: Float32Array): number;
}

/**
 * labbook's own kernel (no tfjs equivalent): inputs variable, m, v, gradient and the scalars
 * accBeta1, accBeta2 (beta^t); attrs learningRate, beta1, beta2, epsilon; outputs the new
 * variable, m and v in fresh storage (never in place: a variable's array may be a view shared
 * with another tensor, such as a contiguous slice the cpu backend hands out without copying).
 * Only backends that register it take the fused path (train/optimizers).
 */
export const ADAM_UPDATE_KERNEL = 'LabbookAdamUpdate';

export type AdamUpdateAttrs = { learningRate: number; beta1: number; beta2: number; epsilon: number };

/**
 * The addon's scalars for one step: lr, beta1, beta2, epsilon, 1 - beta1^t, 1 - beta2^t (from the
 * accBeta tensors) and 1 - beta1, 1 - beta2 (in double, as tfjs computes them).
 */
function stepScalars(nb: Backend, accBeta1: TensorInfo, accBeta2: TensorInfo, attrs: AdamUpdateAttrs): [number, number, number, number, number, number, number, number] {
  const { learningRate, beta1, beta2, epsilon } = attrs;
  return [learningRate, beta1, beta2, epsilon, 1 - f32(nb, accBeta1)[0], 1 - f32(nb, accBeta2)[0], 1 - beta1, 1 - beta2];
}

function adamUpdate({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { variable, m, v, gradient, accBeta1, accBeta2 } = inputs as { [name: string]: TensorInfo };
  const nb = backend as Backend;
  if (!allFloat32(variable, m, v, gradient) || size(gradient.shape) !== size(variable.shape)) {
    throw new Error(`${ADAM_UPDATE_KERNEL}: expected float32 variable, moments and gradient of one shape, received ${variable.dtype}[${variable.shape}] and ${gradient.dtype}[${gradient.shape}]`);
  }
  const n = size(variable.shape);
  const [w2, m2, v2] = [uninitialized(nb, n), uninitialized(nb, n), uninitialized(nb, n)];
  nb.addon.adamUpdate(f32(nb, variable), f32(nb, m), f32(nb, v), f32(nb, gradient), w2, m2, v2, ...stepScalars(nb, accBeta1, accBeta2, attrs as unknown as AdamUpdateAttrs));
  return [output(nb, variable.shape, w2), output(nb, variable.shape, m2), output(nb, variable.shape, v2)];
}

/** The tensors of one variable's Adam step (ADAM_UPDATE_KERNEL's inputs). */
export type AdamTensors = { variable: TensorInfo; m: TensorInfo; v: TensorInfo; gradient: TensorInfo; accBeta1: TensorInfo; accBeta2: TensorInfo };

/**
 * ADAM_UPDATE_KERNEL's step written into the variable's and moments' own storage, when no other
 * tensor and nothing outside the native kernels can see it: storage this backend's pool handed
 * out, never read out, backing this one tensor only (a clone or a reshape of the variable shares
 * it and counts). Same bits as the kernel; it saves three output arrays per variable, their
 * assigns and, in a training step, the cache misses of writing fresh storage (the MLP's step
 * spent a sixth of its time in Adam). Returns false, changing nothing, where it cannot: the
 * caller then runs the kernel.
 */
export function adamUpdateInPlace(nb: Backend, t: AdamTensors, attrs: AdamUpdateAttrs): boolean {
  const n = size(t.variable.shape);
  if (!allFloat32(t.variable, t.m, t.v, t.gradient) || size(t.gradient.shape) !== n) return false;
  const own = [t.variable, t.m, t.v].map((x) => {
    const data = nb.data.get(x.dataId);
    return data !== undefined && data.refCount === 1 && data.values instanceof Float32Array && data.values.length === n && nb.pool.exclusive(data.values) ? data.values : null;
  });
  const [w, m, v] = own;
  const g = f32(nb, t.gradient);
  if (w === null || m === null || v === null || g === w || g === m || g === v) return false;
  nb.addon.adamUpdateInPlace(w, m, v, g, ...stepScalars(nb, t.accBeta1, t.accBeta2, attrs));
  return true;
}

/**
 * labbook's own kernel: the global norm sqrt(sum of every element squared) of any number of
 * float32 tensors (inputs named 0, 1, ...), for gradient clipping and logging -- one kernel
 * instead of two per gradient plus an addN. Summed in double, in input order.
 */
export const GLOBAL_NORM_KERNEL = 'LabbookGlobalNorm';

function globalNorm({ inputs, backend }: KernelArgs): TensorInfo {
  const nb = backend as Backend;
  const tensors = Object.values(inputs) as TensorInfo[];
  if (!allFloat32(...tensors)) throw new Error(`${GLOBAL_NORM_KERNEL}: expected float32 tensors, received ${tensors.map((t) => t.dtype).join(', ')}`);
  let sum = 0;
  for (const t of tensors) sum += nb.addon.sumOfSquares(f32(nb, t));
  return output(nb, [], Float32Array.of(Math.sqrt(sum)));
}

export const optimizerKernels: NativeKernel[] = [
  { kernelName: ADAM_UPDATE_KERNEL, kernelFunc: adamUpdate },
  { kernelName: GLOBAL_NORM_KERNEL, kernelFunc: globalNorm },
];
