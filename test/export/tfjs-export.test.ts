// exportTfjs: every zoo kind written as tfjs's layers format, loaded by stock tfjs in a fresh process (float32, float16, uint8), hashes, corruption and bad options.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { openRegistry, ReadyModel } from '../../kernel-lib/src';
import { exportTfjs, loadExport, toFloat16Bytes, toUint8, verifyExport } from '../../kernel-lib/src/export';
import { logModel } from '../../kernel-lib/src/model-package';
import { buildModel, type ModelConfig } from '../../kernel-lib/src/models';
import { inputsFor, TINY } from '../models/fixtures';
import { ROOT, runNode, tempDb, tempDir } from '../helpers';

const KINDS = {
  mlp: { ...TINY.mlp, dropout: 0.2 },
  cnn: TINY.cnn,
  lstm: TINY.lstm,
  gruBi: TINY.gruBi,
  transformer: TINY.transformer,
} satisfies Record<string, ModelConfig>;
type Kind = keyof typeof KINDS;
const QUANT = [null, 'float16', 'uint8'] as const;
const TFJS = JSON.stringify(require.resolve('@tensorflow/tfjs', { paths: [ROOT] }));
const DIST = JSON.stringify(join(ROOT, 'kernel-lib', 'dist'));

/** A .cjs loader that uses nothing but @tensorflow/tfjs (over http: pure tfjs has no file:// in Node), or labbook's layers too. */
function loaderScript(withLabbook: boolean): string {
  return `
const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
const tf = require(${TFJS});
${withLabbook ? `require(${DIST});` : ''}
const [root, casesFile] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
const server = http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(req.url));
  fs.readFile(file, (err, body) => { if (err) { res.statusCode = 404; res.end(); } else res.end(body); });
});
server.listen(0, '127.0.0.1', async () => {
  const out = {};
  for (const c of cases) {
    const model = await tf.loadLayersModel(${withLabbook ? '`file://${path.join(root, c.dir)}/model.json`' : '`http://127.0.0.1:${server.address().port}/${c.dir}/model.json`'});
    const x = tf.tensor(c.x, c.shape, c.dtype);
    out[c.dir] = Array.from(model.predict(x).dataSync());
  }
  process.stdout.write(JSON.stringify(out));
  server.close();
});`;
}

/** The original model with its weights replaced by what the loader decodes from the quantized bytes. */
function dequantized(model: tf.LayersModel, kind: 'float16' | 'uint8'): Float32Array[] {
  return model.getWeights().map((w) => {
    const values = w.dataSync() as Float32Array;
    if (kind === 'float16') {
      const out = tf.io.decodeWeights(toFloat16Bytes(values).slice().buffer, [{ name: 'w', shape: [values.length], dtype: 'float32', quantization: { dtype: 'float16' } }]);
      return out.w.dataSync() as Float32Array;
    }
    const q = toUint8(values);
    const { scale, min } = q.spec as { scale: number; min: number };
    return Float32Array.from(q.bytes, (v) => v * scale + min);
  });
}

function predictWith(model: tf.LayersModel, weights: Float32Array[] | null, x: tf.Tensor): number[] {
  const saved = model.getWeights().map((w) => w.clone());
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, saved[i].shape)));
  const y = Array.from((model.predict(x) as tf.Tensor).dataSync());
  model.setWeights(saved);
  saved.forEach((w) => w.dispose());
  return y;
}

const maxAbs = (a: number[]) => Math.max(...a.map(Math.abs));
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe('exportTfjs: stock tf.loadLayersModel reads every zoo kind, quantized or not', () => {
  const root = tempDir('labbook-export-');
  const models = {} as Record<Kind, tf.LayersModel>;
  const inputs = {} as Record<Kind, tf.Tensor>;
  let loaded: Record<string, number[]> = {};
  const sizes: Record<string, number> = {};

  beforeAll(async () => {
    const stock: unknown[] = [];
    const custom: unknown[] = [];
    for (const [kind, config] of Object.entries(KINDS) as [Kind, ModelConfig][]) {
      models[kind] = buildModel(config, { seed: 11 });
      inputs[kind] = inputsFor(config, 4, 5);
      const ready = new ReadyModel(1, models[kind], 'classification', ['a', 'b', 'c'], { kind: 'tensor', shape: inputs[kind].shape.slice(1) }, 'logits', null, null);
      for (const q of QUANT) {
        const dir = `${kind}-${q ?? 'float32'}`;
        const result = await exportTfjs(ready, join(root, dir), { quantize: q, shardBytes: kind === 'cnn' ? 1024 : undefined });
        sizes[dir] = result.weightBytes;
        const x = inputs[kind];
        (kind === 'transformer' ? custom : stock).push({ dir, x: Array.from(x.dataSync()), shape: x.shape, dtype: x.dtype });
      }
    }
    writeFileSync(join(root, 'stock.json'), JSON.stringify(stock));
    writeFileSync(join(root, 'custom.json'), JSON.stringify(custom));
    writeFileSync(join(root, 'stock.cjs'), loaderScript(false));
    writeFileSync(join(root, 'custom.cjs'), loaderScript(true));
    for (const which of ['stock', 'custom']) {
      const run = await runNode([join(root, `${which}.cjs`), root, join(root, `${which}.json`)]);
      expect(run.code, run.stderr).toBe(0);
      loaded = { ...loaded, ...JSON.parse(run.stdout) };
    }
  }, 240_000);

  afterAll(() => {
    for (const m of Object.values(models)) m.dispose();
    for (const x of Object.values(inputs)) x.dispose();
  });

  for (const kind of Object.keys(KINDS) as Kind[]) {
    it(`${kind}: float32 predicts as the original within 1e-6`, () => {
      const want = predictWith(models[kind], null, inputs[kind]);
      expect(maxDiff(loaded[`${kind}-float32`], want)).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(want)));
    });

    it(`${kind}: float16 and uint8 decode to exactly the quantized weights, close to the original, at 1/2 and 1/4 the size`, () => {
      const original = predictWith(models[kind], null, inputs[kind]);
      for (const q of ['float16', 'uint8'] as const) {
        const want = predictWith(models[kind], dequantized(models[kind], q), inputs[kind]);
        const got = loaded[`${kind}-${q}`];
        // The stock loader decodes our bytes to the very weights we meant.
        expect(maxDiff(got, want)).toBeLessThanOrEqual(1e-6 * Math.max(1, maxAbs(want)));
        // And those predict close to the float32 model: float16 within 1e-3, uint8 within 5e-2 of the output scale.
        expect(maxDiff(got, original)).toBeLessThanOrEqual((q === 'float16' ? 1e-3 : 5e-2) * Math.max(1, maxAbs(original)));
      }
      expect(sizes[`${kind}-float16`] * 2).toBe(sizes[`${kind}-float32`]);
      expect(sizes[`${kind}-uint8`] * 4).toBe(sizes[`${kind}-float32`]);
    });
  }

  it('says which labbook layers a loader needs, and none for the models stock tfjs loads', () => {
    expect(verifyExport(join(root, 'mlp-float32')).requiresLayers).toEqual([]);
    expect(verifyExport(join(root, 'lstm-uint8')).requiresLayers).toEqual([]);
    expect(verifyExport(join(root, 'transformer-float32')).requiresLayers).toContain('LabbookMultiHeadAttention');
  });

  it('cuts weights into converter-named shards of at most shardBytes', () => {
    const dir = join(root, 'cnn-float32');
    const shards = readdirSync(dir).filter((f) => f.endsWith('.bin')).sort();
    expect(shards.length).toBeGreaterThan(1);
    shards.forEach((s) => expect(s).toMatch(new RegExp(`^group1-shard\\d+of${shards.length}\\.bin$`)));
    shards.forEach((s) => expect(statSync(join(dir, s)).size).toBeLessThanOrEqual(1024));
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest;
    expect(manifest[0].paths).toHaveLength(shards.length);
  });

  it('lists the SHA-256 of every file it wrote; labbook\'s loader refuses a corrupt shard', async () => {
    const dir = join(root, 'gruBi-uint8');
    const sidecar = JSON.parse(readFileSync(join(dir, 'labbook.json'), 'utf8'));
    const written = readdirSync(dir).filter((f) => f !== 'labbook.json').sort();
    expect(Object.keys(sidecar.files).sort()).toEqual(written);
    for (const f of written) expect(sidecar.files[f]).toBe(createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'));
    const { model } = await loadExport(dir);
    model.dispose();
    const shard = join(dir, 'group1-shard1of1.bin');
    const bytes = readFileSync(shard);
    bytes[3] ^= 0xff;
    writeFileSync(shard, bytes);
    await expect(loadExport(dir)).rejects.toMatchObject({ code: 'HASH_MISMATCH', message: expect.stringMatching(/group1-shard1of1\.bin is corrupt: expected SHA-256 [0-9a-f]{64}, received [0-9a-f]{64}\. Export the model again/) });
  });
});

describe('exportTfjs from a run id', () => {
  const root = tempDir('labbook-export-run-');
  let db: string;
  let id: number;

  beforeAll(async () => {
    db = tempDb();
    const registry = openRegistry({ db });
    id = await registry.withRun({ experiment: 'export' }, async (run) => {
      const model = buildModel({ ...TINY.mlp, task: 'classification' }, { seed: run.seed });
      await logModel(run, model, { input: { kind: 'tensor' }, labels: ['x', 'y', 'z'] });
      model.dispose();
      return run.id;
    });
    registry.close();
  });

  it('records the run, its checkpoint and input contract, and writes the same bytes twice', async () => {
    const a = await exportTfjs(id, join(root, 'a'), { db, quantize: 'uint8' });
    const b = await exportTfjs(id, join(root, 'b'), { db, quantize: 'uint8' });
    expect(b.files).toEqual(a.files);
    const registry = openRegistry({ db });
    const pkg = JSON.parse(Buffer.from(registry.getArtifact(id, 'model').bytes).toString('utf8'));
    registry.close();
    expect(a.sidecar).toMatchObject({ source: { runId: id, checkpoint: 'final', checkpointSha256: pkg.weights.final }, labels: ['x', 'y', 'z'], input: { kind: 'tensor', shape: [12] }, outputs: 'logits', quantization: 'uint8' });
  });

  it('refuses bad options with what was expected', async () => {
    await expect(exportTfjs(id, join(root, 'c'), { db, quantize: 'int4' as never })).rejects.toThrow('Invalid value for `quantize`: expected "float16", "uint8" or null, received "int4".');
    await expect(exportTfjs(id, join(root, 'c'), { db, shardBytes: 0 })).rejects.toThrow('Invalid value for `shardBytes`: expected an integer number of bytes, at least 1024, received 0. The default is 4194304 (4 MiB).');
    await expect(exportTfjs(id, join(root, 'c'), { db, checkpoint: 'last' as never })).rejects.toThrow('Invalid value for `checkpoint`: expected "final" or "best", received "last".');
    await expect(exportTfjs(0, join(root, 'c'), { db })).rejects.toThrow("Invalid value for `source`: expected a run id (a positive integer), a registered model ('NAME@ALIAS', 'NAME/VERSION') or a ReadyModel from loadModel(), received 0.");
    await expect(exportTfjs(id, join(root, 'c'), { db, checkpoint: 'best' })).rejects.toThrow(/Invalid value for `checkpoint`: expected "final" \(run \d+ kept no best checkpoint\)/);
  });
});
