// exportOnnx's guarantees besides equivalence: same bytes for the same model, int8 size and exact dequantized weights, sidecar lineage from a run, refusals (corrupt file, unsupported layer, bad options).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, ReadyModel } from '../../kernel-lib/src';
import { exportOnnx, exportTfjs, loadOnnx } from '../../kernel-lib/src/export';
import { int8Symmetric } from '../../kernel-lib/src/export/onnx';
import { logModel } from '../../kernel-lib/src/model-package';
import { registerModel, setAlias } from '../../kernel-lib/src/model-registry';
import { buildModel, type ModelConfig } from '../../kernel-lib/src/models';
import { inputsFor, TINY } from '../models/fixtures';
import { tempDb, tempDir } from '../helpers';

const ready = (model: tf.LayersModel, shape: number[]) => new ReadyModel(1, model, 'classification', null, { kind: 'tensor', shape }, 'logits', null, null);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('exportOnnx: bytes, sizes, int8 weights', () => {
  const root = tempDir('labbook-onnx-checks-');
  // A wider MLP than the fixtures so the weights, not the graph's names, make up the file.
  const wide: ModelConfig = { kind: 'mlp', inputShape: [64], hidden: [128, 64], outputs: 10 };
  let model: tf.LayersModel;

  beforeAll(() => {
    model = buildModel(wide, { seed: 3 });
  });
  afterAll(() => model.dispose());

  it('writes the same bytes for the same model, also rebuilt from the same seed', async () => {
    const a = await exportOnnx(ready(model, [64]), join(root, 'a'));
    const again = buildModel(wide, { seed: 3 });
    const b = await exportOnnx(ready(again, [64]), join(root, 'b'));
    again.dispose();
    expect(b.sha256).toBe(a.sha256);
    expect(readFileSync(b.path)).toEqual(readFileSync(a.path));
    const transformer = buildModel(TINY.transformer, { seed: 4 });
    const t1 = await exportOnnx(ready(transformer, [8]), join(root, 't1'), { quantize: 'int8' });
    const t2 = await exportOnnx(ready(transformer, [8]), join(root, 't2'), { quantize: 'int8' });
    transformer.dispose();
    expect(t2.sha256).toBe(t1.sha256);
  });

  it('int8 is about 1/4 of float32, and onnxruntime computes with exactly the dequantized weights at optimization basic', async () => {
    const f32 = await exportOnnx(ready(model, [64]), join(root, 'f32'));
    const int8 = await exportOnnx(ready(model, [64]), join(root, 'int8'), { quantize: 'int8' });
    const weightBytes = model.countParams() * 4;
    expect(f32.bytes).toBeGreaterThan(weightBytes);
    expect(int8.bytes / f32.bytes).toBeGreaterThan(0.24);
    expect(int8.bytes / f32.bytes).toBeLessThan(0.28);
    expect(int8.sidecar.quantization).toBe('int8');
    // tfjs with every matrix replaced by code * scale (biases kept) predicts what the int8 file does.
    const x = inputsFor(wide, 32, 9);
    const original = model.getWeights().map((w) => w.clone());
    const dequantized = (w: tf.Tensor): tf.Tensor => {
      const q = int8Symmetric(w.dataSync() as Float32Array);
      return tf.tensor(Float32Array.from(q.codes, (c) => c * q.scale), w.shape);
    };
    model.setWeights(original.map((w) => (w.rank < 2 ? w : dequantized(w))));
    const want = (model.predict(x) as tf.Tensor).dataSync();
    model.setWeights(original);
    // onnxruntime's default optimizations fuse DequantizeLinear + MatMul into its own int8 kernel: close, not exact.
    const exact = await loadOnnx(join(root, 'int8'), { optimization: 'basic' });
    const fused = await loadOnnx(join(root, 'int8'));
    const data = Float32Array.from(x.dataSync());
    expect(maxDiff(await exact.run(data, x.shape), want)).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(await fused.run(data, x.shape), want)).toBeLessThanOrEqual(2e-2);
    await exact.close();
    await fused.close();
    x.dispose();
  });

  it('int8 codes are symmetric: zero point 0, range [-127, 127], within half a step of each weight', () => {
    const w = Float32Array.from([-0.5, 0.25, 0.001, 0.5, -0.3]);
    const q = int8Symmetric(w);
    expect(q.scale).toBeCloseTo(0.5 / 127, 9);
    expect(Array.from(q.codes)).toEqual([-127, 64, 0, 127, -76]);
    w.forEach((v, i) => expect(Math.abs(q.codes[i] * q.scale - v)).toBeLessThanOrEqual(q.scale / 2 + 1e-9));
  });
});

