import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, topKAccuracy } from '../../kernel-lib/src/metrics';
import { catchError } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('accuracy', () => {
  it("matches scikit-learn's accuracy_score docstring example (0.5)", () => {
    // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.accuracy_score.html
    expect(accuracy([0, 1, 2, 3], [0, 2, 1, 3])).toBe(0.5);
  });

  it('reads typed arrays and tensors alike', () => {
    const t = [1, 0, 1, 1, 2];
    const p = [1, 1, 1, 0, 2];
    expect(accuracy(Int32Array.from(t), Float32Array.from(p))).toBe(0.6);
    const yt = tf.tensor1d(t, 'int32');
    const yp = tf.tensor2d(p, [5, 1]);
    expect(accuracy(yt, yp)).toBe(0.6);
    tf.dispose([yt, yp]);
  });

  it('refuses scores passed where class labels belong, with the fix in the message', () => {
    const err = catchError(() => accuracy([0, 1], [0.2, 0.9]));
    expect(err.message).toBe(
      'Invalid value for `yPred[0]`: expected a non-negative integer class label, received 0.2. ' +
        'Pass predicted class indices (argmax of the scores), not scores or probabilities.',
    );
  });

  it('refuses mismatched lengths, empty inputs, NaN and non-arrays', () => {
    expect(catchError(() => accuracy([0, 1, 1], [0, 1])).message).toBe(
      'Invalid value for `yPred`: expected 3 values, one per entry of `yTrue`, received 2 values.',
    );
    expect(catchError(() => accuracy([], [])).message).toContain('expected at least one value, received an empty array');
    expect(catchError(() => accuracy([0, NaN], [0, 1])).message).toContain('`yTrue[1]`: expected a finite number, received NaN');
    expect(catchError(() => accuracy('0101' as never, [0, 1, 0, 1])).message).toContain('received "0101"');
    expect(catchError(() => accuracy([0, -1], [0, 1])).message).toContain('`yTrue[1]`: expected a non-negative integer class label');
  });
});

describe('topKAccuracy', () => {
  // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.top_k_accuracy_score.html
  const yTrue = [0, 1, 2, 2];
  const scores = [
    [0.5, 0.2, 0.2],
    [0.3, 0.4, 0.2],
    [0.2, 0.4, 0.3],
    [0.7, 0.2, 0.1],
  ];

  it("matches scikit-learn's top_k_accuracy_score docstring example (0.75 for k=2)", () => {
    expect(topKAccuracy(yTrue, scores, 2)).toBe(0.75);
  });

  it('takes a flat row-major array (numClasses inferred or checked) and a 2-D tensor', () => {
    const flat = Float32Array.from(scores.flat());
    expect(topKAccuracy(yTrue, flat, 2)).toBe(0.75);
    expect(topKAccuracy(yTrue, flat, 2, 3)).toBe(0.75);
    const t = tf.tensor2d(scores);
    expect(topKAccuracy(tf.tensor1d(yTrue, 'int32'), t, 2)).toBe(0.75);
    t.dispose();
    expect(catchError(() => topKAccuracy(yTrue, flat, 2, 4)).message).toContain('expected 4 x 4 scores');
  });

  it('k=1 is plain accuracy of the argmax, k >= numClasses is 1', () => {
    // argmax rows: 0, 1, 1, 0 -> hits on rows 0 and 1.
    expect(topKAccuracy(yTrue, scores, 1)).toBe(0.5);
    expect(topKAccuracy(yTrue, scores, 3)).toBe(1);
    expect(topKAccuracy(yTrue, scores, 7)).toBe(1);
  });

  it('breaks ties as scikit-learn does: the higher class index ranks first', () => {
    // All three scores tie: the order is 2, 1, 0 (a stable ascending argsort, reversed).
    const tied = [[0.3, 0.3, 0.3]];
    expect(topKAccuracy([2], tied, 1)).toBe(1);
    expect(topKAccuracy([1], tied, 1)).toBe(0);
    expect(topKAccuracy([1], tied, 2)).toBe(1);
    expect(topKAccuracy([0], tied, 2)).toBe(0);
  });

  it('checks k, the shape of the scores and the labels', () => {
    expect(catchError(() => topKAccuracy(yTrue, scores, 0)).message).toContain('`k`: expected an integer >= 1, received 0');
    expect(catchError(() => topKAccuracy(yTrue, scores.slice(1), 2)).message).toContain('expected 4 rows, one per label, received 3 rows');
    expect(catchError(() => topKAccuracy([0, 1, 2, 3], scores, 2)).message).toContain(
      '`yTrue[3]`: expected an integer class label from 0 to 2, received 3',
    );
    expect(catchError(() => topKAccuracy(yTrue, [[0.5, 0.5], [1, 0, 0], [1, 0, 0], [1, 0, 0]], 2)).message).toContain(
      '`scores[1]`: expected a row of 2 numbers like row 0',
    );
    expect(catchError(() => topKAccuracy(yTrue, [[0.5, 0.2, NaN], ...scores.slice(1)], 2)).message).toContain(
      '`scores[0][2]`: expected a finite number, received NaN',
    );
  });
});

describe('confusionMatrix', () => {
  it("matches scikit-learn's confusion_matrix docstring example", () => {
    // https://scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html
    expect(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
    // The same example with labels ["ant", "bird", "cat"] encoded 0, 1, 2.
    const code = { ant: 0, bird: 1, cat: 2 } as const;
    const t = (['cat', 'ant', 'cat', 'cat', 'ant', 'bird'] as const).map((c) => code[c]);
    const p = (['ant', 'ant', 'cat', 'cat', 'ant', 'cat'] as const).map((c) => code[c]);
    expect(confusionMatrix(t, p)).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
  });

  it('has rows for true classes, columns for predicted ones, and room for absent classes', () => {
    // One sample of class 0 predicted as 1: row 0, column 1.
    expect(confusionMatrix([0], [1], 3)).toEqual([
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(catchError(() => confusionMatrix([0, 3], [0, 1], 3)).message).toContain(
      '`yTrue[1]`: expected an integer class label from 0 to 2, received 3.',
    );
    expect(catchError(() => confusionMatrix([0], [0], 0)).message).toContain('`numClasses`: expected an integer >= 1, received 0');
  });
});
