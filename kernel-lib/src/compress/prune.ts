/** Magnitude pruning of weight values, per tensor (as tf-model-optimization's prune_low_magnitude does per layer); pure, no tfjs. */

/**
 * Zeroes the smallest |w| of one kernel so that `sparsity` of its values are zero; returns a copy.
 * The count kept is round(n * (1 - sparsity)), tfmot's; among equal magnitudes the earlier index
 * is pruned first, so the same values and sparsity always give the same bytes.
 */
export function pruneValues(values: Float32Array, sparsity: number): Float32Array {
  const n = values.length;
  const zeroed = n - Math.round(n * (1 - sparsity));
  const out = Float32Array.from(values);
  if (zeroed <= 0) return out;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => Math.abs(values[a]) - Math.abs(values[b]) || a - b);
  for (let i = 0; i < zeroed; i++) out[order[i]] = 0;
  return out;
}

/** Kernels (matrices, conv filters, embeddings: rank 2 and up) are pruned; biases and norm scales (rank 1) are not, as in tfmot. */
export function isPrunable(shape: readonly number[], dtype: string): boolean {
  return dtype === 'float32' && shape.length >= 2;
}

/** The fraction of zero values over the prunable tensors: the sparsity actually reached. */
export function achievedSparsity(tensors: readonly { values: Float32Array; shape: readonly number[]; dtype: string }[]): number {
  let zeros = 0;
  let total = 0;
  for (const t of tensors) {
    if (!isPrunable(t.shape, t.dtype)) continue;
    total += t.values.length;
    for (const v of t.values) if (v === 0) zeros++;
  }
  return total === 0 ? 0 : zeros / total;
}
