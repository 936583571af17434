import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOG_LOSS_EPS, logLoss } from '../../kernel-lib/src/metrics';
import { catchError } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('logLoss', () => {
  // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.log_loss.html
  // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) -> 0.21616...
  // with sklearn's sorted label order: ham 0, spam 1.
  const yTrue = [1, 0, 0, 1];
  const probs = [
    [0.1, 0.9],
    [0.9, 0.1],
    [0.8, 0.2],
    [0.35, 0.65],
  ];

  it("matches scikit-learn's log_loss docstring example (0.21616...)", () => {
    expect(logLoss(yTrue, probs)).toBeCloseTo(0.21616187468057912, 14);
    // By hand: -(ln 0.9 + ln 0.9 + ln 0.8 + ln 0.65) / 4.
    expect(logLoss(yTrue, probs)).toBeCloseTo(-(2 * Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, 15);
  });

  it('gives the same value for P(class 1) as a vector (binary), flat rows, and tensors', () => {
    expect(logLoss(yTrue, [0.9, 0.1, 0.2, 0.65])).toBeCloseTo(0.21616187468057912, 14);
    expect(logLoss(yTrue, probs.flat())).toBeCloseTo(0.21616187468057912, 14);
    const t = tf.tensor2d(probs);
    const v = tf.tensor1d([0.9, 0.1, 0.2, 0.65]);
    expect(logLoss(yTrue, t)).toBeCloseTo(0.21616187468057912, 6);
    expect(logLoss(yTrue, v)).toBeCloseTo(0.21616187468057912, 6);
    tf.dispose([t, v]);
  });

  it('clips with eps, so a confident mistake costs -log(eps) rather than Infinity', () => {
    expect(logLoss([0, 1], [[0, 1], [0, 1]])).toBeCloseTo(-Math.log(LOG_LOSS_EPS) / 2, 10);
    expect(logLoss([0], [[0, 1]], { eps: 1e-15 })).toBeCloseTo(-Math.log(1e-15), 10);
    expect(logLoss([1, 0], [1, 0])).toBeCloseTo(-Math.log(1 - LOG_LOSS_EPS), 20);
  });

  it('handles multiclass rows: by hand with three classes', () => {
    const p = [
      [0.7, 0.2, 0.1],
      [0.1, 0.1, 0.8],
    ];
    expect(logLoss([0, 1], p)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.1)) / 2, 15);
  });

  it('refuses logits, rows that do not sum to 1, and labels outside the columns', () => {
    expect(catchError(() => logLoss([0, 1], [[2.5, -1], [0, 1]])).message).toBe(
      'Invalid value for `probabilities[0][0]`: expected a probability from 0 to 1, received 2.5. Apply softmax (or sigmoid) to logits first.',
    );
    expect(catchError(() => logLoss([0, 1], [[0.5, 0.4], [0, 1]])).message).toContain(
      '`probabilities[0]`: expected a row of probabilities summing to 1, received a row summing to 0.9',
    );
    expect(catchError(() => logLoss([0, 2], probs.slice(2))).message).toContain('`yTrue[1]`: expected an integer class label from 0 to 1, received 2');
    expect(catchError(() => logLoss([0, 2], [0.3, 0.9])).message).toContain('`yTrue[1]`: expected an integer class label from 0 to 1, received 2');
    expect(catchError(() => logLoss([0, 1, 1], [0.1, 0.2, 0.3, 0.4])).message).toContain('expected 3 x k scores');
    expect(catchError(() => logLoss([0, 1], [0.1, 0.2], { eps: 0.7 })).message).toContain('`eps`: expected a number from 0 to below 0.5');
  });
});
