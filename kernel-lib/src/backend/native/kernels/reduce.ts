/** Native kernels: reductions (Sum, Max, Min, Mean, ArgMax...) and Softmax. */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/reduce.cc (Softmax too)). */
export interface ReduceAddon {}

export const reduceKernels: NativeKernel[] = [];
