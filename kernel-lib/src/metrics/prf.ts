/**
 * Precision, recall and F1 per class and averaged, and the classification report, with
 * scikit-learn's definitions and zero_division=0: a ratio whose denominator is 0 (a class never
 * predicted, for precision; never present, for recall) counts as 0, and so does F1 when
 * precision + recall is 0.
 */
import { invalid, readLabelPair, type VectorInput } from './input';

/**
 * How per-class scores are combined, as sklearn's `average`:
 * - 'binary': the score of `positiveLabel` (default 1); labels must be 0/1 (sklearn's default);
 * - 'macro': the unweighted mean over classes 0..numClasses-1;
 * - 'micro': from true/false positives summed over classes (= accuracy for single-label data);
 * - 'weighted': the mean weighted by each class's support (its count in yTrue).
 */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface PrfOptions {
  /** Default 'binary', as sklearn; pass 'macro', 'micro' or 'weighted' for multiclass labels. */
  average?: Average;
  /** Classes are 0..numClasses-1; default the largest label in either input + 1. */
  numClasses?: number;
  /** The class 'binary' reports on: 0 or 1 (default 1). */
  positiveLabel?: number;
}

export interface PerClassScores {
  precision: number[];
  recall: number[];
  f1: number[];
  /** Samples of each class in yTrue. */
  support: number[];
}

export interface PrfScores {
  precision: number;
  recall: number;
  f1: number;
}

const AVERAGES: readonly Average[] = ['binary', 'macro', 'micro', 'weighted'];

/** 0 where sklearn's zero_division=0 would give 0. */
function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

