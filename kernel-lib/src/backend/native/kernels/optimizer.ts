/** Native kernels: fused optimizer updates. */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/optimizer.cc). */
export interface OptimizerAddon {}

export const optimizerKernels: NativeKernel[] = [];
