// The zoo's own experiments, trained (briefly) on their real datasets, exported to ONNX and run by onnxruntime on real
// records, digits and e-mails put through the model's own preprocessing: every output within 1e-5 of tfjs's.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCars, loadExperiment, loadMnist, loadModel, loadPenguins, loadSpamAssassin, openRegistry, runExperiment } from '../../kernel-lib/src';
import { frameRows } from '../../kernel-lib/src/data/frame';
import { join } from 'node:path';
import { exportOnnx, loadOnnx } from '../../kernel-lib/src/export';
import { inputTensor } from '../../kernel-lib/src/model-package/inputs';
import { tempDb, tempDir } from '../helpers';

const registry = openRegistry({ db: tempDb() });
const cache = tempDir('labbook-onnx-trained-');

/** Records of a dataset as predict() takes table rows. */
function records(frame: { columns: string[] } & Parameters<typeof frameRows>[0], n: number): Record<string, unknown>[] {
  return frameRows(frame).slice(-n).map((row) => Object.fromEntries(frame.columns.map((c, i) => [c, row[i]])));
}

const CASES: { experiment: string; set: Record<string, unknown>; examples: () => unknown[] }[] = [
  { experiment: 'mnist-mlp', set: { samples: 200, epochs: 1 }, examples: () => digits('mnist') },
  { experiment: 'mnist-cnn', set: { samples: 100, epochs: 1 }, examples: () => digits('mnist-image') },
  { experiment: 'penguins-mlp', set: { samples: 60, epochs: 2 }, examples: () => records(loadPenguins().frame as never, 40) },
  { experiment: 'cars-regression', set: { samples: 60, epochs: 2 }, examples: () => records(loadCars().frame as never, 40) },
  { experiment: 'spam-transformer', set: { samples: 64, epochs: 1, maxLen: 48 }, examples: () => (loadSpamAssassin({ samples: 40, seed: 99 }).frame.values as unknown as string[][]).map((r) => r[3]) },
];

/** 32 real digits of another seeded draw than the experiments', as arrays (flat, or 28x28x1 for the CNN). */
function digits(shape: 'mnist' | 'mnist-image'): unknown[] {
  const data = loadMnist({ samples: 32, seed: 12345 });
  const x = shape === 'mnist' ? data.x! : data.x!.reshape([-1, 28, 28, 1]);
  const out = x.arraySync() as unknown[];
  tf.dispose([data.x!, data.y!, x]);
  return out;
}

describe('ONNX on trained zoo models and real inputs', () => {
  const results: Record<string, { tfjs: Float32Array; onnx: Float32Array; rows: number }> = {};

  beforeAll(async () => {
    for (const c of CASES) {
      const summary = await runExperiment(loadExperiment(c.experiment), { registry, seed: 5, set: c.set as never, progress: false, team: false });
      const ready = await loadModel(summary.id, { registry });
      const dir = join(cache, c.experiment);
      await exportOnnx(ready, dir);
      const session = await loadOnnx(dir);
      // The tensor the network reads: rows through the fitted pipeline, texts through the vocabulary, as serving does.
      const x = inputTensor(c.examples() as never, ready.input, { pipeline: ready.pipeline, vocabulary: ready.vocabulary });
      const tfjs = (ready.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
      const onnx = await session.run(Float32Array.from(x.dataSync()), x.shape);
      results[c.experiment] = { tfjs, onnx, rows: x.shape[0] };
      await session.close();
      x.dispose();
      ready.dispose();
    }
  }, 240_000);

  afterAll(() => registry.close());

  for (const c of CASES) {
    it(`${c.experiment}: every output within 1e-5 of tfjs's`, () => {
      const { tfjs, onnx, rows } = results[c.experiment];
      expect(rows).toBeGreaterThanOrEqual(30);
      expect(onnx).toHaveLength(tfjs.length);
      const worst = Math.max(...Array.from(tfjs, (v, i) => Math.abs(v - onnx[i])));
      expect(worst).toBeLessThanOrEqual(1e-5);
    });
  }
});
