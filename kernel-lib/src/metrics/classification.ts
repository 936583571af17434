/** Label metrics: accuracy, top-k accuracy, confusion matrix (not precision/recall: see prf.ts). */
import { checkLabels, invalid, readCount, readLabelPair, readMatrix, readVector, type MatrixInput, type VectorInput } from './input';

/** Fraction of samples whose predicted class equals the true class (sklearn's accuracy_score). */
export function accuracy(yTrue: VectorInput, yPred: VectorInput): number {
  const { yTrue: t, yPred: p } = readLabelPair(yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) hits++;
  return hits / t.length;
}

/**
 * Fraction of samples whose true class is among the k highest scores (sklearn's
 * top_k_accuracy_score for the multiclass case). `scores` is n x numClasses: rows as arrays, a
 * 2-D tensor, or a flat row-major array (numClasses from its length, or checked against the
 * argument). Ties rank as sklearn ranks them (a stable sort, reversed): among equal scores the
 * higher class index comes first. k >= numClasses gives 1.
 */
export function topKAccuracy(yTrue: VectorInput, scores: MatrixInput, k: number, numClasses?: number): number {
  const labels = readVector(yTrue, 'yTrue');
  const kk = readCount(k, 'k');
  if (kk === undefined) throw invalid('k', 'an integer >= 1', 'undefined');
  const { values, cols } = readMatrix(scores, 'scores', labels.length, readCount(numClasses, 'numClasses'));
  if (cols < 2) throw invalid('scores', 'at least 2 columns (one score per class)', `${cols} column`);
  checkLabels(labels, 'yTrue', cols);
  let hits = 0;
  for (let r = 0; r < labels.length; r++) {
    const base = r * cols;
    const truth = labels[r];
    const own = values[base + truth];
    // The true class's rank = the number of classes sorted before it.
    let ahead = 0;
    for (let c = 0; c < cols && ahead < kk; c++) {
      const s = values[base + c];
      if (s > own || (s === own && c > truth)) ahead++;
    }
    if (ahead < kk) hits++;
  }
  return hits / labels.length;
}

/**
 * Counts by (true class, predicted class): entry [i][j] is the number of samples of class i
 * predicted as j, rows true and columns predicted as in sklearn's confusion_matrix. Classes are
 * 0..numClasses-1 (default: the largest label + 1), so a class absent from both inputs still has
 * its row and column, where sklearn's default would leave it out.
 */
export function confusionMatrix(yTrue: VectorInput, yPred: VectorInput, numClasses?: number): number[][] {
  const { yTrue: t, yPred: p, numClasses: k } = readLabelPair(yTrue, yPred, numClasses);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) matrix[t[i]][p[i]]++;
  return matrix;
}
