/** One optimization step and one evaluation pass: the pieces for driving the loop yourself. */
import * as tf from '@tensorflow/tfjs';
import { GLOBAL_NORM_KERNEL, runningBackendHas } from '../backend/native';
import type { Batch, TrainData } from './data';
import { epochBatches } from './data';

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** Computes a batch's loss (and its predictions) in training mode; override to customize a step. */
export type ForwardFn = (model: tf.LayersModel, batch: Batch, loss: LossFn) => { loss: tf.Scalar; predictions: tf.Tensor };

export const defaultForward: ForwardFn = (model, batch, loss) => {
  const predictions = model.apply(batch.x, { training: true }) as tf.Tensor;
  return { loss: loss(batch.y, predictions), predictions };
};

export interface StepResult {
  loss: number;
  /** Correct predictions in the batch, for classification (labels int32, predictions logits). */
  correct: number | null;
  gradNorm: number;
}

/**
 * One update: gradients of the loss over the model's trainable weights, clipped to `clipNorm` by
 * their global norm when given, then applied. One read of the device per step.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  batch: Batch,
  options: { loss: LossFn; forward?: ForwardFn; clipNorm?: number; classification: boolean },
): StepResult {
  const forward = options.forward ?? defaultForward;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct: tf.Scalar | null = null;
  const [loss, right, gradNorm] = tf.tidy(() => {
    const { value, grads } = optimizer.computeGradients(() => {
      const out = forward(model, batch, options.loss);
      // computeGradients disposes everything f made but the loss: keep the hit count out of it
      if (options.classification) correct = tf.keep(countCorrect(out.predictions, batch.y));
      return out.loss;
    }, variables);
    const names = Object.keys(grads);
    const norm = globalNorm(names.map((n) => grads[n]));
    let applied = grads;
    if (options.clipNorm !== undefined) {
      // scale = clipNorm / max(norm, clipNorm): 1 below the threshold, shrinking above it
      const scale = tf.div(options.clipNorm, tf.maximum(norm, options.clipNorm));
      applied = Object.fromEntries(names.map((n) => [n, tf.mul(grads[n], scale)]));
    }
    optimizer.applyGradients(applied);
    const hits = correct === null ? tf.scalar(-1) : tf.cast(correct, 'float32');
    return tf.stack([value, hits, norm]).dataSync();
  });
  tf.dispose(correct ?? []);
  return { loss, correct: options.classification ? right : null, gradNorm };
}

/** sqrt of the sum of every gradient element squared: one kernel where the backend has it (native). */
export function globalNorm(tensors: tf.Tensor[]): tf.Scalar {
  if (tensors.every((t) => t.dtype === 'float32') && runningBackendHas(GLOBAL_NORM_KERNEL)) {
    return tf.engine().runKernel(GLOBAL_NORM_KERNEL, Object.fromEntries(tensors.map((t, i) => [String(i), t])), {}) as tf.Scalar;
  }
  return tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

function countCorrect(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')), 'int32'));
}

/** Mean loss (and accuracy for classification) over data, in inference mode, batch by batch. */
export function evaluate(
  model: tf.LayersModel,
  data: TrainData,
  options: { loss: LossFn; batchSize?: number; classification: boolean },
): { loss: number; accuracy: number | null } {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (const batch of epochBatches(data, { batchSize: options.batchSize ?? 256, shuffle: false, seed: 0, epoch: 0 })) {
    const n = batch.y.shape[0];
    const [loss, right] = tf.tidy(() => {
      const predictions = model.apply(batch.x, { training: false }) as tf.Tensor;
      const hits = options.classification ? countCorrect(predictions, batch.y) : tf.scalar(0, 'int32');
      return tf.stack([options.loss(batch.y, predictions), tf.cast(hits, 'float32')]).dataSync();
    });
    tf.dispose([batch.x, batch.y]);
    lossSum += loss * n;
    correct += right;
    count += n;
  }
  return { loss: lossSum / count, accuracy: options.classification ? correct / count : null };
}
