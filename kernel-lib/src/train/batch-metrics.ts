/** The metrics train() logs beside the loss (Keras's `metrics: [...]`): per-batch sums, averaged per epoch. */
import * as tf from '@tensorflow/tfjs';
import { LabbookError } from '../errors';
import { closestName } from '../suggest';
import type { LossName } from './losses';

export type MetricName = 'accuracy' | 'binary-accuracy' | 'categorical-accuracy' | 'sparse-categorical-accuracy' | 'mse' | 'mae';

/** Every name `metrics` accepts, in a stable order (for error messages). */
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'binary-accuracy', 'categorical-accuracy', 'sparse-categorical-accuracy', 'mse', 'mae'];

/**
 * One metric as the loop computes it: the sum over the batch's rows of the per-row value, so the
 * epoch's value is the sum over batches divided by the rows seen (exact, whatever the batch sizes).
 */
export interface BatchMetric {
  /** The epoch log's name (validation adds `val_`). */
  key: string;
  sum(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar;
}

/** What `accuracy` means for each classification loss; predictions are logits, as the losses take. */
const ACCURACY_FOR: Partial<Record<LossName, MetricName>> = {
  'sparse-categorical-crossentropy': 'sparse-categorical-accuracy',
  'categorical-crossentropy': 'categorical-accuracy',
  'binary-crossentropy': 'binary-accuracy',
};

/** The metrics logged when none are named: accuracy for a classification loss, nothing otherwise. */
export function defaultMetrics(loss: LossName | 'custom'): MetricName[] {
  return loss !== 'custom' && ACCURACY_FOR[loss] ? ['accuracy'] : [];
}

export function resolveMetrics(names: unknown, loss: LossName | 'custom'): BatchMetric[] {
  if (names === undefined) names = defaultMetrics(loss);
  if (!Array.isArray(names)) throw metricError(names, 'an array of metric names');
  const seen = new Set<string>();
  return names.map((name: unknown) => {
    if (typeof name !== 'string' || !(METRIC_NAMES as readonly string[]).includes(name)) throw metricError(name, `one of ${METRIC_NAMES.map((n) => `'${n}'`).join(', ')}`);
    if (seen.has(name)) throw metricError(name, 'each metric once');
    seen.add(name);
    const kind = name === 'accuracy' ? (loss === 'custom' ? 'accuracy' : ACCURACY_FOR[loss] ?? 'accuracy') : name;
    return { key: name.replace(/-/g, '_'), sum: SUMS[kind as MetricName] };
  });
}

function metricError(received: unknown, expected: string): LabbookError {
  const guess = typeof received === 'string' ? closestName(received, METRIC_NAMES) : undefined;
  const fix = guess ? `Did you mean '${guess}'?` : `Supported metrics: ${METRIC_NAMES.join(', ')}.`;
  const text = typeof received === 'string' ? `'${received}'` : JSON.stringify(received) ?? String(received);
  return new LabbookError('INVALID_ARGUMENT', `Invalid value for \`metrics\`: expected ${expected}, received ${text}. ${fix}`);
}

/** [n, rest...] -> [n, m]: per-row means over every output. */
function rows(t: tf.Tensor): tf.Tensor2D {
  return tf.reshape(t, [t.shape[0] ?? 1, -1]) as tf.Tensor2D;
}

/** Targets in the predictions' shape: a label vector [n] against a Dense(1) output [n, 1]. */
function aligned(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const t = yTrue.dtype === 'float32' ? yTrue : tf.cast(yTrue, 'float32');
  return yTrue.size === yPred.size ? tf.reshape(t, yPred.shape) : t;
}

function sparseHits(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const labels = tf.reshape(tf.cast(yTrue, 'int32'), [yPred.shape[0]!]);
  return tf.cast(tf.sum(tf.cast(tf.equal(tf.argMax(yPred, -1), labels), 'int32')), 'float32') as tf.Scalar;
}

function categoricalHits(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)), 'float32')) as tf.Scalar;
}

/** A logit above 0 is a sigmoid above 0.5; a target above 0.5 is the positive class. Per row: the share right. */
function binaryHits(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const right = tf.cast(tf.equal(tf.greater(yPred, 0), tf.greater(aligned(yTrue, yPred), 0.5)), 'float32');
  return tf.sum(tf.mean(rows(right), 1)) as tf.Scalar;
}

/** `accuracy` with a custom loss: decided from shapes, as Keras does (logits assumed). */
function autoHits(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const classes = yPred.rank >= 2 ? yPred.shape[yPred.rank - 1]! : 1;
  if (classes === 1) return binaryHits(yTrue, yPred);
  if (tf.util.arraysEqual(yTrue.shape, yPred.shape)) return categoricalHits(yTrue, yPred);
  return sparseHits(yTrue, yPred);
}

const SUMS: Record<MetricName | 'accuracy', BatchMetric['sum']> = {
  accuracy: (t, p) => tf.tidy(() => autoHits(t, p)),
  'binary-accuracy': (t, p) => tf.tidy(() => binaryHits(t, p)),
  'categorical-accuracy': (t, p) => tf.tidy(() => categoricalHits(t, p)),
  'sparse-categorical-accuracy': (t, p) => tf.tidy(() => sparseHits(t, p)),
  mse: (t, p) => tf.tidy(() => tf.sum(tf.mean(rows(tf.square(tf.sub(p, aligned(t, p)))), 1)) as tf.Scalar),
  mae: (t, p) => tf.tidy(() => tf.sum(tf.mean(rows(tf.abs(tf.sub(p, aligned(t, p)))), 1)) as tf.Scalar),
};
