/** What every native kernel needs: float32 views of the cpu backend's storage, outputs, and the cpu kernel to fall back to. */
import { getKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../addon';

/** The native backend as kernels see it: the cpu backend's storage plus the addon. */
export type Backend = MathBackendCPU & { addon: NativeAddon };
export type KernelArgs = Parameters<KernelFunc>[0];
export type NativeKernel = { kernelName: string; kernelFunc: KernelFunc };

/**
 * The float32 values behind a float32 tensor. The cpu backend keeps every tensor as one typed
 * array, but its Cast reuses the input's array (an Int32Array or Uint8Array behind a float32
 * tensor after cast(int32 or bool -> float32)): those are converted, never handed to the addon.
 */
export function f32(backend: Backend, t: TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

export function i32(backend: Backend, t: TensorInfo): Int32Array {
  return backend.data.get(t.dataId).values as Int32Array;
}

export function output(backend: Backend, shape: number[], values: Float32Array): TensorInfo {
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

/** The cpu backend's implementation of `kernelName`, run on the same storage. */
export function cpuKernel(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, 'cpu');
  if (config === undefined) throw new Error(`labbook native backend: tfjs has no cpu kernel ${kernelName} to fall back to`);
  return config.kernelFunc;
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
