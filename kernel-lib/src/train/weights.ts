/** Class and sample weights for train(): per-row weights, and the weighted form of each named loss. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import { alignTargets, checkLogits, type LossName } from './losses';
import type { LossFn } from './step';

/** Weight per class index, or 'balanced': n_samples / (n_classes * count(class)), as scikit-learn and Keras. */
export type ClassWeight = { [classIndex: number]: number } | Map<number, number> | 'balanced';

/** One weight per training row, in row order (the loop shuffles it with the rows). */
export type SampleWeight = tf.Tensor | readonly number[] | Float32Array;

/**
 * The per-row weights for `y` (class weight times sample weight, as Keras multiplies them), or
 * null when neither is given. Reads the labels once, at the start of training.
 */
export function rowWeights(y: tf.Tensor, classWeight: unknown, sampleWeight: unknown): tf.Tensor1D | null {
  if (classWeight === undefined && sampleWeight === undefined) return null;
  const n = y.shape[0]!;
  const weights = new Float32Array(n).fill(1);
  if (sampleWeight !== undefined) {
    const values = sampleValues(sampleWeight);
    if (values.length !== n) throw invalidArgument('sampleWeight', `${n} weights, one per training row`, `${values.length} weights`);
    for (let i = 0; i < n; i++) {
      const w = values[i];
      if (typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w)) throw invalidArgument(`sampleWeight[${i}]`, 'a non-negative finite number', w);
      weights[i] = w;
    }
  }
  if (classWeight !== undefined) {
    const classes = classIndices(y);
    const table = classTable(classWeight, classes);
    classes.forEach((c, i) => (weights[i] *= table.get(c)!));
  }
  return tf.tensor1d(weights, 'float32');
}

function sampleValues(value: unknown): ArrayLike<number> {
  if (value instanceof tf.Tensor) {
    if (value.rank > 2 || (value.rank === 2 && value.shape[1] !== 1)) throw invalidArgument('sampleWeight', 'a tensor of shape [n] or [n, 1]', `a tensor of shape [${value.shape.join(', ')}]`);
    return value.dataSync() as ArrayLike<number>;
  }
  if (Array.isArray(value) || value instanceof Float32Array) return value as ArrayLike<number>;
  throw invalidArgument('sampleWeight', 'a tensor or an array of numbers, one per training row', value);
}

/** The class of each row: the label itself (sparse or 0/1 binary), or the hot index of a one-hot row. */
function classIndices(y: tf.Tensor): Int32Array {
  if (y.rank === 2 && y.shape[1]! > 1) return tf.tidy(() => tf.argMax(y, -1).dataSync() as Int32Array);
  return Int32Array.from(y.dataSync() as ArrayLike<number>, (v) => Math.round(v));
}

function classTable(value: unknown, classes: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (value === 'balanced') {
    // n_samples / (n_classes * count): every class then carries the same total weight.
    return new Map([...counts].map(([c, count]) => [c, classes.length / (counts.size * count)]));
  }
  const entries = value instanceof Map ? [...value] : value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : null;
  if (entries === null) throw invalidArgument('classWeight', "an object of class index -> weight, or 'balanced'", value);
  const table = new Map<number, number>();
  for (const [key, weight] of entries) {
    const c = Number(key);
    if (!Number.isInteger(c) || c < 0) throw invalidArgument('classWeight', 'class indices (0, 1, ...) as keys', key);
    if (typeof weight !== 'number' || !(weight >= 0) || !Number.isFinite(weight)) throw invalidArgument(`classWeight[${c}]`, 'a non-negative finite number', weight);
    table.set(c, weight);
  }
  const missing = [...counts.keys()].filter((c) => !table.has(c)).sort((a, b) => a - b);
  if (missing.length) throw invalidArgument('classWeight', `a weight for every class in the labels (${[...counts.keys()].sort((a, b) => a - b).join(', ')})`, `none for class ${missing.join(', ')}`, "Add them, or pass 'balanced'.");
  return table;
}

/** Per-row losses [n] of a named loss (the same formulas as losses.ts, before the mean). */
function perRow(name: LossName, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
  const n = yPred.shape[0]!;
  const rowMean = (t: tf.Tensor) => tf.mean(tf.reshape(t, [n, -1]), 1) as tf.Tensor1D;
  switch (name) {
    case 'sparse-categorical-crossentropy': {
      checkLogits(yPred);
      const labels = tf.reshape(tf.cast(yTrue, 'int32'), [n]);
      return tf.neg(tf.sum(tf.mul(tf.oneHot(labels, yPred.shape[1]!), tf.logSoftmax(yPred)), 1)) as tf.Tensor1D;
    }
    case 'categorical-crossentropy':
      checkLogits(yPred);
      return tf.neg(tf.sum(tf.mul(tf.cast(yTrue, 'float32'), tf.logSoftmax(yPred)), 1)) as tf.Tensor1D;
    case 'binary-crossentropy': {
      const z = alignTargets(yTrue, yPred);
      return rowMean(tf.add(tf.sub(tf.relu(yPred), tf.mul(yPred, z)), tf.log1p(tf.exp(tf.neg(tf.abs(yPred))))));
    }
    case 'mse':
      return rowMean(tf.square(tf.sub(yPred, alignTargets(yTrue, yPred))));
    case 'mae':
      return rowMean(tf.abs(tf.sub(yPred, alignTargets(yTrue, yPred))));
    case 'huber': {
      const err = tf.abs(tf.sub(yPred, alignTargets(yTrue, yPred)));
      const q = tf.minimum(err, 1);
      return rowMean(tf.add(tf.mul(0.5, tf.square(q)), tf.sub(err, q)));
    }
  }
}

/**
 * The named loss weighted per row, reduced as Keras does (sum over batch size): sum(w * loss) / n.
 * Weights of 1 give the unweighted loss; a class weighted 2 counts as if its rows appeared twice.
 */
export function weightedLoss(name: LossName, weights: tf.Tensor): LossFn {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const losses = perRow(name, yTrue, yPred);
      return tf.div(tf.sum(tf.mul(losses, tf.reshape(weights, losses.shape))), losses.shape[0]!) as tf.Scalar;
    });
}
