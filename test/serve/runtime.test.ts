// `labbook serve --runtime onnx` beside --runtime tfjs, as real processes over real HTTP: the same requests get the same predictions (1e-5), metadata names the runtime, the export is cached by content.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, models, openRegistry, Vocabulary } from '../../kernel-lib/src';
import { logModel } from '../../kernel-lib/src/model-package';
import { tokenize } from '../../kernel-lib/src/data/text/tokenize';
import { runCli } from '../helpers';
import { ROWS } from '../model-registry/fixture';
import { get, killServers, post, servingRegistry, startServe, type Serving } from './server';

const TEXTS = ['win money now, click here', 'meeting notes for tuesday', 'free free free offer inside', 'a word the vocabulary never saw'];
const TABLE = [{ a: 1, b: 2, c: 3 }, { a: -1, b: 0.5, c: 2 }, { a: 0, b: 0, c: 1 }];

/** A tiny untrained spam-style transformer over raw text, registered as 'text' (attention, layer norm, embeddings: the zoo's hardest layers for ONNX). */
async function addTextModel(db: string): Promise<void> {
  const registry = openRegistry({ db });
  try {
    const vocabulary = Vocabulary.build(TEXTS.slice(0, 3).map(tokenize));
    const run = registry.startRun({ experiment: 'text', config: {}, seed: 3 });
    const model = buildModel({ kind: 'transformer', task: 'classification', outputs: 2, vocabSize: vocabulary.size, maxLen: 12, dModel: 8, heads: 2, ffDim: 16, layers: 1 }, { seed: 3 });
    await logModel(run, model, { input: { kind: 'text', vocabulary, maxLen: 12 }, labels: ['ham', 'spam'] });
    model.dispose();
    run.end();
    models.registerModel(registry, 'text', run.id);
  } finally {
    registry.close();
  }
}

/** Every number in `a` within `tol` of the one at the same place in `b`; everything else equal. */
function expectClose(a: unknown, b: unknown, tol = 1e-5, at = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    expect(Math.abs(a - b), `${at}: ${a} vs ${b}`).toBeLessThanOrEqual(tol);
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a), at).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) expectClose((a as never)[k], (b as never)[k], tol, `${at}.${k}`);
  } else expect(a, at).toEqual(b);
}

