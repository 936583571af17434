// Random inputs and scikit-learn's own outputs for them (fixtures/sklearn_cases.py regenerates the JSON).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  logLoss,
  mae,
  mse,
  perClassPrecisionRecallF1,
  precisionRecallF1,
  r2,
  rmse,
  rocAuc,
  rocCurve,
  topKAccuracy,
  type Average,
} from '../../kernel-lib/src/metrics';

type Scores = { precision: number; recall: number; f1: number };
interface ClassificationCase {
  numClasses: number;
  yTrue: number[];
  yPred: number[];
  accuracy: number;
  confusion: number[][];
  perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
  report: Record<string, number | Record<string, number>>;
  [average: string]: unknown;
}

const fixtures = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'sklearn-cases.json'), 'utf8'));
const DIGITS = 12;

function close(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], DIGITS));
}

describe(`agreement with ${fixtures.source}`, () => {
  it('accuracy, confusion matrix, per-class and averaged precision/recall/F1, report', () => {
    const cases = fixtures.classification as ClassificationCase[];
    expect(cases.length).toBe(6);
    for (const c of cases) {
      expect(accuracy(c.yTrue, c.yPred)).toBeCloseTo(c.accuracy, DIGITS);
      expect(confusionMatrix(c.yTrue, c.yPred, c.numClasses)).toEqual(c.confusion);
      const per = perClassPrecisionRecallF1(c.yTrue, c.yPred, c.numClasses);
      close(per.precision, c.perClass.precision);
      close(per.recall, c.perClass.recall);
      close(per.f1, c.perClass.f1);
      expect(per.support).toEqual(c.perClass.support);
      for (const average of ['macro', 'micro', 'weighted', 'binary'] as Average[]) {
        const expected = c[average] as Scores | undefined;
        if (!expected) continue;
        const got = precisionRecallF1(c.yTrue, c.yPred, { average, numClasses: c.numClasses });
        close([got.precision, got.recall, got.f1], [expected.precision, expected.recall, expected.f1]);
      }
      const report = classificationReport(c.yTrue, c.yPred, { numClasses: c.numClasses });
      expect(report.accuracy).toBeCloseTo(c.report.accuracy as number, DIGITS);
      for (const [ours, theirs] of [
        [report.macroAvg, c.report['macro avg']],
        [report.weightedAvg, c.report['weighted avg']],
        ...report.classes.map((row) => [row, c.report[row.label]] as const),
      ] as const) {
        const t = theirs as Record<string, number>;
        close([ours.precision, ours.recall, ours.f1, ours.support], [t.precision, t.recall, t['f1-score'], t.support]);
      }
    }
  });

  it('top-k accuracy, with many tied scores', () => {
    expect(fixtures.topK.length).toBe(9);
    for (const c of fixtures.topK) expect(topKAccuracy(c.yTrue, c.scores, c.k)).toBeCloseTo(c.value, DIGITS);
  });

  it('ROC AUC and the ROC curve, with tied scores', () => {
    expect(fixtures.roc.length).toBe(3);
    for (const c of fixtures.roc) {
      expect(rocAuc(c.yTrue, c.scores)).toBeCloseTo(c.auc, DIGITS);
      const curve = rocCurve(c.yTrue, c.scores);
      close(curve.fpr, c.fpr);
      close(curve.tpr, c.tpr);
      close(curve.thresholds.slice(1), c.thresholds);
    }
  });

  it('log loss, binary (matrix and vector) and multiclass', () => {
    expect(fixtures.logLoss.length).toBe(4);
    for (const c of fixtures.logLoss) expect(logLoss(c.yTrue, c.probabilities)).toBeCloseTo(c.value, DIGITS);
  });

  it('mse, rmse, mae and r2, constant yTrue included', () => {
    expect(fixtures.regression.length).toBe(5);
    for (const c of fixtures.regression) {
      close([mse(c.yTrue, c.yPred), rmse(c.yTrue, c.yPred), mae(c.yTrue, c.yPred), r2(c.yTrue, c.yPred)], [c.mse, c.rmse, c.mae, c.r2]);
    }
  });
});
