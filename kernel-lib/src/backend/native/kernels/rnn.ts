/** Native kernels: recurrent cells. */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/rnn.cc). */
export interface RnnAddon {}

export const rnnKernels: NativeKernel[] = [];
