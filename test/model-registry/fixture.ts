/** Tiny runs with a logged model package for the model registry's tests: a hand-built dense net, no training, so each takes milliseconds. */
import * as tf from '@tensorflow/tfjs';
import { logModel } from '../../kernel-lib/src/model-package';
import type { Registry } from '../../kernel-lib/src/registry';
import { serializeWeights } from '../../kernel-lib/src/repro/checkpoint';

export const ROWS = [[1, 2, 3], [-1, 0.5, 2], [0, 0, 1]];

/** A 3 -> 4 -> 2 classifier whose weights depend only on `seed`. */
export function tinyModel(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

/**
 * A finished run that logged a dataset, a metric and a model package (the model of `seed`; its
 * "best" checkpoint is the model of `seed + 100`, so final and best predict differently).
 */
export async function tinyRun(registry: Registry, seed: number, experiment = 'tiny'): Promise<number> {
  const run = registry.startRun({ experiment, config: { seed, hidden: 4 }, seed });
  run.logDataset({ name: 'train', sha256: 'a'.repeat(64), rows: 30, columns: 3, source: 'synthetic' });
  const best = tinyModel(seed + 100);
  const bestCheckpoint = run.saveCheckpoint(await serializeWeights(best), { step: 1 });
  best.dispose();
  run.log({ accuracy: 0.5 + seed / 100 }, 2); // the final checkpoint logModel saves is step 2
  const model = tinyModel(seed);
  await logModel(run, model, { input: { kind: 'tensor' }, task: 'classification', labels: ['no', 'yes'], history: { checkpoint: { best: bestCheckpoint } } });
  model.dispose();
  run.end();
  return run.id;
}
