import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mae, mse, r2, rmse } from '../../kernel-lib/src/metrics';
import { catchError } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The docstring examples of sklearn.metrics.mean_squared_error, mean_absolute_error and r2_score:
// https://scikit-learn.org/stable/modules/generated/sklearn.metrics.r2_score.html
const yTrue = [3, -0.5, 2, 7];
const yPred = [2.5, 0.0, 2, 8];

describe('regression metrics', () => {
  it("match scikit-learn's docstring examples: mse 0.375, rmse 0.612..., mae 0.5, r2 0.948...", () => {
    expect(mse(yTrue, yPred)).toBe(0.375);
    expect(rmse(yTrue, yPred)).toBeCloseTo(0.6123724356957945, 15);
    expect(mae(yTrue, yPred)).toBe(0.5);
    expect(r2(yTrue, yPred)).toBeCloseTo(0.9486081370449679, 15);
  });

  it("r2 follows the docstring's other cases: perfect 1, the mean 0, reversed -3", () => {
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2([1, 2, 3], [2, 2, 2])).toBe(0);
    expect(r2([1, 2, 3], [3, 2, 1])).toBe(-3);
  });

  it('r2 of a constant yTrue is 1 when exact and 0 otherwise (force_finite=True), never NaN', () => {
    expect(r2([-2, -2, -2], [-2, -2, -2])).toBe(1);
    expect(r2([-2, -2, -2], [-2, -2, -2 + 1e-8])).toBe(0);
  });

  it('read tensors of shape [n] and [n, 1] and typed arrays', () => {
    const t = tf.tensor2d(yTrue, [4, 1]);
    const p = tf.tensor1d(yPred);
    expect(mse(t, p)).toBe(0.375);
    expect(mae(Float32Array.from(yTrue), Float64Array.from(yPred))).toBe(0.5);
    tf.dispose([t, p]);
  });

  it('refuse mismatched lengths, NaN, wider tensors and r2 of one sample', () => {
    expect(catchError(() => mse(yTrue, yPred.slice(1))).message).toBe(
      'Invalid value for `yPred`: expected 4 values, one per entry of `yTrue`, received 3 values.',
    );
    expect(catchError(() => mae([1, NaN], [1, 2])).message).toContain('`yTrue[1]`: expected a finite number, received NaN');
    const wide = tf.zeros([2, 2]);
    expect(catchError(() => mse(wide, [1, 2])).message).toBe(
      'Invalid value for `yTrue`: expected a tensor of shape [n] or [n, 1], received a float32 tensor of shape [2, 2]. Reshape it to one value per sample.',
    );
    wide.dispose();
    const wideInts = tf.zeros([2, 2], 'int32');
    expect(catchError(() => mse(wideInts, [1, 2])).message).toContain('received an int32 tensor of shape [2, 2].');
    wideInts.dispose();
    expect(catchError(() => r2([1], [1])).message).toContain('expected at least 2 samples');
  });
});
