import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, modelDefaults, MODEL_KINDS, type ModelConfig } from '../../kernel-lib/src/models';
import { serializeWeights } from '../../kernel-lib/src/repro/checkpoint';
import { sha256 } from '../../kernel-lib/src/repro/hash';
import { inputsFor, TINY, TINY_NAMES, withoutMathRandom } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function weightHash(config: ModelConfig, seed: number): Promise<string> {
  const model = buildModel(config, { seed });
  try {
    return sha256(await serializeWeights(model));
  } finally {
    model.dispose();
  }
}

describe('buildModel output shapes', () => {
  it.each(TINY_NAMES)('%s: [batch, outputs] for classification and regression', (name) => {
    const cases: [ModelConfig, number][] = [
      [{ ...TINY[name], task: 'classification', outputs: 3 }, 3],
      [{ ...TINY[name], task: 'regression', outputs: 2 }, 2],
      [{ ...TINY[name], task: 'regression', outputs: undefined }, 1],
    ];
    for (const [config, outputs] of cases) {
      const model = buildModel(config, { seed: 5 });
      const x = inputsFor(config, 4);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([4, outputs]);
      expect(model.outputs[0].shape).toEqual([null, outputs]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('classification heads give logits, not probabilities', () => {
    for (const name of TINY_NAMES) {
      const model = buildModel(TINY[name], { seed: 3 });
      const x = inputsFor(TINY[name], 4);
      const logits = model.predict(x) as tf.Tensor2D;
      const rows = logits.arraySync();
      // A softmax output is never negative and its rows sum to 1.
      expect(rows.flat().some((v) => v < 0), name).toBe(true);
      expect(rows.some((r) => Math.abs(r.reduce((a, b) => a + b, 0) - 1) > 1e-3), name).toBe(true);
      tf.dispose([x, logits]);
      model.dispose();
    }
  });

  it('builds every default config, with the input shapes of the brief', () => {
    const inputs = MODEL_KINDS.map((kind) => {
      const model = buildModel({ kind }, { seed: 1 });
      const shape = model.inputs[0].shape;
      model.dispose();
      return [kind, shape];
    });
    expect(Object.fromEntries(inputs)).toEqual({
      mlp: [null, 784],
      cnn: [null, 28, 28, 1],
      lstm: [null, 100, 10],
      gru: [null, 100, 10],
      transformer: [null, 64],
    });
  });
});

describe('seeding', () => {
  const configs: Record<string, ModelConfig> = {
    ...Object.fromEntries(MODEL_KINDS.map((kind) => [kind, modelDefaults(kind)])),
    lstmBi: { kind: 'lstm', bidirectional: true },
    gruBi: { kind: 'gru', units: [16], bidirectional: true },
    cnnColor: TINY.cnnColor,
  };

  it.each(Object.keys(configs))('%s: the same seed gives bit-identical weights, another seed different ones', async (name) => {
    const config = configs[name];
    const first = await weightHash(config, 42);
    expect(await weightHash(config, 42)).toBe(first);
    expect(await weightHash(config, 43)).not.toBe(first);
  });

  it('gives every random weight its own draw: all kernels change with the seed, and no two are equal', async () => {
    for (const name of TINY_NAMES) {
      const a = buildModel(TINY[name], { seed: 1 });
      const b = buildModel(TINY[name], { seed: 2 });
      const valuesA = a.getWeights().map((w) => Array.from(w.dataSync()));
      const valuesB = b.getWeights().map((w) => Array.from(w.dataSync()));
      const random = valuesA.map((v) => new Set(v).size > 2); // zeros/ones biases and norms are constant
      valuesA.forEach((v, i) => {
        if (random[i]) expect(valuesB[i], `${name} ${a.weights[i].originalName}`).not.toEqual(v);
        else expect(valuesB[i]).toEqual(v);
      });
      const kernels = valuesA.filter((_, i) => random[i]).map((v) => v.slice(0, 4).join(','));
      expect(new Set(kernels).size, name).toBe(kernels.length);
      a.dispose();
      b.dispose();
    }
  });

  it('gives the two directions of a bidirectional layer different initial weights', () => {
    const model = buildModel(TINY.lstmBi, { seed: 9 });
    const forward = model.getLayer('lstm_1_forward').getWeights();
    const backward = model.getLayer('lstm_1_backward').getWeights();
    expect(forward[0].dataSync()).not.toEqual(backward[0].dataSync());
    expect(forward[1].dataSync()).not.toEqual(backward[1].dataSync());
    model.dispose();
  });
});

describe('no Math.random', () => {
  it('catches tfjs falling back to Math.random (the trap works)', () => {
    expect(() => withoutMathRandom(() => tf.initializers.glorotUniform({}).apply([3, 3]))).toThrow('Math.random called');
  });

  it.each(TINY_NAMES)('%s: building, predicting and training-mode passes (with dropout) never call it', (name) => {
    const config: ModelConfig = { ...TINY[name], dropout: 0.3 };
    const x = inputsFor(config, 3);
    const model = withoutMathRandom(() => buildModel(config, { seed: 11 }));
    withoutMathRandom(() => {
      tf.tidy(() => {
        model.apply(x, { training: true });
        model.apply(x, { training: true });
        model.predict(x);
      });
    });
    model.dispose();
    x.dispose();
  });

  it('builds the default configs without it too', () => {
    withoutMathRandom(() => {
      for (const kind of MODEL_KINDS) buildModel({ kind, dropout: 0.1 }, { seed: 1 }).dispose();
    });
  });
});

describe('memory', () => {
  it.each(TINY_NAMES)('%s: build + predict + training pass inside tf.tidy leaves only the weights, and dispose frees them', (name) => {
    const config: ModelConfig = { ...TINY[name], dropout: 0.2 };
    const x = inputsFor(config, 3);
    const before = tf.memory().numTensors;
    let model!: tf.LayersModel;
    tf.tidy(() => {
      model = buildModel(config, { seed: 4 });
      model.predict(x);
      model.apply(x, { training: true });
    });
    expect(tf.memory().numTensors - before).toBe(model.weights.length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
