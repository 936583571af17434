/** What every native kernel needs: float32 views of the cpu backend's storage, outputs, and the cpu kernel to fall back to. */
import { getBackend, getKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon';
import type { BufferPool } from '../buffers';

/** The native backend as kernels see it: the cpu backend's storage plus the addon. */
export type Backend = MathBackendCPU & { addon: NativeAddon; pool: BufferPool };
export type KernelArgs = Parameters<KernelFunc>[0];
export type NativeKernel = { kernelName: string; kernelFunc: KernelFunc };

/** A float32 or int32 tensor's storage: the word-moving kernels take either. */
export type Words = Float32Array | Int32Array;

/**
 * A float32 or int32 tensor's values as the typed array of its dtype, or null (the cpu kernel
 * runs) for other dtypes. The cpu Cast hands a bool or int32 tensor's array on unchanged, so a
 * float32 tensor may sit in a Uint8Array or Int32Array (and an int32 one in a Uint8Array): those
 * are converted, as the cpu kernels read them (JS numbers, rounded to float32 when written).
 */
export function words(backend: Backend, t: TensorInfo): Words | null {
  const values = backend.data.get(t.dataId).values;
  const integers = values instanceof Uint8Array || values instanceof Int32Array;
  if (t.dtype === 'float32') return values instanceof Float32Array ? values : integers ? Float32Array.from(values) : null;
  if (t.dtype === 'int32') return values instanceof Int32Array ? values : values instanceof Uint8Array ? Int32Array.from(values) : null;
  return null;
}

/** A float32 tensor's values as a Float32Array, or null (see words). */
export function floats(backend: Backend, t: TensorInfo): Float32Array | null {
  const values = words(backend, t);
  return values instanceof Float32Array ? values : null;
}

/** An int32 tensor's values as an Int32Array (indices, ids, labels), or null (see words). */
export function ints(backend: Backend, t: TensorInfo): Int32Array | null {
  const values = words(backend, t);
  return values instanceof Int32Array ? values : null;
}

/** floats() for a tensor the kernel has already checked is float32. */
export function f32(backend: Backend, t: TensorInfo): Float32Array {
  const values = floats(backend, t);
  if (values === null) throw new Error(`labbook native backend: expected a float32 tensor, received ${t.dtype}`);
  return values;
}

/**
 * Output storage of n float32 elements with unspecified contents (reused from disposed tensors):
 * for kernels whose addon call writes every element. Kernels that accumulate into their output
 * allocate a zeroed `new Float32Array(n)` instead.
 */
export function uninitialized(backend: Backend, n: number): Float32Array {
  return backend.pool.take(n);
}

export function output(backend: Backend, shape: number[], values: Float32Array): TensorInfo {
  backend.pool.adopt(values);
  return backend.makeTensorInfo(shape, 'float32', values);
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** All inputs are float32 (native kernels compute in float32 only; other dtypes go to the cpu kernel). */
export function allFloat32(...tensors: (TensorInfo | undefined | null)[]): boolean {
  return tensors.every((t) => t == null || t.dtype === 'float32');
}

/**
 * Whether the backend tfjs runs on now registers `kernelName`: labbook's own fused kernels exist
 * on the native backend only, and the code that uses them runs tfjs's composition elsewhere.
 */
export function runningBackendHas(kernelName: string): boolean {
  return getKernel(kernelName, getBackend()) !== undefined;
}

/**
 * A cpu kernel run on the native backend's storage: its inputs' arrays leave the buffer pool for
 * good first, since a cpu kernel may keep a view of an input (a contiguous Slice) or hand the
 * array on as its output (Cast), where a reused buffer would change under it.
 */
export function sharingInputs(kernelFunc: KernelFunc): KernelFunc {
  return (args) => {
    const pool = (args.backend as Partial<Backend>).pool;
    if (pool !== undefined) {
      const data = (args.backend as Backend).data;
      for (const t of Object.values(args.inputs)) if (t != null) pool.escape(data.get(t.dataId)?.values);
    }
    return kernelFunc(args);
  };
}

/** The cpu backend's implementation of `kernelName`, run on the same storage. */
export function cpuKernel(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, 'cpu');
  if (config === undefined) throw new Error(`labbook native backend: tfjs has no cpu kernel ${kernelName} to fall back to`);
  return sharingInputs(config.kernelFunc);
}

/** A kernel that runs natively when `native` returns a result and falls back to the cpu kernel when it returns null. */
export function withFallback(kernelName: string, native: (args: KernelArgs) => TensorInfo | TensorInfo[] | null): KernelFunc {
  let fallback: KernelFunc | null = null;
  return (args) => {
    const result = native(args);
    if (result !== null) return result;
    fallback ??= cpuKernel(kernelName);
    return fallback(args);
  };
}