function fScore(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

interface Counts {
  tp: number[];
  fp: number[];
  fn: number[];
  numClasses: number;
}

function count(yTrue: VectorInput, yPred: VectorInput, numClasses?: number): Counts {
  const { yTrue: t, yPred: p, numClasses: k } = readLabelPair(yTrue, yPred, numClasses);
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  for (let i = 0; i < t.length; i++) {
    if (t[i] === p[i]) tp[t[i]]++;
    else {
      fp[p[i]]++;
      fn[t[i]]++;
    }
  }
  return { tp, fp, fn, numClasses: k };
}

function perClass({ tp, fp, fn }: Counts): PerClassScores {
  const precision = tp.map((v, c) => ratio(v, v + fp[c]));
  const recall = tp.map((v, c) => ratio(v, v + fn[c]));
  return {
    precision,
    recall,
    f1: precision.map((p, c) => fScore(p, recall[c])),
    support: tp.map((v, c) => v + fn[c]),
  };
}

/**
 * Precision, recall, F1 and support of every class 0..numClasses-1 (sklearn's
 * precision_recall_fscore_support with average=None, labels=range(numClasses), zero_division=0).
 */
export function perClassPrecisionRecallF1(yTrue: VectorInput, yPred: VectorInput, numClasses?: number): PerClassScores {
  return perClass(count(yTrue, yPred, numClasses));
}

function mean(values: number[], weights?: number[]): number {
  let num = 0;
  let den = 0;
  values.forEach((v, i) => {
    const w = weights ? weights[i] : 1;
    num += v * w;
    den += w;
  });
  return ratio(num, den);
}

/**
 * Averaged precision, recall and F1 (sklearn's precision_recall_fscore_support with `average`,
 * zero_division=0). Macro and weighted F1 average the per-class F1 scores, as sklearn does (not
 * the F1 of the averaged precision and recall). When numClasses is given, a class absent from
 * both inputs scores 0 and still counts in the macro mean (sklearn with labels=range(numClasses)).
 */
export function precisionRecallF1(yTrue: VectorInput, yPred: VectorInput, options: PrfOptions = {}): PrfScores {
  const average = options.average ?? 'binary';
  if (!AVERAGES.includes(average)) {
    throw invalid('average', `one of ${AVERAGES.map((a) => `'${a}'`).join(', ')}`, JSON.stringify(average));
  }
  const counts = count(yTrue, yPred, options.numClasses);
  if (average === 'micro') {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const tp = sum(counts.tp);
    const precision = ratio(tp, tp + sum(counts.fp));
    const recall = ratio(tp, tp + sum(counts.fn));
    return { precision, recall, f1: fScore(precision, recall) };
  }
  const scores = perClass(counts);
  if (average === 'binary') {
    if (counts.numClasses > 2) {
      throw invalid(
        'yTrue and yPred',
        "binary labels (0 or 1) for average 'binary'",
        `labels up to ${counts.numClasses - 1}`,
        "Pass { average: 'macro' }, 'micro' or 'weighted' for multiclass labels.",
      );
    }
    const positive = options.positiveLabel ?? 1;
    if (positive !== 0 && positive !== 1) throw invalid('positiveLabel', '0 or 1', String(positive));
    // Labels all 0 with positiveLabel 1: the positive class exists but was never seen.
    const at = (xs: number[]) => xs[positive] ?? 0;
    return { precision: at(scores.precision), recall: at(scores.recall), f1: at(scores.f1) };
  }
  const weights = average === 'weighted' ? scores.support : undefined;
  return {
    precision: mean(scores.precision, weights),
    recall: mean(scores.recall, weights),
    f1: mean(scores.f1, weights),
  };
}

/** Precision alone (see precisionRecallF1; default average 'binary' as sklearn's precision_score). */
export function precision(yTrue: VectorInput, yPred: VectorInput, options?: PrfOptions): number {
  return precisionRecallF1(yTrue, yPred, options).precision;
}

/** Recall alone (see precisionRecallF1; default average 'binary' as sklearn's recall_score). */
export function recall(yTrue: VectorInput, yPred: VectorInput, options?: PrfOptions): number {
  return precisionRecallF1(yTrue, yPred, options).recall;
}

/** F1 alone (see precisionRecallF1; default average 'binary' as sklearn's f1_score). */
export function f1Score(yTrue: VectorInput, yPred: VectorInput, options?: PrfOptions): number {
  return precisionRecallF1(yTrue, yPred, options).f1;
}

export interface ReportRow {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** sklearn's classification_report(output_dict=True), as a typed plain object. */
export interface ClassificationReport {
  /** One row per class 0..numClasses-1, labelled by `labelNames` or the class index. */
  classes: (ReportRow & { label: string })[];
  accuracy: number;
  macroAvg: ReportRow;
  weightedAvg: ReportRow;
}

export interface ReportOptions {
  numClasses?: number;
  /** A name per class (its length sets numClasses when that is left out). */
  labelNames?: readonly string[];
}

/** Per-class rows, accuracy, macro and weighted averages (supports of the averages are n). */
export function classificationReport(yTrue: VectorInput, yPred: VectorInput, options: ReportOptions = {}): ClassificationReport {
  const names = options.labelNames;
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) {
    throw invalid('labelNames', 'an array of strings, one per class', String(names));
  }
  const counts = count(yTrue, yPred, options.numClasses ?? names?.length);
  if (names && names.length !== counts.numClasses) {
    throw invalid('labelNames', `${counts.numClasses} names, one per class`, `${names.length} names`);
  }
  const s = perClass(counts);
  const n = s.support.reduce((a, b) => a + b, 0);
  const hits = counts.tp.reduce((a, b) => a + b, 0);
  const averaged = (weights?: number[]): ReportRow => ({
    precision: mean(s.precision, weights),
    recall: mean(s.recall, weights),
    f1: mean(s.f1, weights),
    support: n,
  });
  return {
    classes: s.support.map((support, c) => ({
      label: names ? names[c] : String(c),
      precision: s.precision[c],
      recall: s.recall[c],
      f1: s.f1[c],
      support,
    })),
    accuracy: hits / n,
    macroAvg: averaged(),
    weightedAvg: averaged(s.support),
  };
}
