// Quantization as a recorded child run: float16/uint8 sizes and accuracy beside the source's, and loadModel(child) predicting what stock tfjs predicts from the quantized export.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIris, loadModel, models, openRegistry, type Registry } from '../../kernel-lib/src';
import { compressModel } from '../../kernel-lib/src/compress';
import { tempDb } from '../helpers';
import { FEATURES, trainIris, type IrisSource } from './fixture';

/** The child's tfjs artifacts loaded by tf.loadLayersModel from memory: tfjs's own manifest decoding, no labbook code. */
async function stockLoad(registry: Registry, runId: number): Promise<tf.LayersModel> {
  const json = JSON.parse(Buffer.from(registry.getArtifact(runId, 'tfjs/model.json').bytes).toString('utf8'));
  const [group] = json.weightsManifest;
  const shards = Buffer.concat(group.paths.map((p: string) => Buffer.from(registry.getArtifact(runId, `tfjs/${p}`).bytes)));
  const weightData = shards.buffer.slice(shards.byteOffset, shards.byteOffset + shards.length);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }));
}

describe('compressModel quantizes into a child run', () => {
  let registry: Registry;
  let source: IrisSource;
  beforeAll(async () => {
    registry = openRegistry({ db: tempDb() });
    source = await trainIris(registry);
  }, 120_000);
  afterAll(() => registry?.close());

  for (const [method, ratio, bound] of [['float16', 0.5, 0.01], ['uint8', 0.25, 0.05]] as const) {
    it(`${method}: a child of the source with size ${ratio}x, accuracy within ${bound} of the source's, latency of both`, async () => {
      const result = await compressModel(registry, source.id, { method, evaluate: { x: source.rows, y: source.species }, repeats: 3 });
      const child = registry.getRun(result.runId);
      expect(child.parent).toBe(source.id);
      expect(child.experiment).toBe('compress:iris-mlp');
      expect(child.status).toBe('finished');
      expect(child.tags).toMatchObject({ 'compress.source': String(source.id), 'compress.method': method });
      expect(child.params).toMatchObject({ method, 'source.run': source.id, 'evaluation.rows': 150 });
      const m = result.metrics;
      expect(m.size_ratio).toBe(ratio);
      expect(m.size_bytes).toBe(m.size_bytes_source * ratio);
      expect(m.eval_accuracy_source).toBeGreaterThan(0.9);
      expect(Math.abs(m.eval_accuracy_delta)).toBeLessThanOrEqual(bound);
      expect(m.eval_accuracy_delta).toBeCloseTo(m.eval_accuracy - m.eval_accuracy_source, 12);
      expect(m.latency_ms_p50).toBeGreaterThan(0);
      expect(m.latency_ratio).toBeCloseTo(m.latency_ms_p50 / m.latency_ms_p50_source, 12);
      expect(Object.keys(child.metrics).sort()).toEqual(Object.keys(m).sort());
      expect(result.files.map((f) => f.name).sort()).toEqual(['group1-shard1of1.bin', 'labbook.json', 'model.json']);
    }, 60_000);

    it(`${method}: loadModel(child) predicts what stock tfjs predicts from the quantized export, within 1e-6`, async () => {
      const { runId } = await compressModel(registry, source.id, { method, evaluate: { x: source.rows, y: source.species }, repeats: 1 });
      const ready = await loadModel(runId, { registry });
      const original = await loadModel(source.id, { registry });
      const stock = await stockLoad(registry, runId);
      const x = tf.tensor2d(ready.pipeline!.transform(loadIris().frame).loc({ columns: FEATURES }).values as number[][]);
      const expected = tf.softmax(stock.predict(x) as tf.Tensor).arraySync() as number[][];
      const before = tf.softmax(original.model.predict(x) as tf.Tensor).arraySync() as number[][];
      const got = ready.predict(source.rows);
      const labels = ready.labels!;
      let changed = 0;
      got.forEach((p, i) => labels.forEach((l, j) => {
        expect(Math.abs((p as { probabilities: Record<string, number> }).probabilities[l] - expected[i][j])).toBeLessThanOrEqual(1e-6);
        changed = Math.max(changed, Math.abs(before[i][j] - expected[i][j]));
      }));
      // The quantization did change the model: the check above is not the source compared with itself.
      expect(changed).toBeGreaterThan(1e-6);
      tf.dispose([x]);
      stock.dispose();
      ready.dispose();
      original.dispose();
    }, 60_000);
  }

  it("takes a registered model ('iris@champion') and records which", async () => {
    models.registerModel(registry, 'iris', source.id);
    models.setAlias(registry, 'iris', 'champion', 1);
    const result = await compressModel(registry, 'iris@champion', { method: 'float16', evaluate: { x: source.rows, y: source.species }, repeats: 1 });
    expect(result.sourceRunId).toBe(source.id);
    expect(registry.getRun(result.runId).params).toMatchObject({ 'source.model': 'iris@champion', 'source.run': source.id });
  }, 60_000);
});
