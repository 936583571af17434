// Small seeded models and data for the training-loop tests (plain tfjs layers, cpu backend).
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../kernel-lib/src/repro/rng';

/** Two Gaussian blobs per class in 4-D: learnable to ~100% in a few epochs. */
export function blobs(n: number, seed: number, classes = 3): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = createRng(seed);
  const xs = new Float32Array(n * 4);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    ys[i] = c;
    for (let d = 0; d < 4; d++) xs[i * 4 + d] = (d === c ? 3 : 0) + rng.normal() * 0.5;
  }
  return { x: tf.tensor2d(xs, [n, 4]), y: tf.tensor1d(ys, 'int32') };
}

export function mlp(seed: number, classes = 3): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: 'zeros' }));
  model.add(tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: 'zeros' }));
  return model;
}
