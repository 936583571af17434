// Tiny zoo configs and seeded inputs shared by the model tests (small shapes keep the cpu backend quick).
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../kernel-lib/src/models';
import { createRng } from '../../kernel-lib/src/repro/rng';

export const TINY = {
  mlp: { kind: 'mlp', inputShape: [12], hidden: [8, 6], outputs: 3 },
  mlpImage: { kind: 'mlp', inputShape: [4, 3], hidden: [5], activation: 'gelu', outputs: 3 },
  cnn: { kind: 'cnn', inputShape: [28, 28, 1], filters: [4, 6], dense: 8, outputs: 3 },
  cnnColor: { kind: 'cnn', inputShape: [32, 32, 3], filters: [4, 4, 4], dense: 8, padding: 'same', outputs: 3 },
  lstm: { kind: 'lstm', inputShape: [6, 3], units: [5, 4], outputs: 3 },
  gru: { kind: 'gru', inputShape: [6, 3], units: [5, 4], outputs: 3 },
  lstmBi: { kind: 'lstm', inputShape: [6, 3], units: [5, 4], bidirectional: true, outputs: 3 },
  gruBi: { kind: 'gru', inputShape: [6, 3], units: [4], bidirectional: true, outputs: 3 },
  transformer: { kind: 'transformer', vocabSize: 20, maxLen: 8, dModel: 8, heads: 2, ffDim: 16, layers: 2, outputs: 3 },
  transformerFirst: {
    kind: 'transformer',
    vocabSize: 20,
    maxLen: 8,
    dModel: 8,
    heads: 4,
    ffDim: 16,
    layers: 1,
    pooling: 'first',
    outputs: 3,
  },
} satisfies Record<string, ModelConfig>;

export type TinyName = keyof typeof TINY;
export const TINY_NAMES = Object.keys(TINY) as TinyName[];

/** A seeded batch for a config: uniform values, or token ids 1..vocab-1 followed by padding (0). */
export function inputsFor(config: ModelConfig, batch = 4, seed = 1): tf.Tensor {
  const rng = createRng(seed);
  if (config.kind === 'transformer') {
    const maxLen = config.maxLen ?? 64;
    const vocab = config.vocabSize ?? 1000;
    const ids = new Int32Array(batch * maxLen);
    for (let b = 0; b < batch; b++) {
      // Row b keeps at least 2 tokens and, for b > 0, at least one padded position.
      const length = b === 0 ? maxLen : 2 + rng.int(maxLen - 2);
      for (let t = 0; t < length; t++) ids[b * maxLen + t] = 1 + rng.int(vocab - 1);
    }
    return tf.tensor2d(ids, [batch, maxLen], 'int32');
  }
  const shape = inputShapeOf(config);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: batch * size }, () => rng.next() * 2 - 1), [batch, ...shape]);
}

function inputShapeOf(config: Exclude<ModelConfig, { kind: 'transformer' }>): number[] {
  if (config.inputShape) return [...config.inputShape];
  return config.kind === 'mlp' ? [784] : config.kind === 'cnn' ? [28, 28, 1] : [100, 10];
}

/** Runs `fn` with a Math.random that throws, so any fallback to it fails the test. */
export function withoutMathRandom<T>(fn: () => T): T {
  const original = Math.random;
  Math.random = () => {
    throw new Error('Math.random called');
  };
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
