import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelConfig } from '../../kernel-lib/src/models';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { inputsFor, TINY, TINY_NAMES } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gradients', () => {
  it.each(TINY_NAMES)('%s: softmax cross-entropy gives every trainable weight a finite, non-zero gradient', (name) => {
    const config: ModelConfig = { ...TINY[name], dropout: 0.1 };
    const model = buildModel(config, { seed: 12 });
    const batch = 6;
    const x = inputsFor(config, batch, 4);
    const rng = createRng(5);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => rng.int(3)), 'int32'), 3);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(variables.length).toBeGreaterThan(0);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor),
      variables,
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const w of model.trainableWeights) {
      const grad = grads[(w.read() as tf.Variable).name];
      expect(grad, w.originalName).toBeDefined();
      const values = Array.from(grad.dataSync());
      expect(values.every(Number.isFinite), `${w.originalName} finite`).toBe(true);
      expect(Math.max(...values.map(Math.abs)), `${w.originalName} non-zero`).toBeGreaterThan(0);
    }
    tf.dispose([x, labels, value, ...Object.values(grads)]);
    model.dispose();
  });
});
