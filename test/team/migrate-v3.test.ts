/** Migration 3 on a store that shipped at version 2: its rows survive, a deleted run still takes its metrics along. */
import { afterAll, describe, expect, it } from 'vitest';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { migrateTeamStore } from '../../kernel-lib/src/team/migrate';
import { PG_MIGRATIONS } from '../../kernel-lib/src/team/schema';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const made: TestDatabase[] = [];
const stores: TeamStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  for (const d of made) await d.drop();
});

const TABLES = ['experiments', 'runs', 'params', 'metrics', 'metrics_latest', 'tags', 'datasets', 'sweeps', 'trials'];

/** Every row of every table, in a fixed order, as text: what "kept its rows" compares. */
async function snapshot(store: TeamStore): Promise<{ [table: string]: string[] }> {
  const out: { [table: string]: string[] } = {};
  for (const t of TABLES) {
    out[t] = (await store.query<{ row: string }>(`SELECT t::text AS row FROM ${t} t ORDER BY t::text COLLATE "C"`)).map((r) => r.row);
  }
  return out;
}

// Keys whose bytewise and dictionary orders differ, one of them not ASCII.
const KEYS = ['Zeta', 'acc', 'loss', 'val/loss', 'é_metric'];

describe('migration 3', () => {
  it('upgrades a version-2 store with data to the current version, keeping every row', async () => {
    const d = await createTestDatabase('migrate_v3');
    made.push(d);
    const old = await openTeamStore(d.url, { migrate: false });
    stores.push(old);
    // The store as labbook shipped it: migrations 1 and 2 only.
    expect(await migrateTeamStore(old, PG_MIGRATIONS.slice(0, 2))).toBe(2);
    await old.query(`INSERT INTO experiments (name, created_at) VALUES ('mnist', 1)`);
    for (const origin of [1, 2]) {
      await old.query(
        `INSERT INTO runs (experiment_id, name, status, seed, config, config_hash, env, host, pid, started_at, heartbeat_at, origin, origin_run_id, synced_at)
         VALUES (1, $1, 'finished', 7, '{"lr":0.1}', 'h', '{}', 'box', 42, 10, 20, 'registry-a', $2, 30)`,
        [`run-${origin}`, origin],
      );
    }
    await old.query(`INSERT INTO params (run_id, key, type, num, text) VALUES (1, 'lr', 'number', 0.1, NULL), (2, 'opt', 'string', NULL, 'adam')`);
    await old.query(`INSERT INTO tags (run_id, key, value) VALUES (1, 'note', 'first'), (2, 'note', 'second')`);
    await old.query(`INSERT INTO datasets (run_id, name, sha256, rows, columns) VALUES (1, 'train', 'abc', 100, 3)`);
    for (const run of [1, 2]) {
      for (const key of KEYS) {
        await old.query(`INSERT INTO metrics (run_id, key, step, value, time) SELECT $1, $2, s, s * 0.5, 1000 + s FROM generate_series(0, 9) s`, [run, key]);
        await old.query(`INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES ($1, $2, 9, 4.5, 1009, 0, 4.5, 10)`, [run, key]);
      }
    }
    await old.query(`INSERT INTO sweeps (run_id, experiment, definition, seed, max_attempts, status, created_at) VALUES (1, 'mnist', '{}', 3, 2, 'open', 5)`);
    await old.query(`INSERT INTO trials (sweep_id, number, params, state, run_id) VALUES (1, 0, '{"lr":0.1}', 'complete', 2)`);
    const before = await snapshot(old);
    await old.close();
    stores.pop();

    const store = await openTeamStore(d.url);
    stores.push(store);
    const versions = await store.query<{ version: number }>('SELECT version FROM labbook_schema ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    expect(versions.map((v) => v.version)).toContain(3);
    expect(await snapshot(store)).toEqual(before);
    expect(before.metrics).toHaveLength(2 * KEYS.length * 10);

    // Keys now sort bytewise, as the SQLite registry and the readers' COLLATE "C" do.
    const keys = await store.query<{ key: string }>('SELECT key FROM metrics_latest WHERE run_id = 1 ORDER BY key');
    expect(keys.map((k) => k.key)).toEqual([...KEYS].sort());

    // A run deleted by hand (labbook never deletes one) still takes its metrics and everything else along.
    await store.query('DELETE FROM trials');
    await store.query('DELETE FROM sweeps');
    await store.query('DELETE FROM runs WHERE id = 1');
    const left = await store.query<{ run_id: number; n: number }>(
      `SELECT run_id, count(*)::int AS n FROM (SELECT run_id FROM metrics UNION ALL SELECT run_id FROM metrics_latest UNION ALL SELECT run_id FROM params
         UNION ALL SELECT run_id FROM tags UNION ALL SELECT run_id FROM datasets) t GROUP BY run_id ORDER BY run_id`,
    );
    expect(left).toEqual([{ run_id: 2, n: KEYS.length * 10 + KEYS.length + 2 }]);

    // TRUNCATE runs CASCADE empties metrics too, as it did when metrics referenced runs.
    await store.query('TRUNCATE runs CASCADE');
    expect(await store.query('SELECT 1 FROM metrics')).toEqual([]);
  });
});
