/** UnsortedSegmentSum on the wasm backend: the gradient of gather, hence of every Embedding layer. */
import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import { numeric, sizeOf, type WasmBackend } from './heap';

/**
 * out[s, ...] = sum of x[i, ...] over the rows i whose segment id is s; ids outside
 * [0, numSegments) are dropped and empty segments are zero, as on the cpu backend. Rows are
 * bucketed by segment first (a stable counting sort), so each segment is summed in float64 in row
 * order -- the cpu backend's order, hence its float32 results -- with memory for one row of
 * partial sums rather than for the whole output.
 */
function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const wasm = backend as WasmBackend;
  const idRank = segmentIds.shape.length;
  const rows = sizeOf(segmentIds.shape);
  const rowShape = x.shape.slice(idRank);
  const inner = sizeOf(rowShape);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  const ov = numeric(wasm, out);
  const xv = numeric(wasm, x);
  const ids = numeric(wasm, segmentIds);
  ov.fill(0);
  if (inner === 0 || rows === 0 || numSegments === 0) return out;

  const starts = new Int32Array(numSegments + 1);
  for (let i = 0; i < rows; ++i) {
    const s = ids[i];
    if (s >= 0 && s < numSegments) starts[s + 1]++;
  }
  for (let s = 0; s < numSegments; ++s) starts[s + 1] += starts[s];
  const order = new Int32Array(starts[numSegments]);
  const next = starts.slice(0, numSegments);
  for (let i = 0; i < rows; ++i) {
    const s = ids[i];
    if (s >= 0 && s < numSegments) order[next[s]++] = i;
  }

  const sum = new Float64Array(inner);
  for (let s = 0; s < numSegments; ++s) {
    const from = starts[s];
    const to = starts[s + 1];
    if (from === to) continue;
    if (to - from === 1) {
      const base = order[from] * inner;
      ov.set(xv.subarray(base, base + inner), s * inner);
      continue;
    }
    sum.fill(0);
    for (let k = from; k < to; ++k) {
      const base = order[k] * inner;
      for (let j = 0; j < inner; ++j) sum[j] += xv[base + j];
    }
    ov.set(sum, s * inner);
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as KernelFunc,
};
