/**
 * The 'native' tfjs backend: the cpu backend's storage and kernels, with the hot kernels replaced
 * by labbook's addon (its own GEMM and C++ loops, on the addon's threads). Any kernel without a native
 * version -- and any native kernel given a dtype or shape it does not handle -- runs the cpu
 * kernel on the same data, so correctness never depends on coverage.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon';
import { BufferPool } from './buffers';
import { NATIVE_KERNELS } from './kernels';
import { reluGradConfig, reluGradGradConfig } from './kernels/activation-grad';
import { sharingInputs } from './kernels/util';

export const NATIVE_BACKEND = 'native';

export type NativeBackend = MathBackendCPU & { addon: NativeAddon; pool: BufferPool };

/**
 * A cpu backend instance made by the factory tfjs itself registered for 'cpu' -- not by importing
 * @tensorflow/tfjs-backend-cpu, whose ESM entry (bundlers, vitest) would bring a second tfjs-core
 * -- carrying the addon for the native kernels.
 */
function createNativeBackend(addon: NativeAddon): NativeBackend {
  const cpuFactory = tf.findBackendFactory('cpu');
  if (cpuFactory === null) throw new Error('labbook native backend: tfjs has no cpu backend to build on');
  const backend = cpuFactory() as NativeBackend;
  backend.addon = addon;
  backend.pool = new BufferPool();
  // Storage comes back to the pool when tfjs disposes the tensor, and leaves it for good once
  // read out (dataSync, data, or a cpu kernel's bufferSync: the reader may keep the array).
  const { readSync, disposeData } = backend;
  backend.readSync = (dataId) => {
    backend.pool.escape(backend.data.get(dataId)?.values);
    return readSync.call(backend, dataId);
  };
  backend.disposeData = (dataId, force) => {
    const values = backend.data.get(dataId)?.values;
    const gone = disposeData.call(backend, dataId, force);
    if (gone && values !== undefined && !backend.data.has(dataId)) backend.pool.release(values);
    return gone;
  };
  // The cpu backend advertises tfjs-node on its first write; labbook chose this backend itself.
  (backend as unknown as { firstUse: boolean }).firstUse = false;
  return backend;
}

/** cpu kernels whose output is their input's tensor data, counted (incRef): no array is shared. */
const SAME_DATA_KERNELS = new Set(['Reshape', 'Identity']);

/**
 * Cast between real dtypes is Identity's incRef (float32 to float32: gradients of Identity,
 * Multiply and RealDiv cast every dy) or a conversion into a new array, so its input stays in
 * the pool; to or from complex64 it builds tensors on the input's very array, which escapes. A
 * transformer step had lost four 512 KB buffers a step to those casts, and a fresh one costs
 * ~0.3 ms of page faults.
 */
function castKeepingPool(cpuCast: KernelFunc): KernelFunc {
  const sharing = sharingInputs(cpuCast);
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    return args.attrs?.dtype === 'complex64' || x.dtype === 'complex64' ? sharing(args) : cpuCast(args);
  };
}

let registered = false;

/** Registers the backend (once): every cpu kernel under 'native', then the native kernels over them. */
export function registerNativeBackend(addon: NativeAddon): void {
  if (registered) return;
  for (const config of tf.getKernelsForBackend('cpu')) {
    const kernelFunc = SAME_DATA_KERNELS.has(config.kernelName)
      ? config.kernelFunc
      : config.kernelName === 'Cast'
        ? castKeepingPool(config.kernelFunc)
        : sharingInputs(config.kernelFunc);
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc });
  }
  for (const kernel of NATIVE_KERNELS) {
    if (tf.getKernel(kernel.kernelName, NATIVE_BACKEND) !== undefined) tf.unregisterKernel(kernel.kernelName, NATIVE_BACKEND);
    tf.registerKernel({ kernelName: kernel.kernelName, backendName: NATIVE_BACKEND, kernelFunc: kernel.kernelFunc });
  }
  // Relu's gradient through LabbookReluGrad where the backend has it (tfjs's formula elsewhere).
  tf.registerGradient(reluGradConfig);
  tf.registerGradient(reluGradGradConfig);
  // Priority below cpu's: tfjs never picks it by itself; labbook's selection does.
  tf.registerBackend(NATIVE_BACKEND, () => createNativeBackend(addon), 0);
  registered = true;
}

/** The kernels the addon serves on 'native' (everything else is the cpu kernel). */
export function nativeKernelNames(): string[] {
  return NATIVE_KERNELS.map((k) => k.kernelName).sort();
}
