/** The evaluation of a ready model on an explicit set: accuracy or RMSE, and predict's median latency; not a training path. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../errors';
import type { Prediction, PredictInput, ReadyModel } from '../model-package';

/** Raw input as predict() takes it, and the truth per row: label names (or class indices as a tensor) for a classifier, numbers for regression. */
export interface EvaluationSet {
  x: PredictInput;
  y: readonly (string | number | boolean)[] | readonly (readonly number[])[] | tf.Tensor;
}

export type Score = { name: 'accuracy'; value: number } | { name: 'rmse'; value: number };

/** Accuracy (share of rows whose predicted label is the true one) or RMSE over every output value. */
export function score(ready: ReadyModel, set: EvaluationSet): Score {
  return scorePredictions(ready.predict(set.x), ready.task, ready.labels, set);
}

/** score() of predictions made elsewhere (another runtime's, turned into predictions by rowsToPredictions). */
export function scorePredictions(predictions: Prediction[], task: ReadyModel['task'], modelLabels: string[] | null, set: EvaluationSet): Score {
  const truth = truthRows(set.y, predictions.length);
  if (task === 'classification') {
    const labels = modelLabels ?? [];
    let right = 0;
    predictions.forEach((p, i) => {
      const t = truth[i];
      // A tensor of class indices names the class by position; anything else is the label itself.
      const name = set.y instanceof tf.Tensor && typeof t === 'number' ? labels[t] : String(t);
      if ((p as { label: string }).label === name) right++;
    });
    return { name: 'accuracy', value: right / predictions.length };
  }
  let sum = 0;
  let count = 0;
  predictions.forEach((p, i) => {
    const got = valuesOf(p);
    const want = ([] as unknown[]).concat(truth[i]).map(Number);
    if (want.length !== got.length || want.some((v) => !Number.isFinite(v))) {
      throw invalidArgument(`evaluate.y[${i}]`, `${got.length} finite number(s), one per output of the model`, truth[i]);
    }
    got.forEach((g, j) => {
      sum += (g - want[j]) ** 2;
      count++;
    });
  });
  return { name: 'rmse', value: Math.sqrt(sum / count) };
}

/** Median wall time of predict() on the whole set over `repeats` runs of each model, interleaved so both see the same machine state. */
export function medianLatencies(models: readonly ReadyModel[], x: PredictInput, repeats: number): number[] {
  const times = models.map(() => [] as number[]);
  // One untimed call each first: tfjs compiles and caches per input shape on a model's first predict.
  for (const m of models) m.predict(x);
  for (let r = 0; r < repeats; r++) {
    models.forEach((m, i) => {
      const start = performance.now();
      m.predict(x);
      times[i].push(performance.now() - start);
    });
  }
  return times.map(median);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function truthRows(y: EvaluationSet['y'], rows: number): unknown[] {
  const list = y instanceof tf.Tensor ? (y.arraySync() as unknown[]) : Array.isArray(y) ? (y as unknown[]) : null;
  if (list === null) throw invalidArgument('evaluate.y', 'an array (labels or targets, one per row) or a tensor', y);
  if (list.length !== rows) throw invalidArgument('evaluate.y', `${rows} entries (one per row of evaluate.x)`, `${list.length} entries`);
  return list;
}

function valuesOf(p: Prediction): number[] {
  return 'value' in p ? [p.value] : 'values' in p ? p.values : [];
}
