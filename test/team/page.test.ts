/**
 * The team store's page query (query/pg-page.ts: an index walk on the first sort key, then the runs
 * without it) answers what searchRuns answers on SQLite, for 2,000 runs full of ties, NULLs (NaN
 * metrics, null config values, missing keys) and a key holding numbers and text, with the walk's
 * window wide (the default) and small enough to cut groups of ties and fall back to the plain form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRuns, type SearchOptions } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { flattenParams } from '../../kernel-lib/src/registry/params';
import type { Config } from '../../kernel-lib/src/registry/types';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { searchTeamRuns } from '../../kernel-lib/src/team/search';
import { makeDb } from '../query/fixture';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mirrorRegistry } from '../support/team-mirror';

const RUNS = 2000;

/** As test/query/page.test.ts fills SQLite: few distinct values, so most sorts have long runs of ties. */
function fill(db: Db): void {
  const rng = createRng(11);
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
  for (const name of ['a', 'b', 'c']) db.prepare('INSERT INTO experiments (name, created_at) VALUES (?, 0)').run(name);
  const run = db.prepare(`INSERT INTO runs (id, experiment_id, name, status, seed, config, config_hash, env, host, pid,
    started_at, ended_at, heartbeat_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, 'h', '{}', 'test', 1, ?, ?, ?, ?)`);
  const param = db.prepare('INSERT INTO params (run_id, key, value, type) VALUES (?, ?, ?, ?)');
  const latest = db.prepare('INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (?, ?, 1, ?, 0, ?, ?, 2)');
  const tag = db.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let id = 1; id <= RUNS; id++) {
      const config: Config = {};
      if (rng.next() < 0.85) config.lr = pick([0.1, 0.01, 0.001, 1, 3, 0.01]);
      if (rng.next() < 0.9) config.opt = pick(['adam', 'sgd', 'rmsprop']);
      if (rng.next() < 0.8) config.mixed = pick<Config[string]>([1, 2.5, '7', 'abc', 'B', true, false, null, [1, 2], { x: 1 }]);
      const started = 1_700_000_000_000 + rng.int(40) * 1000;
      run.run(
        id,
        1 + rng.int(3),
        rng.next() < 0.5 ? pick(['x', 'y', 'z']) : null,
        pick(['finished', 'finished', 'failed', 'killed']),
        rng.int(5),
        JSON.stringify(config),
        started,
        rng.next() < 0.3 ? null : started + rng.int(5) * 1000,
        started,
        id > 10 && rng.next() < 0.3 ? 1 + rng.int(10) : null,
      );
      for (const p of flattenParams(config)) param.run(id, p.key, p.value, p.type);
      if (rng.next() < 0.85) {
        const value = rng.next() < 0.1 ? null : pick([0.1, 0.5, 0.9, 0.95, 0.3]);
        latest.run(id, 'acc', value, value === null ? pick([null, 0.2]) : value / 2, value === null ? null : pick([value, 1]));
      }
      if (rng.next() < 0.6) latest.run(id, 'loss', pick([0.2, 0.4, 1.5]), 0.1, 2);
      if (rng.next() < 0.7) tag.run(id, 'team', pick(['a', 'b', 'B', '']));
    }
  })();
}

const FILTERS = [
  '',
  'config.lr < 0.05',
  'metrics.acc > 0.4',
  "status = 'finished' AND tags.team = 'a'",
  'config.mixed IS NULL',
  'NOT (metrics.acc >= 0.9)',
  "experiment = 'b' OR config.opt IN ('adam', 'sgd')",
  "config.mixed = 'abc' OR config.mixed >= 2",
  // Fewer matches than a page: the walk reads its whole window and hands over to the plain form.
  'config.lr = 3 AND metrics.acc = 0.95 AND metrics.loss = 1.5',
];

// The first keys the walk serves (a metric's latest value, config numbers, started_at), and ones it leaves to the plain form.
const SORTS = ['-metrics.acc', 'metrics.acc', 'metrics.loss', 'config.lr', '-config.lr', 'config.mixed', '-config.mixed', '-metrics.acc,config.lr', 'config.lr,-metrics.loss', 'metrics.acc,id', '-started_at', 'started_at,-name', 'tags.team'];

const PAGES: SearchOptions[] = [{ limit: 50 }, { limit: 3, offset: 40 }, { limit: 40, offset: 1200 }, { limit: 10, offset: 5000 }];

let db: Db;
let database: TestDatabase;
let store: TeamStore;

beforeAll(async () => {
  db = makeDb();
  fill(db);
  database = await createTestDatabase('page');
  store = await openTeamStore(database.url);
  await mirrorRegistry(db, store);
  // The planner's statistics, as autovacuum would soon give them: the walk's plan depends on them.
  await store.query('ANALYZE');
});

afterAll(async () => {
  db?.close();
  await store?.close();
  await database?.drop();
});

async function expectSame(options: SearchOptions, window?: number): Promise<void> {
  const local = searchRuns(db, options).map((r) => r.id);
  const team = (await searchTeamRuns(store, options, window)).map((r) => r.id);
  expect(team, `${JSON.stringify(options)} window ${window ?? 'default'}`).toEqual(local);
}

describe('searchTeamRuns pages match searchRuns', () => {
  it.each(FILTERS)('where %j, every sort and page', async (where) => {
    for (const sort of SORTS) for (const page of PAGES) await expectSame({ where, sort, ...page });
  });

  it.each([1, 30, 400])('where the walk stops at a window of %i entries', async (window) => {
    for (const where of FILTERS) for (const sort of SORTS) for (const page of PAGES.slice(0, 3)) await expectSame({ where, sort, ...page }, window);
  });

  it('within an experiment and among the children of a run', async () => {
    for (const sort of SORTS) {
      for (const window of [undefined, 20]) {
        await expectSame({ experiment: 'c', sort, limit: 30 }, window);
        await expectSame({ experiment: 'a', where: 'metrics.acc > 0.2', sort, limit: 25, offset: 5 }, window);
        await expectSame({ parent: 3, sort, limit: 5 }, window);
        await expectSame({ where: 'parent IN (2, 5) OR config.lr = 3', sort, limit: 60, offset: 3 }, window);
      }
    }
  });
});
