/**
 * The 'native' tfjs backend: the cpu backend's storage and kernels, with the hot kernels replaced
 * by labbook's addon (OpenBLAS GEMM and C++ loops, one thread). Any kernel without a native
 * version -- and any native kernel given a dtype or shape it does not handle -- runs the cpu
 * kernel on the same data, so correctness never depends on coverage.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon';
import { NATIVE_KERNELS } from './kernels';

export const NATIVE_BACKEND = 'native';

export class NativeBackend extends MathBackendCPU {
  constructor(readonly addon: NativeAddon) {
    super();
    // The cpu backend advertises tfjs-node on its first write; labbook chose this backend itself.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}

let registered = false;

/** Registers the backend (once): every cpu kernel under 'native', then the native kernels over them. */
export function registerNativeBackend(addon: NativeAddon): void {
  if (registered) return;
  registered = true;
  for (const config of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND });
  }
  for (const kernel of NATIVE_KERNELS) {
    tf.unregisterKernel(kernel.kernelName, NATIVE_BACKEND);
    tf.registerKernel({ kernelName: kernel.kernelName, backendName: NATIVE_BACKEND, kernelFunc: kernel.kernelFunc });
  }
  // Priority below cpu's: tfjs never picks it by itself; labbook's selection does.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 0);
}

/** The kernels the addon serves on 'native' (everything else is the cpu kernel). */
export function nativeKernelNames(): string[] {
  return NATIVE_KERNELS.map((k) => k.kernelName).sort();
}
