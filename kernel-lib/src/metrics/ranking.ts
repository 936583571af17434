/** Binary ranking metrics: the ROC curve and the area under it (not multiclass one-vs-rest). */
import { checkSameLength, invalid, readVector, type VectorInput } from './input';

export interface RocCurve {
  /** False positive rate at each threshold, from 0 up to 1. */
  fpr: number[];
  /** True positive rate at each threshold, from 0 up to 1. */
  tpr: number[];
  /**
   * Decreasing; a sample counts as positive when its score >= the threshold. The first is
   * Infinity (as sklearn >= 1.3; 1.2 used the highest score + 1).
   */
  thresholds: number[];
}

/** Labels 0/1 and scores of one length, both classes present (sklearn raises otherwise too). */
function readBinary(yTrue: VectorInput, scores: VectorInput): { t: ArrayLike<number>; s: ArrayLike<number>; positives: number } {
  const t = readVector(yTrue, 'yTrue');
  const s = readVector(scores, 'scores');
  checkSameLength(t, 'yTrue', s, 'scores');
  let positives = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== 0 && t[i] !== 1) {
      throw invalid(`yTrue[${i}]`, 'a binary label, 0 or 1', String(t[i]), 'Encode the positive class as 1.');
    }
    positives += t[i];
  }
  if (positives === 0 || positives === t.length) {
    throw invalid(
      'yTrue',
      'both classes (0 and 1) present',
      `only class ${positives === 0 ? 0 : 1}`,
      'ROC AUC is not defined for one class; evaluate on a sample that holds both.',
    );
  }
  return { t, s, positives };
}

/**
 * Cumulative (false positives, true positives) at each distinct score, highest first, as
 * sklearn's _binary_clf_curve: tied scores form one threshold, so a tie between a positive and a
 * negative is a diagonal segment (half credit) rather than an order that depends on the input.
 */
function curveCounts(t: ArrayLike<number>, s: ArrayLike<number>): { fps: number[]; tps: number[]; thresholds: number[] } {
  const order = Array.from({ length: t.length }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  const fps = [0];
  const tps = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  order.forEach((idx, rank) => {
    if (t[idx] === 1) tp++;
    else fp++;
    const next = order[rank + 1];
    if (next === undefined || s[next] !== s[idx]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(s[idx]);
    }
  });
  return { fps, tps, thresholds };
}

/**
 * The ROC curve of binary labels against scores (higher = more likely class 1): sklearn's
 * roc_curve with drop_intermediate=False, so one point per distinct score plus (0, 0).
 */
export function rocCurve(yTrue: VectorInput, scores: VectorInput): RocCurve {
  const { t, s, positives } = readBinary(yTrue, scores);
  const negatives = t.length - positives;
  const { fps, tps, thresholds } = curveCounts(t, s);
  return { fpr: fps.map((v) => v / negatives), tpr: tps.map((v) => v / positives), thresholds };
}

/**
 * Area under the ROC curve for binary labels (sklearn's roc_auc_score on 1-D scores): trapezoids
 * over the distinct thresholds, so tied scores between a positive and a negative count one half,
 * equal to the Mann-Whitney U statistic / (positives x negatives). Needs both classes in yTrue.
 */
export function rocAuc(yTrue: VectorInput, scores: VectorInput): number {
  const { t, s, positives } = readBinary(yTrue, scores);
  const { fps, tps } = curveCounts(t, s);
  // Trapezoids in counts, divided once at the end: exact for integer counts below 2^53.
  let area = 0;
  for (let i = 1; i < fps.length; i++) area += (fps[i] - fps[i - 1]) * (tps[i] + tps[i - 1]);
  return area / 2 / (positives * (t.length - positives));
}
