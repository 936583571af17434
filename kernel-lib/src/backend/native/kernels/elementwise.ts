/** Native kernels: broadcasting element-wise unary and binary ops, AddN. */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/elementwise.cc). */
export interface ElementwiseAddon {}

export const elementwiseKernels: NativeKernel[] = [];
