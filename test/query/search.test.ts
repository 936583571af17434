import { beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { searchRuns } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { addRun, makeDb } from './fixture';

let db: Db;
let a: number, b: number, c: number, d: number, e: number;

beforeAll(() => {
  db = makeDb();
  // Two runs share a start time and an accuracy so that ties (and their id tie-break) show.
  a = addRun(db, { startedAt: 1000, config: { lr: 0.1 }, metrics: { acc: [[0, 0.5]] }, tags: { keep: 'yes' } });
  b = addRun(db, { startedAt: 3000, config: { lr: 0.01 }, metrics: { acc: [[0, 0.9]] } });
  c = addRun(db, { startedAt: 2000, config: { lr: 0.1 }, metrics: { acc: [[0, 0.7]] } });
  d = addRun(db, { startedAt: 3000, config: {}, experiment: 'cifar', name: 'no metrics' });
  e = addRun(db, {
    startedAt: 500,
    name: 'full',
    seed: 42,
    status: 'running',
    endedAt: null,
    config: { lr: 0.001, model: { units: 64, act: 'relu' }, flags: [1, 2] },
    metrics: { acc: [[0, 0.2], [3, 0.6]], loss: [[0, null]] },
    tags: { note: 'x' },
  });
});

const order = (sort?: string, extra: object = {}): number[] => searchRuns(db, { sort, ...extra }).map((s) => s.id);

describe('searchRuns', () => {
  it('lists newest first by default, ties by the newer id', () => {
    expect(order()).toEqual([d, b, c, a, e]);
  });

  it('sorts ascending and descending with runs lacking the key always last', () => {
    expect(order('metrics.acc')).toEqual([a, e, c, b, d]);
    expect(order('-metrics.acc')).toEqual([b, c, e, a, d]);
    expect(order('-name')).toEqual([d, e, c, b, a]);
    expect(order('name')).toEqual([e, d, a, b, c]);
  });

  it('sorts by several keys, breaking remaining ties by id', () => {
    expect(order('-config.lr, metrics.acc')).toEqual([a, c, b, e, d]);
    expect(order('config.lr,-started_at')).toEqual([e, b, c, a, d]);
    expect(order('started_at')).toEqual([e, a, c, b, d]);
    expect(order('-started_at,+id')).toEqual([b, d, c, a, e]);
  });

  it('combines a filter, an experiment and a sort', () => {
    expect(order('config.lr', { where: 'config.lr >= 0.01' })).toEqual([b, a, c]);
    expect(order(undefined, { experiment: 'cifar' })).toEqual([d]);
    expect(order(undefined, { experiment: 'mnist', where: "tags.keep = 'yes'" })).toEqual([a]);
    expect(order(undefined, { where: '   ' })).toHaveLength(5);
  });

  it('pages with limit and offset without overlap or gaps', () => {
    const all = order('-metrics.acc');
    const pages = [0, 2, 4].flatMap((offset) => order('-metrics.acc', { limit: 2, offset }));
    expect(pages).toEqual(all);
    expect(order(undefined, { limit: 0 })).toEqual([]);
    expect(order(undefined, { offset: 10 })).toEqual([]);
    expect(order(undefined, { offset: 3 })).toEqual([a, e]);
  });

  it('returns summaries with parsed config, latest metrics and tags', () => {
    const [full] = searchRuns(db, { where: "name = 'full'" });
    expect(full).toEqual({
      id: e,
      experiment: 'mnist',
      name: 'full',
      status: 'running',
      seed: 42,
      startedAt: 500,
      endedAt: null,
      parent: null,
      config: { lr: 0.001, model: { units: 64, act: 'relu' }, flags: [1, 2] },
      metrics: { acc: 0.6, loss: null },
      tags: { note: 'x' },
    });
  });

  it('rejects bad limits, offsets and experiments with the fix in the message', () => {
    for (const limit of [-1, 1.5, Number.NaN, '3']) {
      expect(() => searchRuns(db, { limit: limit as number })).toThrow(/Invalid value for `limit`: expected a non-negative integer/);
    }
    expect(() => searchRuns(db, { offset: -2 })).toThrow(/`offset`/);
    expect(() => searchRuns(db, { experiment: 'mnsit' })).toThrow(/Unknown experiment "mnsit": expected one of "cifar", "mnist"/);
  });

  it('rejects a bad sort field with its position', () => {
    let error: unknown;
    try {
      searchRuns(db, { sort: '-started_at, metrcs.acc' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LabbookError);
    expect((error as LabbookError).code).toBe('INVALID_ARGUMENT');
    expect((error as LabbookError).position).toBe(14);
    expect((error as LabbookError).message).toMatch(/^Invalid sort at column 14: unknown field `metrcs.acc`.*Did you mean `metrics.acc`\?$/);
    expect(() => searchRuns(db, { sort: 'id,' })).toThrow(/^Invalid sort at column 4: missing field/);
    expect(() => searchRuns(db, { sort: 'id name' })).toThrow(/^Invalid sort at column 4: unexpected `n`/);
  });

  it('leaves the filter error to the filter', () => {
    expect(() => searchRuns(db, { where: 'config.lr <' })).toThrow(/^Invalid filter at column 12/);
  });
});
