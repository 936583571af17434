// Magnitude pruning as a recorded child run (per tensor, deterministic), bad input refused before any run, and `labbook diff` showing the trade-off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry, type Registry } from '../../kernel-lib/src';
import { compressModel, pruneValues } from '../../kernel-lib/src/compress';
import { parseCheckpoint } from '../../kernel-lib/src/repro/checkpoint';
import { runCli, tempDb } from '../helpers';
import { trainIris, type IrisSource } from './fixture';

describe('pruneValues', () => {
  it('zeroes the smallest magnitudes, the earlier index first among equals, keeping round(n * (1 - sparsity))', () => {
    expect(Array.from(pruneValues(Float32Array.from([0.1, -0.1, 0.1, -0.5]), 0.5))).toEqual([0, 0, Math.fround(0.1), -0.5]);
    expect(Array.from(pruneValues(Float32Array.from([3, -1, 2]), 0.5))).toEqual([3, 0, 2]);
    expect(Array.from(pruneValues(Float32Array.from([3, -1, 2]), 0))).toEqual([3, -1, 2]);
  });
});

describe('compressModel prunes into a child run', () => {
  let db: string;
  let registry: Registry;
  let source: IrisSource;
  const weights = (runId: number) => {
    const sha = registry.getRun(runId).checkpoints.at(-1)!.sha256;
    return { sha, tensors: parseCheckpoint(registry.readObject(sha)).tensors };
  };
  beforeAll(async () => {
    db = tempDb();
    registry = openRegistry({ db });
    source = await trainIris(registry);
  }, 120_000);
  afterAll(() => registry?.close());

  it('zeroes half of every kernel (not biases), records the sparsity, size ratio 1 and a smaller gzip', async () => {
    const result = await compressModel(registry, source.id, { method: { prune: { sparsity: 0.5 } }, evaluate: { x: source.rows, y: source.species }, repeats: 2 });
    const m = result.metrics;
    expect(m.sparsity).toBe(0.5);
    expect(m.size_ratio).toBe(1);
    expect(m.gzip_size_bytes).toBeLessThan(m.gzip_size_bytes_source);
    expect(m.eval_accuracy_source).toBeGreaterThan(0.9);
    expect(Math.abs(m.eval_accuracy_delta)).toBeLessThanOrEqual(0.2);
    expect(registry.getRun(result.runId).params).toMatchObject({ method: 'prune', sparsity: 0.5, granularity: 'per-tensor', 'source.run': source.id });
    const before = weights(source.id).tensors;
    const after = weights(result.runId).tensors;
    after.forEach((t, i) => {
      const values = Array.from(t.data as Float32Array);
      if (t.shape.length >= 2) {
        expect(values.filter((v) => v === 0).length).toBe(values.length - Math.round(values.length * 0.5));
        // What survives is the largest half, unchanged.
        const kept = values.map((v, j) => (v === 0 ? null : [v, (before[i].data as Float32Array)[j]])).filter((p) => p !== null);
        for (const [a, b] of kept as number[][]) expect(a).toBe(b);
      } else {
        expect(values).toEqual(Array.from(before[i].data as Float32Array));
      }
    });
  }, 60_000);

  it('is deterministic: the same sparsity gives the same checkpoint sha256, another sparsity another one', async () => {
    const run = (sparsity: number) => compressModel(registry, source.id, { method: { prune: { sparsity } }, evaluate: { x: source.rows, y: source.species }, repeats: 1 });
    const [a, b, c] = [await run(0.7), await run(0.7), await run(0.3)];
    expect(weights(a.runId).sha).toBe(weights(b.runId).sha);
    expect(weights(c.runId).sha).not.toBe(weights(a.runId).sha);
    expect(weights(a.runId).sha).not.toBe(weights(source.id).sha);
  }, 60_000);

  it('refuses an unknown method, a sparsity outside [0, 1), a missing evaluation set and a run without a model, starting no run', async () => {
    const evaluate = { x: source.rows, y: source.species };
    const runs = () => (registry.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
    const count = runs();
    const cases: [Promise<unknown>, string, RegExp][] = [
      [compressModel(registry, source.id, { method: 'int4' as never, evaluate }), 'INVALID_ARGUMENT', /^Invalid value for `method`: expected "float16", "uint8", "onnx-int8" or \{prune: \{sparsity\}\}, received "int4"\./],
      [compressModel(registry, source.id, { method: { prune: { sparsity: 1 } }, evaluate }), 'INVALID_ARGUMENT', /^Invalid value for `method.prune.sparsity`: expected a number in \[0, 1\).*received 1\. For example/],
      [compressModel(registry, source.id, { method: { prune: { sparsity: -0.1 } }, evaluate }), 'INVALID_ARGUMENT', /`method.prune.sparsity`.*received -0\.1/],
      [compressModel(registry, source.id, { method: 'uint8' } as never), 'INVALID_ARGUMENT', /^Invalid value for `evaluate`: expected \{x, y\}/],
    ];
    const bare = registry.withRun({ experiment: 'no-model' }, (r) => r.id);
    cases.push([compressModel(registry, await bare, { method: 'uint8', evaluate }), 'NOT_FOUND', /^Run \d+ has no model to load: expected a "model" artifact, received .*Call logModel/]);
    for (const [promise, code, message] of cases) await expect(promise).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(runs()).toBe(count + 1); // the bare run only
  }, 60_000);

  it('`labbook diff SOURCE CHILD` shows the method beside the config and the compressed and source metrics side by side', async () => {
    const { runId } = await compressModel(registry, source.id, { method: 'uint8', evaluate: { x: source.rows, y: source.species }, repeats: 1 });
    const result = await runCli(['diff', String(source.id), String(runId), '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(new RegExp(`run ${source.id}\\s+run ${runId}`));
    expect(out).toMatch(/method\s+uint8/);
    // Each measure, its source twin and the delta or ratio on adjacent rows, values in the child's column.
    const row = (name: string) => `  ${name} +[\\d.e+-]+`;
    for (const group of [['eval_accuracy', 'eval_accuracy_delta', 'eval_accuracy_source'], ['latency_ms_p50', 'latency_ms_p50_source', 'latency_ratio'], ['size_bytes', 'size_bytes_source', 'size_ratio']]) {
      expect(out).toMatch(new RegExp(group.map(row).join('\n'), 'm'));
    }
    expect(out).toMatch(/^ {2}size_ratio +0\.25$/m);
    // The source lacks these metrics: no delta against nothing.
    expect(out).not.toContain('(+)');
    expect(out).toContain('checkpoints: differ');
  }, 60_000);
});
