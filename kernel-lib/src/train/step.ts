/** One optimization step and one evaluation pass: the pieces for driving the loop yourself. */
import * as tf from '@tensorflow/tfjs';
import { GLOBAL_NORM_KERNEL, runningBackendHas } from '../backend/native';
import { type BatchMetric, resolveMetrics } from './batch-metrics';
import type { Logs } from './callbacks';
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
  /** Correct predictions in the batch (the sum of the first accuracy metric), null without one. */
  correct: number | null;
  gradNorm: number;
  /** Each metric's sum over the batch's rows, in the order of `options.metrics`. */
  metrics: number[];
}

export interface StepOptions {
  loss: LossFn;
  forward?: ForwardFn;
  clipNorm?: number;
  /** Shorthand for `metrics: [sparse-categorical accuracy]` (integer labels, logits), when `metrics` is not given. */
  classification?: boolean;
  /** Metrics to compute on the batch's predictions (see resolveMetrics). */
  metrics?: readonly BatchMetric[];
}

function stepMetrics(options: { classification?: boolean; metrics?: readonly BatchMetric[] }): readonly BatchMetric[] {
  return options.metrics ?? (options.classification ? resolveMetrics(['accuracy'], 'sparse-categorical-crossentropy') : []);
}

function firstAccuracy(metrics: readonly BatchMetric[], values: number[]): number | null {
  const i = metrics.findIndex((m) => m.key.endsWith('accuracy'));
  return i < 0 ? null : values[i];
}

/**
 * One update: gradients of the loss over the model's trainable weights, clipped to `clipNorm` by
 * their global norm when given, then applied. One read of the device per step.
 */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: Batch, options: StepOptions): StepResult {
  const forward = options.forward ?? defaultForward;
  const metrics = stepMetrics(options);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let sums: tf.Scalar[] = [];
  const read = tf.tidy(() => {
    const { value, grads } = optimizer.computeGradients(() => {
      const out = forward(model, batch, options.loss);
      // computeGradients disposes everything f made but the loss: keep the metric sums out of it
      sums = metrics.map((m) => tf.keep(m.sum(batch.y, out.predictions)));
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
    return tf.stack([value, norm, ...sums]).dataSync();
  });
  tf.dispose(sums);
  const values = Array.from(read.subarray(2));
  return { loss: read[0], correct: firstAccuracy(metrics, values), gradNorm: read[1], metrics: values };
}

/** sqrt of the sum of every gradient element squared: one kernel where the backend has it (native). */
export function globalNorm(tensors: tf.Tensor[]): tf.Scalar {
  if (tensors.every((t) => t.dtype === 'float32') && runningBackendHas(GLOBAL_NORM_KERNEL)) {
    return tf.engine().runKernel(GLOBAL_NORM_KERNEL, Object.fromEntries(tensors.map((t, i) => [String(i), t])), {}) as tf.Scalar;
  }
  return tf.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

/** Mean loss and metrics over data, in inference mode, batch by batch (unweighted, as Keras's validation). */
export function evaluate(
  model: tf.LayersModel,
  data: TrainData,
  options: { loss: LossFn; batchSize?: number; classification?: boolean; metrics?: readonly BatchMetric[] },
): { loss: number; accuracy: number | null; metrics: Logs } {
  const metrics = stepMetrics(options);
  let lossSum = 0;
  const sums = metrics.map(() => 0);
  let count = 0;
  for (const batch of epochBatches(data, { batchSize: options.batchSize ?? 256, shuffle: false, seed: 0, epoch: 0 })) {
    const n = batch.y.shape[0];
    const read = tf.tidy(() => {
      const predictions = model.apply(batch.x, { training: false }) as tf.Tensor;
      return tf.stack([options.loss(batch.y, predictions), ...metrics.map((m) => m.sum(batch.y, predictions))]).dataSync();
    });
    tf.dispose([batch.x, batch.y, ...(batch.sampleWeight ? [batch.sampleWeight] : [])]);
    lossSum += read[0] * n;
    metrics.forEach((_, i) => (sums[i] += read[i + 1]));
    count += n;
  }
  const means = sums.map((s) => s / count);
  return { loss: lossSum / count, accuracy: firstAccuracy(metrics, means), metrics: Object.fromEntries(metrics.map((m, i) => [m.key, means[i]])) };
}
