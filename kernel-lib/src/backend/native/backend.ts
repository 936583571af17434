/**
 * The 'native' tfjs backend: the cpu backend's storage and kernels, with the hot kernels replaced
 * by labbook's addon (its own GEMM and C++ loops, on the addon's threads). Any kernel without a native
 * version -- and any native kernel given a dtype or shape it does not handle -- runs the cpu
 * kernel on the same data, so correctness never depends on coverage.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon';
import { NATIVE_KERNELS } from './kernels';
import { reluGradConfig, reluGradGradConfig } from './kernels/activation-grad';

export const NATIVE_BACKEND = 'native';

export type NativeBackend = MathBackendCPU & { addon: NativeAddon };

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
  // The cpu backend advertises tfjs-node on its first write; labbook chose this backend itself.
  (backend as unknown as { firstUse: boolean }).firstUse = false;
  return backend;
}

let registered = false;

/** Registers the backend (once): every cpu kernel under 'native', then the native kernels over them. */
export function registerNativeBackend(addon: NativeAddon): void {
  if (registered) return;
  for (const config of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
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
