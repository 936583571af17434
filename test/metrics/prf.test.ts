import { describe, expect, it } from 'vitest';
import {
  classificationReport,
  f1Score,
  perClassPrecisionRecallF1,
  precision,
  precisionRecallF1,
  recall,
} from '../../kernel-lib/src/metrics';
import { catchError } from './helpers';

describe('precisionRecallF1', () => {
  // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.precision_recall_fscore_support.html
  // y_true = [cat, dog, pig, cat, dog, pig], y_pred = [cat, pig, dog, cat, cat, dog], encoded in
  // sklearn's label order (sorted): cat 0, dog 1, pig 2.
  const code = { cat: 0, dog: 1, pig: 2 } as const;
  const yTrue = (['cat', 'dog', 'pig', 'cat', 'dog', 'pig'] as const).map((c) => code[c]);
  const yPred = (['cat', 'pig', 'dog', 'cat', 'cat', 'dog'] as const).map((c) => code[c]);

  it("matches the docstring's macro (0.22..., 0.33..., 0.26...), micro (0.33...) and weighted values", () => {
    const macro = precisionRecallF1(yTrue, yPred, { average: 'macro' });
    expect(macro.precision).toBeCloseTo(2 / 9, 15);
    expect(macro.recall).toBeCloseTo(1 / 3, 15);
    expect(macro.f1).toBeCloseTo(0.8 / 3, 15);
    const micro = precisionRecallF1(yTrue, yPred, { average: 'micro' });
    expect(micro.precision).toBeCloseTo(1 / 3, 15);
    expect(micro.recall).toBeCloseTo(1 / 3, 15);
    expect(micro.f1).toBeCloseTo(1 / 3, 15);
    const weighted = precisionRecallF1(yTrue, yPred, { average: 'weighted' });
    expect(weighted.precision).toBeCloseTo(2 / 9, 15);
    expect(weighted.recall).toBeCloseTo(1 / 3, 15);
    expect(weighted.f1).toBeCloseTo(0.8 / 3, 15);
  });

  it('gives per-class values by hand: cat predicted 3 times, right twice; dog and pig never right', () => {
    expect(perClassPrecisionRecallF1(yTrue, yPred)).toEqual({
      precision: [2 / 3, 0, 0],
      recall: [1, 0, 0],
      f1: [0.8, 0, 0],
      support: [2, 2, 2],
    });
  });

  it('treats 0/0 as 0 (zero_division=0): a class never predicted and one never present', () => {
    // precision_score docstring, y_pred all 0: precision per class array([0.33..., 0., 0.]).
    expect(perClassPrecisionRecallF1([0, 1, 2, 0, 1, 2], [0, 0, 0, 0, 0, 0]).precision).toEqual([1 / 3, 0, 0]);
    // Class 2 is neither true nor predicted when numClasses = 3: all zeros, and it counts in macro.
    const scores = perClassPrecisionRecallF1([0, 1, 1], [0, 1, 0], 3);
    expect(scores.support).toEqual([1, 2, 0]);
    expect([scores.precision[2], scores.recall[2], scores.f1[2]]).toEqual([0, 0, 0]);
    const macro = precisionRecallF1([0, 1, 1], [0, 1, 0], { average: 'macro', numClasses: 3 });
    expect(macro.recall).toBeCloseTo((1 + 0.5 + 0) / 3, 15);
  });

  it("defaults to 'binary' like sklearn: the positive class's scores, and refuses multiclass labels", () => {
    // TP = 2, FP = 1, FN = 2: precision 2/3, recall 1/2, F1 = 2PR / (P + R) = 4/7.
    const t = [1, 1, 1, 1, 0, 0];
    const p = [1, 1, 0, 0, 1, 0];
    expect(precision(t, p)).toBeCloseTo(2 / 3, 15);
    expect(recall(t, p)).toBeCloseTo(1 / 2, 15);
    expect(f1Score(t, p)).toBeCloseTo(4 / 7, 15);
    // Class 0 as positive: TP = 1, FP = 2, FN = 1.
    expect(precision(t, p, { average: 'binary', positiveLabel: 0 })).toBeCloseTo(1 / 3, 15);
    const err = catchError(() => precision(yTrue, yPred));
    expect(err.message).toBe(
      "Invalid value for `yTrue and yPred`: expected binary labels (0 or 1) for average 'binary', received labels up to 2. " +
        "Pass { average: 'macro' }, 'micro' or 'weighted' for multiclass labels.",
    );
  });

  it('names the averages it knows when given another', () => {
    expect(catchError(() => precisionRecallF1(yTrue, yPred, { average: 'samples' as never })).message).toBe(
      "Invalid value for `average`: expected one of 'binary', 'macro', 'micro', 'weighted', received \"samples\".",
    );
  });
});

describe('classificationReport', () => {
  it("matches scikit-learn's classification_report docstring example", () => {
    // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.classification_report.html
    const report = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], { labelNames: ['class 0', 'class 1', 'class 2'] });
    expect(report.classes.map((c) => c.label)).toEqual(['class 0', 'class 1', 'class 2']);
    const round2 = (x: number) => Math.round(x * 100) / 100;
    expect(report.classes.map((c) => [c.precision, c.recall, c.f1, c.support].map(round2))).toEqual([
      [0.5, 1, 0.67, 1],
      [0, 0, 0, 1],
      [1, 0.67, 0.8, 3],
    ]);
    expect(report.accuracy).toBe(0.6);
    expect([report.macroAvg.precision, report.macroAvg.recall, report.macroAvg.f1].map(round2)).toEqual([0.5, 0.56, 0.49]);
    expect([report.weightedAvg.precision, report.weightedAvg.recall, report.weightedAvg.f1].map(round2)).toEqual([0.7, 0.6, 0.61]);
    expect(report.macroAvg.support).toBe(5);
    // A plain object: it survives JSON (for the registry and display layers).
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('labels rows by class index by default and checks labelNames against the classes', () => {
    expect(classificationReport([0, 1], [0, 1]).classes.map((c) => c.label)).toEqual(['0', '1']);
    expect(catchError(() => classificationReport([0, 1, 2], [0, 1, 2], { labelNames: ['a', 'b'] })).message).toContain(
      '`yTrue[2]`: expected an integer class label from 0 to 1, received 2',
    );
    expect(catchError(() => classificationReport([0, 1], [0, 1], { numClasses: 3, labelNames: ['a', 'b'] })).message).toBe(
      'Invalid value for `labelNames`: expected 3 names, one per class, received 2 names.',
    );
  });
});
