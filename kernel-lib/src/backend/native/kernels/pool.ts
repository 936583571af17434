/** Native kernels: MaxPool/AvgPool and their gradients. */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/pool.cc). */
export interface PoolAddon {}

export const poolKernels: NativeKernel[] = [];
