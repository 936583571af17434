// ONNX int8 as a recorded compression: the child run, its dequantized checkpoint against onnxruntime's int8 session, determinism, and `labbook diff` beside float16.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, LabelEncoder, loadIris, loadModel, logModel, openRegistry, Pipeline, Standardizer, type Registry } from '../../kernel-lib/src';
import { compressModel, type CompressResult } from '../../kernel-lib/src/compress';
import { loadOnnx } from '../../kernel-lib/src/export/onnx';
import { runCli, tempDb, tempDir } from '../helpers';
import { FEATURES, trainIris, type IrisSource } from './fixture';

describe("compressModel({method: 'onnx-int8'})", () => {
  let db: string;
  let registry: Registry;
  let source: IrisSource;
  let first: CompressResult;
  let second: CompressResult;
  beforeAll(async () => {
    db = tempDb();
    registry = openRegistry({ db });
    source = await trainIris(registry);
    const evaluate = { x: source.rows, y: source.species };
    first = await compressModel(registry, source.id, { method: 'onnx-int8', evaluate, repeats: 3 });
    second = await compressModel(registry, source.id, { method: 'onnx-int8', evaluate, repeats: 1 });
  }, 120_000);
  afterAll(() => registry?.close());

  it('records a child run of the source: config, tags, the int8 model.onnx and labbook.json as artifacts, the metrics', () => {
    const child = registry.getRun(first.runId);
    expect(child.parent).toBe(source.id);
    expect(child.experiment).toBe('compress:iris-mlp');
    expect(child.status).toBe('finished');
    expect(child.tags).toMatchObject({ 'compress.source': String(source.id), 'compress.method': 'onnx-int8' });
    expect(child.params).toMatchObject({ method: 'onnx-int8', 'source.run': source.id, 'evaluation.rows': 150, repeats: 3, runtime: 'onnxruntime-node 1.30', 'quantization.dtype': 'int8', 'quantization.scheme': 'symmetric', 'quantization.granularity': 'per-tensor' });
    expect(first.files.map((f) => f.name).sort()).toEqual(['labbook.json', 'model.onnx']);
    const sidecar = JSON.parse(Buffer.from(registry.getArtifact(first.runId, 'onnx/labbook.json').bytes).toString('utf8'));
    expect(sidecar).toMatchObject({ kind: 'labbook-onnx-export', quantization: 'int8' });
    expect(registry.getArtifact(first.runId, 'onnx/model.onnx').bytes.length).toBe(first.metrics.size_bytes);
    const m = first.metrics;
    expect(Object.keys(child.metrics).sort()).toEqual(Object.keys(m).sort());
    expect(Object.keys(m).sort()).toEqual(['eval_accuracy', 'eval_accuracy_delta', 'eval_accuracy_source', 'gzip_size_bytes', 'gzip_size_bytes_source', 'latency_ms_p50', 'latency_ms_p50_source', 'latency_ratio', 'size_bytes', 'size_bytes_source', 'size_ratio']);
    expect(m.eval_accuracy_source).toBeGreaterThan(0.9);
    expect(Math.abs(m.eval_accuracy_delta)).toBeLessThanOrEqual(0.02);
    expect(m.eval_accuracy_delta).toBeCloseTo(m.eval_accuracy - m.eval_accuracy_source, 12);
    expect(m.latency_ms_p50).toBeGreaterThan(0);
    expect(m.latency_ratio).toBeCloseTo(m.latency_ms_p50 / m.latency_ms_p50_source, 12);
    expect(m.size_ratio).toBeCloseTo(m.size_bytes / m.size_bytes_source, 12);
  });

  it('is about a quarter of the float32 ONNX file once the weights outweigh the graph (an untrained 4-256-256-3 MLP), less so for the tiny iris MLP', async () => {
    const { frame } = loadIris();
    const wide = await registry.withRun({ experiment: 'iris-wide', seed: 5 }, async (run) => {
      const prep = new Pipeline().add(new Standardizer(), FEATURES).add(new LabelEncoder(), ['species']).fit(frame);
      const model = buildModel({ kind: 'mlp', task: 'classification', outputs: 3, inputShape: [4], hidden: [256, 256] }, { seed: run.seed });
      await logModel(run, model, { input: { kind: 'table', features: FEATURES, pipeline: prep, target: 'species' } });
      model.dispose();
      return run.id;
    });
    const { metrics } = await compressModel(registry, wide, { method: 'onnx-int8', evaluate: { x: source.rows, y: source.species }, repeats: 1 });
    // 67,328 kernel values at 1 byte instead of 4; 515 float32 biases, names and nodes are in both files.
    expect(metrics.size_ratio).toBeGreaterThan(0.25);
    expect(metrics.size_ratio).toBeLessThan(0.27);
    expect(metrics.gzip_size_bytes).toBeLessThan(metrics.gzip_size_bytes_source);
    // The iris MLP's 448 kernel values are 1,792 of its float32 file's bytes: the rest does not shrink.
    expect(first.metrics.size_ratio).toBeGreaterThan(0.25);
    expect(first.metrics.size_ratio).toBeLessThan(0.7);
  }, 60_000);

  it("loadModel(child) computes what the int8 ONNX model computes at optimization 'basic', within 1e-5", async () => {
    const dir = tempDir('labbook-onnx-int8-');
    for (const name of ['model.onnx', 'labbook.json']) writeFileSync(join(dir, name), registry.getArtifact(first.runId, `onnx/${name}`).bytes);
    const session = await loadOnnx(dir, { optimization: 'basic' });
    const ready = await loadModel(first.runId, { registry });
    const original = await loadModel(source.id, { registry });
    try {
      const features = ready.pipeline!.transform(loadIris().frame).loc({ columns: FEATURES }).values as number[][];
      const x = tf.tensor2d(features);
      const got = (ready.model.predict(x) as tf.Tensor).dataSync();
      const before = (original.model.predict(x) as tf.Tensor).dataSync();
      const want = await session.run(Float32Array.from(features.flat()), [features.length, 4]);
      expect(got.length).toBe(want.length);
      let worst = 0;
      let changed = 0;
      want.forEach((w, i) => {
        worst = Math.max(worst, Math.abs(got[i] - w));
        changed = Math.max(changed, Math.abs(before[i] - w));
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
      // The int8 weights did change the outputs: the check above is not the source against itself.
      expect(changed).toBeGreaterThan(1e-4);
      x.dispose();
    } finally {
      await session.close();
      ready.dispose();
      original.dispose();
    }
  }, 60_000);

  it('is deterministic: the same source gives the same checkpoint and the same model.onnx bytes', () => {
    const sha = (id: number) => registry.getRun(id).checkpoints.at(-1)!.sha256;
    expect(sha(second.runId)).toBe(sha(first.runId));
    expect(sha(first.runId)).not.toBe(sha(source.id));
    expect(Buffer.from(registry.getArtifact(second.runId, 'onnx/model.onnx').bytes).equals(Buffer.from(registry.getArtifact(first.runId, 'onnx/model.onnx').bytes))).toBe(true);
  });

  it('`labbook diff` of a float16 child and the onnx-int8 child shows both methods and their trade-offs side by side', async () => {
    const half = await compressModel(registry, source.id, { method: 'float16', evaluate: { x: source.rows, y: source.species }, repeats: 1 });
    const result = await runCli(['diff', String(half.runId), String(first.runId), '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(new RegExp(`run ${half.runId}\\s+run ${first.runId}`));
    expect(out).toMatch(/method\s+float16\s+onnx-int8/);
    expect(out).toMatch(/runtime\s+.*onnxruntime-node 1\.30/);
    expect(out).toMatch(/^ {2}size_ratio +0\.5 +0\.\d+/m);
    expect(out).toMatch(/^ {2}eval_accuracy_delta +/m);
  }, 60_000);
});
