import { openSync, writeSync, closeSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli, tempDb } from '../helpers';

/** A registry with three recorded runs: two demo runs (seeds 1 and 2) and one failed run. */
let db: string;
beforeAll(async () => {
  db = tempDb();
  for (const seed of ['1', '2']) expect((await runCli(['demo', '--db', db, '--seed', seed, '--json'])).code).toBe(0);
  const registry = openRegistry({ db });
  const run = registry.startRun({ experiment: 'other', config: { lr: 0.5, optimizer: "'; DROP TABLE runs; --" }, seed: 3 });
  run.log({ loss: 2 });
  run.fail(new Error('diverged'));
  registry.close();
});

async function json(args: string[]): Promise<unknown> {
  const result = await runCli([...args, '--db', db, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('labbook CLI', () => {
  it('demo records a run and prints it', async () => {
    const result = await runCli(['demo', '--db', tempDb()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/run 1 {2}demo-linear {2}finished/);
    expect(result.stdout).toMatch(/checkpoints\n\s+step\s+bytes\s+sha256\n\s+59\s+16\s+[0-9a-f]{64}/);
  });

  it('runs --json lists {id, experiment, status, seed, config, metrics}, filtered and sorted', async () => {
    const all = (await json(['runs'])) as Record<string, unknown>[];
    expect(all.map((r) => r.id)).toEqual([3, 2, 1]);
    expect(all[2]).toMatchObject({ id: 1, experiment: 'demo-linear', status: 'finished', seed: 1, config: { lr: 0.1, model: 'linear' }, metrics: { loss: expect.any(Number) } });
    expect(((await json(['runs', '--where', "status = 'failed'"])) as { id: number }[]).map((r) => r.id)).toEqual([3]);
    expect(((await json(['runs', '--experiment', 'demo-linear', '--sort', 'seed'])) as { id: number }[]).map((r) => r.id)).toEqual([1, 2]);
    expect(((await json(['runs', '--where', "config.optimizer = \"'; DROP TABLE runs; --\""])) as { id: number }[]).map((r) => r.id)).toEqual([3]);
    expect(((await json(['runs', '--sort', '-metrics.loss', '--limit', '1', '--offset', '1'])) as { id: number }[])).toHaveLength(1);
  });

  it('show --json has the documented shape', async () => {
    const run = (await json(['show', '1'])) as Record<string, unknown>;
    expect(Object.keys(run)).toEqual(expect.arrayContaining(['id', 'experiment', 'status', 'seed', 'config', 'configHash', 'codeHash', 'env', 'datasets', 'metrics', 'checkpoints', 'error']));
    expect(run.datasets).toEqual([{ name: 'train', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), rows: 256, columns: 2, source: expect.any(String) }]);
    expect(run.checkpoints).toEqual([{ step: 59, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: 16 }]);
    expect(run.metrics).toMatchObject({ loss: expect.any(Number), w: expect.any(Number), b: expect.any(Number) });
    expect(((await json(['show', '3'])) as { error: string }).error).toMatch(/Error: diverged/);
  });

  it('diff --json reports config, env, datasets, code, metric deltas and checkpoint equality', async () => {
    const d = (await json(['diff', '1', '2'])) as Record<string, unknown>;
    expect(Object.keys(d)).toEqual(expect.arrayContaining(['config', 'env', 'datasets', 'codeHash', 'metrics', 'checkpointEqual']));
    expect(d.checkpointEqual).toBe(false);
    expect(d.config).toEqual({}); // same config, different seed
    expect(d.seed).toEqual([1, 2]);
    expect(Object.keys(d.datasets as object)).toEqual(['train']);
    const loss = (d.metrics as Record<string, { values: number[]; deltas: number[] }>).loss;
    expect(loss.deltas[1]).toBeCloseTo(loss.values[1] - loss.values[0], 12);
    const all = (await json(['diff', '1', '2', '--all'])) as { config: Record<string, unknown[]> };
    expect(all.config.lr).toEqual([0.1, 0.1]);
  });

  it('export writes CSV with a header of config and metric columns, and JSON', async () => {
    const result = await runCli(['export', '--format', 'csv', '--db', db, '--sort', 'id']);
    expect(result.code).toBe(0);
    const [header, first, , third] = result.stdout.trim().split('\n');
    expect(header.split(',')).toEqual(expect.arrayContaining(['id', 'experiment', 'status', 'seed', 'started_at', 'config.lr', 'metrics.loss']));
    expect(first.startsWith('1,demo-linear,,finished,1,')).toBe(true);
    expect(third).toContain(",'; DROP TABLE runs; --,");
    const exported = (await json(['export', '--format', 'json', '--where', 'config.lr >= 0.5'])) as { id: number }[];
    expect(exported.map((r) => r.id)).toEqual([3]);
  });

  it('delete and gc free the objects of deleted runs', async () => {
    const local = tempDb();
    expect((await runCli(['demo', '--db', local])).code).toBe(0);
    const objects = join(local, '..', 'objects');
    const [sha] = (JSON.parse((await runCli(['show', '1', '--db', local, '--json'])).stdout) as { checkpoints: { sha256: string }[] }).checkpoints.map((c) => c.sha256);
    expect(statSync(join(objects, sha)).size).toBe(16);
    expect(JSON.parse((await runCli(['gc', '--db', local, '--json', '--grace', '0'])).stdout)).toMatchObject({ removed: [], kept: 1 });
    expect(JSON.parse((await runCli(['delete', '1', '--db', local, '--json'])).stdout)).toEqual({ deleted: [1] });
    const old = new Date(Date.now() - 3600_000);
    utimesSync(join(objects, sha), old, old);
    expect(JSON.parse((await runCli(['gc', '--db', local, '--json'])).stdout)).toMatchObject({ removed: [sha], bytes: 16, kept: 0 });
  });

  it('sql answers read-only queries against the schema', async () => {
    expect(await json(['sql', "SELECT key, value FROM params WHERE run_id = 3 AND key = 'lr'"])).toEqual([{ key: 'lr', value: 0.5 }]);
  });

  it.each([
    [['frobnicate'], /Unknown command `frobnicate`/],
    [['runs', '--where', 'confg.lr < 0.1'], /Invalid filter at column 1: unknown field `confg.lr`/],
    [['runs', '--where', 'config.lr <'], /Invalid filter at column \d+/],
    [['runs', '--limit', 'ten'], /Invalid value for `--limit`: expected an integer >= 1, received "ten"/],
    [['runs', '--bogus'], /Unknown option '--bogus'/],
    [['show', '99'], /No run with id 99/],
    [['show'], /Missing run id/],
    [['diff', '1'], /at least 2 run ids/],
    [['export'], /Invalid value for `--format`: expected csv or json/],
    [['sql', 'DELETE FROM runs'], /expected a statement that returns rows/],
    [['sql', 'SELECT nope FROM runs'], /Invalid SQL: no such column: nope/],
  ])('a user mistake %j prints one line to stderr and exits 2', async (args, message) => {
    const result = await runCli([...args, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing registry is a user mistake, not a new empty database', async () => {
    const missing = join(tempDb(), '..', 'nope.db');
    const result = await runCli(['runs', '--db', missing]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/No labbook registry at .*nope\.db/);
  });

  it('a corrupt database is one line naming it and the fix, exit 2 (see bad-db.test.ts)', async () => {
    const corrupt = tempDb();
    expect((await runCli(['demo', '--db', corrupt])).code).toBe(0);
    const registry = openRegistry({ db: corrupt });
    registry.db.pragma('wal_checkpoint(TRUNCATE)');
    registry.close();
    const size = readFileSync(corrupt).length;
    const fd = openSync(corrupt, 'r+');
    for (let offset = 4096; offset < size; offset += 4096) writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, offset);
    closeSync(fd);
    const result = await runCli(['show', '1', '--db', corrupt]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^labbook: The registry .* is damaged: expected an intact SQLite database.*\n$/);
  });

  it('reads LABBOOK_DB when --db is absent', async () => {
    const result = await runCli(['runs', '--json'], { LABBOOK_DB: db });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBe(3);
  });
});
