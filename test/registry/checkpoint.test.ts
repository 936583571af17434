import * as tf from '@tensorflow/tfjs';
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { loadModelCheckpoint, saveModelCheckpoint } from '../../kernel-lib/src/repro';
import { onBothStores, registryDb } from '../support/both-stores';

onBothStores();

function model(seed: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model checkpoints in the registry', () => {
  it('round-trips a model through a run: same SHA-256 for same weights, different for one changed weight', async () => {
    const registry = openRegistry({ db: registryDb() });
    const run = registry.startRun({ experiment: 'ckpt', seed: 1 });
    const original = model(1);
    const saved = await saveModelCheckpoint(run, original, { step: 10 });
    const twin = await saveModelCheckpoint(run, model(1), { step: 11 }); // rebuilt: other layer names, same weights
    expect(twin.sha256).toBe(saved.sha256);

    const restored = model(99);
    loadModelCheckpoint(registry, saved.sha256, restored);
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    expect(Array.from((restored.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((original.predict(x) as tf.Tensor).dataSync()));

    const weights = restored.getWeights().map((w) => w.clone());
    const kernel = weights[0].dataSync().slice();
    kernel[5] = Math.fround(kernel[5] * (1 + 2 ** -20)); // the smallest change that float32 keeps
    weights[0] = tf.tensor(kernel, weights[0].shape);
    restored.setWeights(weights);
    const changed = await saveModelCheckpoint(run, restored, { step: 12 });
    expect(changed.sha256).not.toBe(saved.sha256);
    run.end();
    expect(registry.getRun(run.id).checkpoints.map((c) => c.step)).toEqual([10, 11, 12]);
    registry.close();
  });

  it('refuses to load a stored checkpoint whose bytes no longer match their hash', async () => {
    const db = registryDb();
    const registry = openRegistry({ db });
    const run = registry.startRun({ experiment: 'ckpt' });
    const { sha256 } = await saveModelCheckpoint(run, model(2));
    run.end();
    const fd = openSync(join(db, '..', 'objects', sha256), 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, 40);
    closeSync(fd);
    expect(() => loadModelCheckpoint(registry, sha256, model(2))).toThrow(/is corrupt: its bytes hash to [0-9a-f]{64}/);
    registry.close();
  });
});
