import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rocAuc, rocCurve } from '../../kernel-lib/src/metrics';
import { catchError } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('rocAuc', () => {
  it("matches scikit-learn's roc_auc_score docstring example (0.75)", () => {
    // The same data and 0.75 in the docstrings of roc_auc_score (scikit-learn 0.22) and of
    // sklearn.metrics.auc (current, via roc_curve with pos_label=2):
    // https://scikit-learn.org/0.22/modules/generated/sklearn.metrics.roc_auc_score.html
    // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.auc.html
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('counts a tie between a positive and a negative as one half (a diagonal trapezoid)', () => {
    // Pairs (positive, negative): (0.5 vs 0.5) tie = 1/2, (0.9 vs 0.5) win = 1 -> 1.5 / 2.
    expect(rocAuc([1, 0, 1], [0.5, 0.5, 0.9])).toBe(0.75);
    // All scores equal: no information, 0.5 whatever the order of the input.
    expect(rocAuc([1, 0, 0, 1, 0], [2, 2, 2, 2, 2])).toBe(0.5);
    expect(rocAuc([0, 1], [3, 3])).toBe(0.5);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, and reads tensors', () => {
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [1, 2, 3, 4])).toBe(0);
    const y = tf.tensor1d([0, 0, 1, 1], 'int32');
    const s = tf.tensor2d([0.1, 0.4, 0.35, 0.8], [4, 1]);
    expect(rocAuc(y, s)).toBeCloseTo(0.75, 7);
    tf.dispose([y, s]);
  });

  it('needs both classes and binary labels', () => {
    expect(catchError(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).message).toBe(
      'Invalid value for `yTrue`: expected both classes (0 and 1) present, received only class 1. ' +
        'ROC AUC is not defined for one class; evaluate on a sample that holds both.',
    );
    expect(catchError(() => rocAuc([0, 2, 1], [0.1, 0.2, 0.3])).message).toContain('`yTrue[1]`: expected a binary label, 0 or 1, received 2');
    expect(catchError(() => rocAuc([0, 1], [0.1, Infinity])).message).toContain('`scores[1]`: expected a finite number, received Infinity');
  });
});

describe('rocCurve', () => {
  it("matches scikit-learn's roc_curve docstring example", () => {
    // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.roc_curve.html
    // (y = [1, 1, 2, 2] with pos_label=2, i.e. labels 0, 0, 1, 1 here)
    const curve = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(curve.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(curve.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(curve.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });

  it('makes one point per distinct score', () => {
    const curve = rocCurve([1, 0, 1, 0], [0.7, 0.7, 0.2, 0.2]);
    expect(curve.thresholds).toEqual([Infinity, 0.7, 0.2]);
    expect(curve.fpr).toEqual([0, 0.5, 1]);
    expect(curve.tpr).toEqual([0, 0.5, 1]);
  });
});