describe('labbook serve --runtime', () => {
  let db: string;
  const servers: { [key: string]: Serving } = {};
  const cases: { model: string; instances: unknown[] }[] = [
    { model: 'tiny', instances: ROWS },
    { model: 'rows', instances: TABLE },
    { model: 'text', instances: TEXTS },
  ];

  beforeAll(async () => {
    db = await servingRegistry();
    await addTextModel(db);
    const started = await Promise.all(
      cases.flatMap(({ model }) => (['tfjs', 'onnx'] as const).map(async (runtime) => [`${model}/${runtime}`, await startServe([model, '--port', '0', '--db', db, '--runtime', runtime])] as const)),
    );
    for (const [key, server] of started) servers[key] = server;
  }, 120_000);
  afterAll(() => killServers());

  it('the same requests to a tfjs and an onnx server give the same predictions within 1e-5, for a tensor, a table and a text model', async () => {
    for (const { model, instances } of cases) {
      const [tfjs, onnx] = await Promise.all(['tfjs', 'onnx'].map((r) => post(`${servers[`${model}/${r}`].url}/v1/models/${model}:predict`, { instances })));
      expect(tfjs.status, JSON.stringify(tfjs.json)).toBe(200);
      expect(onnx.status, JSON.stringify(onnx.json)).toBe(200);
      expect(onnx.json.predictions).toHaveLength(instances.length);
      expectClose(onnx.json.predictions, tfjs.json.predictions, 1e-5, model);
      const v2 = await post(`${servers[`${model}/onnx`].url}/v2/models/${model}/infer`, { inputs: model === 'rows' ? ['a', 'b', 'c'].map((n) => ({ name: n, datatype: 'FP32', shape: [3], data: TABLE.map((r) => r[n as 'a']) })) : [{ name: model === 'text' ? 'text' : 'input', datatype: model === 'text' ? 'BYTES' : 'FP32', shape: model === 'text' ? [4] : [3, 3], data: instances.flat() }] });
      expect(v2.status, JSON.stringify(v2.json)).toBe(200);
      const probabilities = v2.json.outputs.find((o: { name: string }) => o.name === 'probabilities').data;
      expectClose(probabilities, tfjs.json.predictions.flatMap((p: { probabilities: object }) => Object.values(p.probabilities)), 1e-5, `${model} v2`);
    }
  });

  it('prints and reports the runtime in both protocols\' metadata', async () => {
    for (const runtime of ['tfjs', 'onnx']) {
      const server = servers[`tiny/${runtime}`];
      expect(server.line).toMatch(new RegExp(`\\(port \\d+\\), runtime ${runtime}: GET `));
      expect((await get(`${server.url}/v1/models/tiny/metadata`)).json.metadata.runtime).toBe(runtime);
      expect((await get(`${server.url}/v2/models/tiny`)).json.parameters.runtime).toBe(runtime);
    }
  });

  it('an onnx server batches concurrent requests and answers each with its own prediction', async () => {
    const { url } = servers['tiny/onnx'];
    const inputs = Array.from({ length: 40 }, (_, i) => [i / 10, 1 - i / 20, (i % 7) - 3]);
    const [alone, together] = await Promise.all([
      post(`${servers['tiny/tfjs'].url}/v1/models/tiny:predict`, { instances: inputs }),
      Promise.all(inputs.map((x) => post(`${url}/v1/models/tiny:predict`, { instances: [x] }))),
    ]);
    expectClose(together.map((r) => r.json.predictions[0]), alone.json.predictions);
    const metrics = (await get(`${url}/metrics`)).json as string;
    const calls = Number(/^labbook_serve_batch_size_count (\d+)/m.exec(metrics)?.[1]);
    const examples = Number(/^labbook_serve_batch_size_sum (\d+)/m.exec(metrics)?.[1]);
    // Fewer model calls than examples: some requests shared a call.
    expect(calls).toBeLessThan(examples);
  });

  it('keeps the input checks: a wrong shape is a 400 naming the field, and the server goes on', async () => {
    const { url } = servers['tiny/onnx'];
    const bad = await post(`${url}/v1/models/tiny:predict`, { instances: [[1, 2]] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^Invalid `instances\[0\]`: expected 3 values/);
    const text = await post(`${url}/v1/models/tiny:predict`, { instances: [[1, 2, 3], [1, 'x', 3]] });
    expect(text.status).toBe(400);
    expect(text.json.error).toMatch(/^Invalid `instances\[1\]\[1\]`: expected a finite number, received "x"\./);
    expect((await post(`${url}/v1/models/tiny:predict`, { instances: ROWS })).status).toBe(200);
  });

  it('exports once per model content into cache/onnx beside the registry, and a restart reuses it', async () => {
    const cache = join(dirname(db), 'cache', 'onnx');
    const before = readdirSync(cache).sort();
    expect(before).toHaveLength(3);
    const again = await startServe(['tiny', '--port', '0', '--db', db, '--runtime', 'onnx']);
    expect((await post(`${again.url}/v1/models/tiny:predict`, { instances: ROWS })).status).toBe(200);
    again.child.kill('SIGTERM');
    expect((await again.done).code).toBe(0);
    expect(readdirSync(cache).sort()).toEqual(before);
  });

  it('an unknown --runtime is a one-line mistake (exit 2)', async () => {
    const out = await runCli(['serve', 'tiny', '--db', db, '--runtime', 'torch']);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toMatch(/^labbook: Invalid value for `--runtime`: expected tfjs or onnx, received "torch"\./);
  });
});
