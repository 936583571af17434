/**
 * The team store's page query (query/pg-page.ts: an index walk on the first sort key, then the runs
 * without it) answers what searchRuns answers on SQLite, for 2,000 runs full of ties, NULLs (NaN
 * metrics, null config values, missing keys) and a key holding numbers and text, with the walk's
 * window wide (the default) and small enough to cut groups of ties and fall back to the plain form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRuns, type SearchOptions } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { fillPages, PAGE_FILTERS } from '../query/page-fixture';
import { openTeamStore, type TeamStore } from '../../kernel-lib/src/team/connect';
import { searchTeamRuns } from '../../kernel-lib/src/team/search';
import { makeDb } from '../query/fixture';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { mirrorRegistry } from '../support/team-mirror';

const FILTERS = [
  ...PAGE_FILTERS,
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
  fillPages(db, ['finished', 'finished', 'failed', 'killed']);
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
