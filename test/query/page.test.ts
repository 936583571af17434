/**
 * The page query (an index walk on the first sort key, then the runs without it) returns the same
 * ids in the same order as the straightforward query: every matching run sorted by correlated
 * subqueries, with LIMIT/OFFSET. Ties, NULLs (NaN metrics, null config values, missing keys) and
 * mixed types under one key are all in the data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFilter, compileSort, searchRuns, type SearchOptions } from '../../kernel-lib/src/query';
import { PAGE_INDEXES, pageIds } from '../../kernel-lib/src/query/page';
import { parseSort, sortSpec } from '../../kernel-lib/src/query/sort';
import type { Db } from '../../kernel-lib/src/registry/database';
import { fillPages, PAGE_FILTERS } from './page-fixture';
import { makeDb } from './fixture';



/** The straightforward query searchRuns must agree with. */
function reference(db: Db, options: SearchOptions): number[] {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (options.experiment !== undefined) {
    conditions.push('r.experiment_id = (SELECT id FROM experiments WHERE name = ?)');
    params.push(options.experiment);
  }
  if (options.parent !== undefined) {
    conditions.push('r.parent_id = ?');
    params.push(options.parent);
  }
  if (options.where) {
    const filter = compileFilter(options.where);
    conditions.push(filter.sql);
    params.push(...filter.params);
  }
  const order = compileSort(options.sort);
  const sql = `SELECT r.id FROM runs r${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order.sql} LIMIT ? OFFSET ?`;
  return db.prepare(sql).pluck().all(...params, ...order.params, options.limit ?? -1, options.offset ?? 0) as number[];
}

const FILTERS = [
  ...PAGE_FILTERS,
  'metrics.acc IS NULL AND config.lr IS NOT NULL',
  // A key holding numbers and text may be compared with either.
  "config.mixed = 'abc' OR config.mixed >= 2",
];

const SORTS = [
  '-metrics.acc',
  'metrics.acc',
  'config.lr',
  '-config.lr',
  'config.mixed',
  '-config.mixed',
  'tags.team',
  '-tags.team',
  'metrics.acc.min',
  '-metrics.acc.max',
  '-metrics.acc,config.lr',
  'config.lr,-metrics.loss',
  'metrics.acc,id',
  '-config.lr,-tags.team,started_at',
  'config.opt,-ended_at',
  'started_at',
  '-ended_at',
  'name,seed',
];

const PAGES: SearchOptions[] = [{ limit: 50 }, { limit: 40, offset: 1200 }, { offset: 1700 }, {}];

function expectSameAsReference(db: Db): void {
  let compared = 0;
  for (const where of FILTERS) {
    for (const sort of SORTS) {
      for (const page of PAGES) {
        const options = { where, sort, ...page };
        const ids = searchRuns(db, options).map((r) => r.id);
        expect(ids, JSON.stringify(options)).toEqual(reference(db, options));
        compared++;
      }
    }
  }
  expect(compared).toBe(FILTERS.length * SORTS.length * PAGES.length);
}

/** pageIds with a walk window small enough to cut groups of ties and to fall back to the plain form. */
function expectWindowsSameAsReference(db: Db): void {
  for (const window of [1, 30, 400]) {
    for (const where of FILTERS) {
      const filter = where ? compileFilter(where) : undefined;
      for (const sort of SORTS) {
        for (const page of [{ limit: 50 }, { limit: 3, offset: 40 }, { limit: 40, offset: 1200 }]) {
          const options = { where, sort, ...page };
          const request = {
            conditions: filter ? [filter.sql] : [],
            params: filter?.params ?? [],
            keys: parseSort(sortSpec(sort)),
            offset: page.offset ?? 0,
            limit: page.limit,
            narrow: false,
          };
          expect(pageIds(db, request, window), `${JSON.stringify(options)} window ${window}`).toEqual(reference(db, options));
        }
      }
    }
  }
}

describe('searchRuns pages match the straightforward query', () => {
  let db: Db;
  beforeAll(() => {
    db = makeDb();
    fillPages(db);
  });
  afterAll(() => db.close());

  it('for every filter, sort and page, without the min/max indexes', () => {
    expectSameAsReference(db);
  });

  it('within an experiment and among the children of a run', () => {
    const cases: SearchOptions[] = [];
    for (const sort of SORTS) {
      cases.push(
        { experiment: 'c', sort, limit: 30 },
        { parent: 3, sort },
        { experiment: 'a', where: 'metrics.acc > 0.2', sort, limit: 25, offset: 5 },
        { where: 'parent = 4 AND metrics.acc > 0.1', sort, limit: 20 },
        { where: 'parent IN (2, 5) OR config.lr = 3', sort, limit: 60, offset: 3 },
      );
    }
    for (const options of cases) expect(searchRuns(db, options).map((r) => r.id), JSON.stringify(options)).toEqual(reference(db, options));
  });

  it('when the walk stops at a small window', () => {
    expectWindowsSameAsReference(db);
  });

  it('for every filter, sort and page, with the min/max indexes', () => {
    db.exec(PAGE_INDEXES);
    expectSameAsReference(db);
    expectWindowsSameAsReference(db);
  });
});
