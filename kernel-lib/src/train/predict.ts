/** Inference in batches: outputs for large inputs without one huge intermediate tensor. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';

/** The model's outputs for every row of `x`, in inference mode (dropout off). The caller disposes it. */
export function predict(model: tf.LayersModel, x: tf.Tensor, options: { batchSize?: number } = {}): tf.Tensor {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidArgument('batchSize', 'a positive integer', options.batchSize);
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < x.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, x.shape[0] - start);
      parts.push(model.apply(x.slice(start, size), { training: false }) as tf.Tensor);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts);
  });
}

/** The most likely class of every row (argmax of the logits). */
export function predictClasses(model: tf.LayersModel, x: tf.Tensor, options: { batchSize?: number } = {}): Int32Array {
  const logits = predict(model, x, options);
  try {
    return tf.tidy(() => tf.argMax(logits, -1).dataSync() as Int32Array);
  } finally {
    logits.dispose();
  }
}
