/** Regression metrics on one output: mse, rmse, mae, r2 (multi-output is not averaged here). */
import { checkSameLength, invalid, readVector, type VectorInput } from './input';

function pair(yTrue: VectorInput, yPred: VectorInput): { t: ArrayLike<number>; p: ArrayLike<number> } {
  const t = readVector(yTrue, 'yTrue');
  const p = readVector(yPred, 'yPred');
  checkSameLength(t, 'yTrue', p, 'yPred');
  return { t, p };
}

/** Mean squared error (sklearn's mean_squared_error). */
export function mse(yTrue: VectorInput, yPred: VectorInput): number {
  const { t, p } = pair(yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += (t[i] - p[i]) ** 2;
  return sum / t.length;
}

/** Root mean squared error: the square root of mse (sklearn's root_mean_squared_error). */
export function rmse(yTrue: VectorInput, yPred: VectorInput): number {
  return Math.sqrt(mse(yTrue, yPred));
}

/** Mean absolute error (sklearn's mean_absolute_error). */
export function mae(yTrue: VectorInput, yPred: VectorInput): number {
  const { t, p } = pair(yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += Math.abs(t[i] - p[i]);
  return sum / t.length;
}

/**
 * Coefficient of determination, 1 - SS_res / SS_tot (sklearn's r2_score): 1 is perfect, 0 is as
 * good as predicting the mean, and it is unbounded below. For a constant yTrue (SS_tot = 0) it
 * follows sklearn's force_finite=True: 1 when the predictions are exact, else 0, never NaN or
 * -Infinity. Needs at least 2 samples (sklearn returns NaN with a warning for one).
 */
export function r2(yTrue: VectorInput, yPred: VectorInput): number {
  const { t, p } = pair(yTrue, yPred);
  if (t.length < 2) {
    throw invalid('yTrue', 'at least 2 samples (R^2 is not defined for one)', `${t.length} value`);
  }
  let meanTrue = 0;
  for (let i = 0; i < t.length; i++) meanTrue += t[i];
  meanTrue /= t.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < t.length; i++) {
    ssRes += (t[i] - p[i]) ** 2;
    ssTot += (t[i] - meanTrue) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