describe('exportOnnx from a run, and what it refuses', () => {
  const root = tempDir('labbook-onnx-run-');
  let db: string;
  let id: number;

  beforeAll(async () => {
    db = tempDb();
    const registry = openRegistry({ db });
    id = await registry.withRun({ experiment: 'onnx' }, async (run) => {
      const model = buildModel({ ...TINY.mlp, task: 'classification' }, { seed: run.seed });
      await logModel(run, model, { input: { kind: 'tensor' }, labels: ['x', 'y', 'z'] });
      model.dispose();
      return run.id;
    });
    registry.close();
  });

  it('records the run, its checkpoint, labels and input contract; a .onnx path names the file', async () => {
    const result = await exportOnnx(id, join(root, 'iris.onnx'), { db });
    expect(result.path).toBe(join(root, 'iris.onnx'));
    const registry = openRegistry({ db });
    const pkg = JSON.parse(Buffer.from(registry.getArtifact(id, 'model').bytes).toString('utf8'));
    registry.close();
    const sidecar = JSON.parse(readFileSync(join(root, 'labbook.json'), 'utf8'));
    expect(sidecar).toMatchObject({
      kind: 'labbook-onnx-export',
      source: { runId: id, checkpoint: 'final', checkpointSha256: pkg.weights.final },
      labels: ['x', 'y', 'z'],
      input: { kind: 'tensor', shape: [12] },
      outputs: 'logits',
      quantization: null,
      onnx: { file: 'iris.onnx', opset: 17, inputShape: [12], outputShape: [3] },
      files: { 'iris.onnx': result.sha256 },
    });
    const m = await loadOnnx(result.path);
    expect(await m.run(new Float32Array(24), [2, 12])).toHaveLength(6);
    await expect(m.run(new Float32Array(24), [2, 3, 4])).rejects.toThrow('Invalid value for `batchShape`: expected [batch, 12], received an array of 3.');
    await m.close();
  });

  it("takes a registered 'name@alias' as the tfjs exporter's loadModel does", async () => {
    const registry = openRegistry({ db });
    const version = registerModel(registry, 'iris', id);
    setAlias(registry, 'iris', 'champion', version.version);
    const result = await exportOnnx('iris@champion', join(root, 'champion'), { registry });
    registry.close();
    expect(result.sidecar.source).toMatchObject({ runId: id, checkpoint: null });
    await expect(exportOnnx('iris@champion', join(root, 'x'), { db, checkpoint: 'best' })).rejects.toThrow(/^Invalid value for `checkpoint`: expected no checkpoint with a ReadyModel or a model version/);
  });

  it('loadOnnx refuses a corrupt model.onnx with the hash error', async () => {
    const dir = join(root, 'corrupt');
    await exportOnnx(id, dir, { db });
    const bytes = readFileSync(join(dir, 'model.onnx'));
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(join(dir, 'model.onnx'), bytes);
    await expect(loadOnnx(dir)).rejects.toMatchObject({
      code: 'HASH_MISMATCH',
      message: expect.stringMatching(/model\.onnx is corrupt: expected SHA-256 [0-9a-f]{64}, received [0-9a-f]{64}\. Export the model again with exportOnnx/),
    });
  });

  it('names an unsupported layer, its class and what is supported', async () => {
    const input = tf.input({ shape: [4], name: 'input' });
    const normed = tf.layers.batchNormalization({ name: 'norm' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'head' }).apply(normed) as tf.SymbolicTensor });
    await expect(exportOnnx(ready(model, [4]), join(root, 'bn'))).rejects.toMatchObject({
      code: 'MODEL_FORMAT',
      message: expect.stringMatching(/^Cannot export layer "norm" \(BatchNormalization\) to ONNX: expected one of the supported layers, each applied once \(Dense, Conv2D, .*LSTM, GRU.*\), received BatchNormalization\. Export this model with exportTfjs\(\) instead/),
    });
    model.dispose();
  });

  it('refuses bad options and a folder that holds a tfjs export', async () => {
    await expect(exportOnnx(id, join(root, 'c'), { db, quantize: 'uint8' as never })).rejects.toThrow('Invalid value for `quantize`: expected "int8" or null, received "uint8".');
    await expect(exportOnnx(0, join(root, 'c'), { db })).rejects.toThrow(/^Invalid value for `source`: expected a run id/);
    await exportTfjs(id, join(root, 'tfjs'), { db });
    await expect(exportOnnx(id, join(root, 'tfjs'), { db })).rejects.toThrow(/labbook\.json is not an ONNX export sidecar: expected \{kind: "labbook-onnx-export", version: 1, \.\.\.\}, received .*Export to a folder of its own/);
    await expect(loadOnnx(join(root, 'nothing-here'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
