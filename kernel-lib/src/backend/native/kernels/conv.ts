/** Native kernels: Conv2D, FusedConv2D and both backprops (im2col + GEMM). */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/conv.cc). */
export interface ConvAddon {}

export const convKernels: NativeKernel[] = [];
