/** What the training loop iterates: in-memory tensors it shuffles and batches itself, or a batch source. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { deriveSeed } from '../repro/seed';
import { createRng } from '../repro/rng';

export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
  /** Per-row loss weights [n] (class and sample weights); a batch source may yield its own. */
  sampleWeight?: tf.Tensor;
}

/** Whole arrays in memory: the loop shuffles (seeded) and slices them. */
export interface TensorData {
  x: tf.Tensor;
  y: tf.Tensor;
}

/**
 * Custom batching (e.g. text batches bucketed by length). `batches(epoch)` yields fresh tensors
 * that the loop disposes after use; it must be deterministic for a given epoch.
 */
export interface BatchSource {
  /** Number of examples per epoch. */
  size: number;
  batches(epoch: number): Iterable<Batch>;
}

export type TrainData = TensorData | BatchSource;

export function isBatchSource(data: TrainData): data is BatchSource {
  return typeof (data as BatchSource).batches === 'function';
}

export function checkData(name: string, data: TrainData): void {
  if (!data || typeof data !== 'object') throw invalidArgument(name, '{x, y} tensors or a batch source', data);
  if (isBatchSource(data)) return;
  if (!(data.x instanceof tf.Tensor) || !(data.y instanceof tf.Tensor)) {
    throw invalidArgument(name, '{x, y} with x and y tensors', data, 'Convert arrays with tf.tensor(...) or the data module.');
  }
  if (data.x.shape[0] !== data.y.shape[0]) {
    throw invalidArgument(`${name}.y`, `${data.x.shape[0]} rows, as many as x`, `${data.y.shape[0]} rows`);
  }
  if (data.x.shape[0] === 0) throw invalidArgument(name, 'at least one example', 'none');
}

export function exampleCount(data: TrainData): number {
  return isBatchSource(data) ? data.size : data.x.shape[0];
}

export function batchCount(data: TrainData, batchSize: number): number {
  return Math.ceil(exampleCount(data) / batchSize);
}

/** A seeded permutation: Fisher–Yates driven by the epoch's derived seed. */
export function permutation(n: number, seed: number, epoch: number): Int32Array {
  const rng = createRng(deriveSeed(seed, 'shuffle', epoch));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** The epoch's batches; each batch's tensors belong to the caller, who disposes them. */
export function* epochBatches(
  data: TrainData,
  options: { batchSize: number; shuffle: boolean; seed: number; epoch: number; weights?: tf.Tensor | null },
): Generator<Batch> {
  if (isBatchSource(data)) {
    // A loop rather than yield*: a user's source may be a generator typed to take values from next().
    for (const batch of data.batches(options.epoch)) yield batch;
    return;
  }
  const n = data.x.shape[0];
  const order = options.shuffle ? permutation(n, options.seed, options.epoch) : null;
  const w = options.weights ?? null;
  for (let start = 0; start < n; start += options.batchSize) {
    const end = Math.min(n, start + options.batchSize);
    if (order === null) {
      const batch: Batch = { x: data.x.slice(start, end - start), y: data.y.slice(start, end - start) };
      if (w) batch.sampleWeight = w.slice(start, end - start);
      yield batch;
    } else {
      // The weights travel with their rows: the same permutation gathers both.
      const idx = tf.tensor1d(order.subarray(start, end), 'int32');
      const batch: Batch = { x: tf.gather(data.x, idx), y: tf.gather(data.y, idx) };
      if (w) batch.sampleWeight = tf.gather(w, idx);
      idx.dispose();
      yield batch;
    }
  }
}
