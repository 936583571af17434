/** Native kernels: GatherV2, Transpose, Slice, Concat, Tile, UnsortedSegmentSum. */
import type { NativeKernel } from './util';

/** The addon functions this group calls (implemented in native/src/indexing.cc). */
export interface IndexingAddon {}

export const indexingKernels: NativeKernel[] = [];
