import { beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { searchRuns } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { addRun, makeDb } from './fixture';

let db: Db;
beforeAll(() => {
  db = makeDb();
  addRun(db, { config: { lr: 0.1, optimizer: 'adam' }, metrics: { loss: [[0, 1]], test_macro_f1: [[0, 0.5]] }, tags: { team: 'nlp' } });
  addRun(db, { config: { lr: 0.01, optimizer: 'sgd' }, metrics: { loss: [[0, 2]], test_macro_f1: [[0, 0.3]] } });
  addRun(db, { experiment: 'other', config: { width: 3 }, metrics: { accuracy: [[0, 0.9]] } });
});

function error(options: Parameters<typeof searchRuns>[1]): LabbookError {
  try {
    searchRuns(db, options);
  } catch (e) {
    if (e instanceof LabbookError) return e;
    throw e;
  }
  throw new Error('expected a LabbookError');
}

describe('keys no run recorded', () => {
  it('an unknown metric in a filter is INVALID_FILTER with its column and a suggestion', () => {
    const e = error({ where: 'config.lr < 1 AND metrics.test_f1 > 0.4' });
    expect(e.code).toBe('INVALID_FILTER');
    expect(e.position).toBe(19);
    expect(e.message).toMatch(/^Invalid filter at column 19: unknown metric `metrics.test_f1`.*expected one of `metrics.test_macro_f1`/);
    expect(e.message).toMatch(/Did you mean `metrics.test_macro_f1`\?$/);
    expect(e.message).not.toContain('\n');
  });

  it('an unknown metric in a sort is an error too, near spellings included', () => {
    const e = error({ sort: '-metrics.test_f1' });
    expect(e.message).toMatch(/^Invalid sort at column 2: unknown metric.*Did you mean `metrics.test_macro_f1`\?$/);
    expect(error({ sort: 'metrics.los.min' }).message).toMatch(/Did you mean `metrics.loss.min`\?$/);
  });

  it('config keys and tags get the same help', () => {
    expect(error({ where: 'config.lrr < 1' }).message).toMatch(/unknown config key `config.lrr`.*Did you mean `config.lr`\?$/);
    expect(error({ where: "tags.tem = 'nlp'" }).message).toMatch(/unknown tag `tags.tem`.*Did you mean `tags.team`\?$/);
  });

  it('checks against the experiment searched, not the whole registry', () => {
    expect(searchRuns(db, { where: 'metrics.accuracy > 0.5' })).toHaveLength(1);
    expect(error({ experiment: 'mnist', where: 'metrics.accuracy > 0.5' }).message).toMatch(/unknown metric `metrics.accuracy`: no run of this experiment recorded it/);
  });

  it('names the aggregates when the metric exists but the aggregate does not', () => {
    expect(error({ where: 'metrics.loss.median < 1' }).message).toBe(
      'Invalid filter at column 1: unknown aggregate `median` of `metrics.loss`; expected `metrics.loss` (the latest value), `metrics.loss.min` or `metrics.loss.max`, found `metrics.loss.median`.',
    );
  });

  it('keys that exist still filter, and IS NULL on one finds the runs without it', () => {
    expect(searchRuns(db, { where: 'metrics.test_macro_f1 > 0.4' })).toHaveLength(1);
    expect(searchRuns(db, { where: 'tags.team IS NULL' })).toHaveLength(2);
  });
});

describe('numbers compared with text', () => {
  it('a number-valued config key or a metric compared with a string is an error', () => {
    const e = error({ where: "config.lr < 'abc'" });
    expect(e.code).toBe('INVALID_FILTER');
    expect(e.message).toBe("Invalid filter at column 13: `config.lr` is a number in every run, compared with text; expected a number, found 'abc'.");
    expect(error({ where: "metrics.loss IN (1, 'x')" }).message).toMatch(/column 21: `metrics.loss` is a number, compared with text/);
    expect(error({ where: "seed = 'one'" }).message).toMatch(/`seed` is a number/);
  });

  it('a text-valued config key or column compared with a number is an error that says to quote it', () => {
    expect(error({ where: 'config.optimizer = 3' }).message).toMatch(/`config.optimizer` is text in every run, compared with a number.*Quote it: '3'\.$/);
    expect(error({ where: 'name = 3' }).message).toMatch(/`name` is text, compared with a number/);
  });

  it('a key whose recorded values are all null, or of mixed types, takes any value', () => {
    const local = makeDb();
    addRun(local, { config: { note: null, mixed: 1 } });
    addRun(local, { config: { note: null, mixed: 'a' } });
    expect(searchRuns(local, { where: "config.note = 'x' OR config.note = 1" })).toEqual([]);
    expect(searchRuns(local, { where: "config.mixed = 'a'" })).toHaveLength(1);
    local.close();
  });
});
