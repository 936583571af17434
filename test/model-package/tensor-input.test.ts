// predict() on nested arrays of a tensor model: the packed fast path gives what the tensor itself gives, and anything else still gets tfjs's reading or the shape error.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadyModel } from '../../kernel-lib/src';
import { buildModel } from '../../kernel-lib/src/models';
import { TINY } from '../models/fixtures';
import { labbookError } from '../helpers';

describe('predict() on nested arrays of examples', () => {
  const model = buildModel(TINY.lstm, { seed: 3 });
  const ready = new ReadyModel(1, model, 'classification', ['a', 'b', 'c'], { kind: 'tensor', shape: [6, 3] }, 'logits', null, null);
  afterAll(() => model.dispose());
  const examples = Array.from({ length: 5 }, (_, n) => Array.from({ length: 6 }, (_, t) => Array.from({ length: 3 }, (_, f) => Math.fround(Math.sin(n * 18 + t * 3 + f)))));

  it('gives exactly what the same values as a tensor give', () => {
    const x = tf.tensor3d(examples);
    expect(ready.predict(examples)).toEqual(ready.predict(x));
    x.dispose();
  });

  it('reads booleans as tfjs does (the generic path), and names a wrong shape', () => {
    const withBooleans = examples.map((e) => e.map((step) => [true, ...step.slice(1)]));
    const ones = examples.map((e) => e.map((step) => [1, ...step.slice(1)]));
    expect(ready.predict(withBooleans as never)).toEqual(ready.predict(ones));
    const error = labbookError(() => ready.predict([examples[0].slice(1)]));
    expect(error.message).toContain('expected examples of shape [6, 3]');
    expect(error.message).toContain('received "a batch of shape [1, 5, 3]"');
  });
});
