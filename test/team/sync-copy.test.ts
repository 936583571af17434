/** Sync's binary COPY of metric points: every value a registry can hold reads back exactly, and a batch sent twice adds nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { syncToTeam } from '../../kernel-lib/src/team/sync';
import { pushPoints, upsertRun, type PointBatch } from '../../kernel-lib/src/team/sync/push';
import { tempDb } from '../helpers';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

let database: TestDatabase;
let store: TeamStore;

beforeAll(async () => {
  database = await createTestDatabase('sync_copy');
  store = await openTeamStore(database.url, { max: 1 });
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

async function newRun(originRunId: number): Promise<number> {
  const client = await store.pool.connect();
  try {
    return await upsertRun(client, {
      experiment: 'copy', name: null, seed: 1, config: '{}', configHash: 'h', codeHash: null, env: '{}', host: 'box', pid: 1,
      pidStarted: null, startedAt: 1, heartbeatAt: 1, parentId: null, origin: 'copy-test', originRunId,
    }, 1);
  } finally {
    client.release();
  }
}

async function push(runId: number, batch: PointBatch): Promise<void> {
  const client = await store.pool.connect();
  try {
    await pushPoints(client, runId, batch);
  } finally {
    client.release();
  }
}

describe('pushPoints', () => {
  it('stores extreme steps and times, null (NaN), ±Infinity, -0 and non-ASCII keys exactly', async () => {
    const runId = await newRun(1);
    const batch: PointBatch = {
      keys: ['loss', 'loss', 'loss', 'précision/λ', 'précision/λ', '', 'big'],
      steps: [-3, 0, Number.MAX_SAFE_INTEGER, 1, 2, 0, 2 ** 40 + 1],
      values: [null, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300, Number.MAX_VALUE, -123.456],
      times: [Number.MIN_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER, 1_700_000_000_000, 1, 2, 3],
    };
    await push(runId, batch);
    const rows = await store.query<{ key: string; step: number; value: number | null; time: number }>(
      'SELECT key, step, value, time FROM metrics WHERE run_id = $1 ORDER BY key COLLATE "C", step',
      [runId],
    );
    const expected = batch.keys
      .map((key, i) => ({ key, step: batch.steps[i], value: batch.values[i], time: batch.times[i] }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.step - b.step));
    expect(rows).toEqual(expected);
    expect(Object.is(rows.find((r) => r.key === 'loss' && r.step === 0)!.value, -0)).toBe(true);
    const latest = await store.query<{ key: string; step: number; count: number }>(
      'SELECT key, step, count FROM metrics_latest WHERE run_id = $1 ORDER BY key COLLATE "C"',
      [runId],
    );
    expect(latest).toEqual([
      { key: '', step: 0, count: 1 },
      { key: 'big', step: 2 ** 40 + 1, count: 1 },
      { key: 'loss', step: Number.MAX_SAFE_INTEGER, count: 3 },
      { key: 'précision/λ', step: 2, count: 2 },
    ]);
  });

  it('a batch pushed twice, then one overlapping it, adds only the points not there yet', async () => {
    const runId = await newRun(2);
    const first: PointBatch = { keys: ['a', 'a', 'b'], steps: [1, 2, 1], values: [1, 2, 3], times: [10, 20, 30] };
    await push(runId, first);
    await push(runId, first);
    await push(runId, { keys: ['a', 'a', 'b'], steps: [2, 3, 1], values: [2, 5, 3], times: [20, 50, 30] });
    const latest = await store.query<{ key: string; step: number; value: number; min: number; max: number; count: number }>(
      'SELECT key, step, value, min, max, count FROM metrics_latest WHERE run_id = $1 ORDER BY key',
      [runId],
    );
    expect(latest).toEqual([
      { key: 'a', step: 3, value: 5, min: 1, max: 5, count: 3 },
      { key: 'b', step: 1, value: 3, min: 3, max: 3, count: 1 },
    ]);
    const [{ n }] = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM metrics WHERE run_id = $1', [runId]);
    expect(n).toBe(4);
  });

  it('refuses an unsafe integer step without writing anything', async () => {
    const runId = await newRun(3);
    await expect(push(runId, { keys: ['a', 'a'], steps: [1, 2 ** 60], values: [1, 2], times: [1, 2] })).rejects.toThrow(RangeError);
    expect(await store.query('SELECT 1 FROM metrics WHERE run_id = $1', [runId])).toEqual([]);
    // The connection is still usable for the next batch.
    await push(runId, { keys: ['a'], steps: [1], values: [1], times: [1] });
    expect(await store.query('SELECT step FROM metrics WHERE run_id = $1', [runId])).toEqual([{ step: 1 }]);
  });

  it('sync reads long histories in chunks across batch boundaries and pushes every point once, in order', async () => {
    const registry = openRegistry({ db: tempDb() });
    try {
      const run = registry.startRun({ experiment: 'copy-long', config: {}, seed: 1 });
      for (let s = 0; s < 5000; s++) run.log({ a: s, b: s % 3 === 0 ? Number.NaN : -s }, s);
      run.end();
      const result = await syncToTeam(registry, database.url, { batchSize: 3001 });
      expect(result).toMatchObject({ error: null, points: 10_000, pending: [] });
      const rows = await store.query<{ key: string; n: number; lo: number; hi: number; sum: number; nulls: number }>(
        `SELECT m.key, count(*)::int AS n, min(step)::int AS lo, max(step)::int AS hi, sum(step)::float8 AS sum, count(*) FILTER (WHERE value IS NULL)::int AS nulls
         FROM metrics m JOIN runs r ON r.id = m.run_id JOIN experiments e ON e.id = r.experiment_id WHERE e.name = 'copy-long' GROUP BY m.key ORDER BY m.key`,
      );
      expect(rows).toEqual([
        { key: 'a', n: 5000, lo: 0, hi: 4999, sum: (4999 * 5000) / 2, nulls: 0 },
        { key: 'b', n: 5000, lo: 0, hi: 4999, sum: (4999 * 5000) / 2, nulls: 1667 },
      ]);
    } finally {
      registry.close();
    }
  });
});
