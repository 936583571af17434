/** Log loss (cross-entropy) of predicted probabilities against class labels; not from logits. */
import { checkLabels, invalid, readCount, readMatrix, readVector, type MatrixInput, type VectorInput } from './input';

/** np.finfo(np.float64).eps: sklearn's default clip for float64 probabilities (eps="auto"). */
export const LOG_LOSS_EPS = Number.EPSILON;

/**
 * How far a row's probabilities may sum from 1. sklearn (>= 1.5) only warns; failing catches
 * logits or independent sigmoid outputs passed by mistake, while float32 softmax rounding
 * (~1e-7 per class) passes.
 */
const ROW_SUM_TOLERANCE = 1e-3;

export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 - eps] so a confident mistake costs -log(eps), not Infinity. */
  eps?: number;
  /** Columns of `probabilities` when it is a flat array (default its length / number of labels). */
  numClasses?: number;
}

/**
 * Mean negative log-likelihood of the true labels, as sklearn's log_loss. Binary: `probabilities`
 * holds P(class 1) per sample (n values) and labels are 0/1. Multiclass: an n x k matrix of
 * probabilities whose rows sum to 1 (rows as arrays, a 2-D tensor, or flat row-major), labels in
 * 0..k-1. Values are clipped to [eps, 1 - eps] (default float64 machine epsilon, sklearn's "auto";
 * sklearn < 1.2 used 1e-15) and, as sklearn >= 1.5, not renormalized after clipping.
 */
export function logLoss(yTrue: VectorInput, probabilities: MatrixInput, options: LogLossOptions = {}): number {
  const labels = readVector(yTrue, 'yTrue');
  const eps = options.eps ?? LOG_LOSS_EPS;
  if (typeof eps !== 'number' || !(eps >= 0 && eps < 0.5)) {
    throw invalid('eps', 'a number from 0 to below 0.5', String(eps));
  }
  const { values, cols } = readMatrix(probabilities, 'probabilities', labels.length, readCount(options.numClasses, 'numClasses'));
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] > 1) {
      const where = cols === 1 ? `probabilities[${i}]` : `probabilities[${Math.floor(i / cols)}][${i % cols}]`;
      throw invalid(where, 'a probability from 0 to 1', String(values[i]), 'Apply softmax (or sigmoid) to logits first.');
    }
  }
  const clip = (p: number) => Math.min(1 - eps, Math.max(eps, p));
  let total = 0;
  if (cols === 1) {
    checkLabels(labels, 'yTrue', 2);
    for (let i = 0; i < labels.length; i++) total -= Math.log(clip(labels[i] === 1 ? values[i] : 1 - values[i]));
    return total / labels.length;
  }
  checkLabels(labels, 'yTrue', cols);
  for (let r = 0; r < labels.length; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += values[r * cols + c];
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
      throw invalid(
        `probabilities[${r}]`,
        'a row of probabilities summing to 1',
        `a row summing to ${sum}`,
        'Apply softmax to logits first; for one probability per sample (binary) pass a vector.',
      );
    }
    total -= Math.log(clip(values[r * cols + labels[r]]));
  }
  return total / labels.length;
}
