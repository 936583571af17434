import { beforeAll, describe, expect, it } from 'vitest';
import { compileFilter, searchRuns } from '../../kernel-lib/src/query';
import type { Db } from '../../kernel-lib/src/registry/database';
import { addRun, makeDb } from './fixture';

const INJECTION = "'; DROP TABLE runs; --";
let db: Db;
let r: { adam: number; sgd: number; inject: number; adamw: number; quote: number };

beforeAll(() => {
  db = makeDb();
  r = {
    adam: addRun(db, {
      name: 'baseline',
      seed: 1,
      startedAt: '2024-01-01T00:00:00Z',
      config: { lr: 0.001, optimizer: 'adam', model: { units: 128, dropout: true }, layers: [64, 32], note: null },
      metrics: { acc: [[0, 0.5], [1, 0.9], [2, 0.8]] },
      tags: { team: 'vision' },
    }),
    sgd: addRun(db, {
      status: 'failed',
      seed: 2,
      startedAt: '2024-03-01T00:00:00Z',
      config: { lr: 0.1, optimizer: 'sgd', model: { units: 64, dropout: false } },
      metrics: { acc: [[0, 0.3], [1, 0.6]], 'loss.min': [[0, 5]] },
      tags: { team: 'nlp' },
    }),
    inject: addRun(db, {
      status: 'running',
      experiment: 'cifar',
      startedAt: '2024-06-01T12:00:00Z',
      endedAt: null,
      config: { lr: 0.01, optimizer: INJECTION, model: { units: 256 } },
    }),
    adamw: addRun(db, {
      status: 'killed',
      startedAt: '2024-06-01T12:00:00.500Z',
      config: { optimizer: 'Adam W', batch: 32 },
      metrics: { 'val.acc': [[0, 0.7], [5, 0.75]] },
    }),
    quote: addRun(db, { experiment: 'other', startedAt: '2023-01-01', config: { optimizer: "it's" } }),
  };
});

const ids = (where: string): number[] => searchRuns(db, { where, sort: 'id' }).map((s) => s.id);

describe('typed comparisons', () => {
  it('compares numeric params as numbers', () => {
    expect(ids('config.lr < 0.01')).toEqual([r.adam]);
    expect(ids('config.lr <= 0.01')).toEqual([r.adam, r.inject]);
    // As text '64' > '100'; as numbers it is not.
    expect(ids('config.model.units > 100')).toEqual([r.adam, r.inject]);
    expect(ids('config.lr > -1e3 AND config.lr < 5e-3')).toEqual([r.adam]);
    expect(ids('config.batch = 32')).toEqual([r.adamw]);
  });

  it('compares string params as strings, with either quote and doubled-quote escapes', () => {
    expect(ids("config.optimizer = 'adam'")).toEqual([r.adam]);
    expect(ids('config.optimizer = "sgd"')).toEqual([r.sgd]);
    expect(ids("config.optimizer = 'it''s'")).toEqual([r.quote]);
    expect(ids('config.optimizer = "it\'s"')).toEqual([r.quote]);
    expect(ids("config.optimizer <> 'adam'")).toEqual([r.sgd, r.inject, r.adamw, r.quote]);
  });

  it('binds booleans as the 1/0 they are stored as', () => {
    expect(ids('config.model.dropout = true')).toEqual([r.adam]);
    expect(ids('config.model.dropout = FALSE')).toEqual([r.sgd]);
    expect(ids('config.model.dropout != true')).toEqual([r.sgd]);
  });

  it('matches arrays by their canonical JSON text', () => {
    expect(ids("config.layers = '[64,32]'")).toEqual([r.adam]);
  });

  it('never matches a run that lacks the key, even under NOT', () => {
    expect(ids('NOT config.model.dropout = true')).toEqual([r.sgd]);
    expect(ids('NOT config.lr < 0.05')).toEqual([r.sgd]);
  });
});

describe('logic', () => {
  it('binds AND tighter than OR, and parentheses override it', () => {
    expect(ids("config.optimizer = 'sgd' OR config.optimizer = 'adam' AND config.model.units > 100")).toEqual([r.adam, r.sgd]);
    expect(ids("(config.optimizer = 'sgd' OR config.optimizer = 'adam') AND config.model.units > 100")).toEqual([r.adam]);
  });

  it('binds NOT tighter than AND', () => {
    expect(ids("NOT config.optimizer = 'sgd' AND config.lr < 0.05")).toEqual([r.adam, r.inject]);
    expect(ids("NOT (config.optimizer = 'sgd' AND config.lr < 0.05)")).toEqual([r.adam, r.sgd, r.inject, r.adamw, r.quote]);
    expect(ids("NOT NOT config.optimizer = 'sgd'")).toEqual([r.sgd]);
  });

  it('reads keywords in any case', () => {
    expect(ids("config.optimizer = 'adam' and not config.lr > 1 Or tags.team = 'nlp'")).toEqual([r.adam, r.sgd]);
  });
});

describe('IN, LIKE and IS NULL', () => {
  it('tests membership', () => {
    expect(ids("config.optimizer IN ('adam', 'sgd')")).toEqual([r.adam, r.sgd]);
    expect(ids("config.optimizer NOT IN ('adam', 'sgd')")).toEqual([r.inject, r.adamw, r.quote]);
    expect(ids('config.model.units in (64, 256)')).toEqual([r.sgd, r.inject]);
  });

  it('matches patterns (ASCII case-insensitively, as SQLite LIKE does)', () => {
    expect(ids("config.optimizer LIKE 'adam%'")).toEqual([r.adam, r.adamw]);
    expect(ids("config.optimizer NOT LIKE 'adam%'")).toEqual([r.sgd, r.inject, r.quote]);
    expect(ids("name LIKE 'base_ine'")).toEqual([r.adam]);
  });

  it('treats a missing key and a null value alike', () => {
    expect(ids('config.note IS NULL')).toEqual([r.adam, r.sgd, r.inject, r.adamw, r.quote]);
    expect(ids('config.batch IS NOT NULL')).toEqual([r.adamw]);
    expect(ids('ended_at IS NULL')).toEqual([r.inject]);
    expect(ids('name is not null')).toEqual([r.adam]);
  });
});

describe('metrics and tags', () => {
  it('reads the latest value, and the min/max aggregates with a suffix', () => {
    expect(ids('metrics.acc > 0.85')).toEqual([]);
    expect(ids('metrics.acc.max > 0.85')).toEqual([r.adam]);
    expect(ids('metrics.acc.min < 0.4')).toEqual([r.sgd]);
    expect(ids('metrics.acc >= 0.6')).toEqual([r.adam, r.sgd]);
  });

  it('joins dotted metric names, and backticks keep a name whole', () => {
    expect(ids('metrics.val.acc > 0.72')).toEqual([r.adamw]);
    expect(ids('metrics.val.acc.min = 0.7')).toEqual([r.adamw]);
    expect(ids('metrics.`val.acc`.max = 0.75')).toEqual([r.adamw]);
    // `.min` is always the aggregate; the metric literally named 'loss.min' needs backticks.
    expect(ids('metrics.`loss.min` = 5')).toEqual([r.sgd]);
    // No run logged `loss`, so `loss.min` as an aggregate is a mistake the error explains.
    expect(() => ids('metrics.loss.min = 5')).toThrow(/unknown metric `loss`.*Write the name in backticks: metrics.`loss.min`/);
  });

  it('compares tags', () => {
    expect(ids("tags.team = 'vision'")).toEqual([r.adam]);
    expect(ids("tags.team != 'vision'")).toEqual([r.sgd]);
    expect(ids('tags.team IS NULL')).toEqual([r.inject, r.adamw, r.quote]);
  });
});

describe('run columns', () => {
  it('parses ISO strings for started_at and ended_at (UTC unless an offset is given)', () => {
    expect(ids("started_at >= '2024-03-01'")).toEqual([r.sgd, r.inject, r.adamw]);
    expect(ids("started_at < '2024-06-01T12:00:00.5Z'")).toEqual([r.adam, r.sgd, r.inject, r.quote]);
    expect(ids("started_at > '2024-06-01 14:00:00+02:00'")).toEqual([r.adamw]);
    expect(ids("started_at = '2024-06-01T12:00'")).toEqual([r.inject]);
    expect(ids(`started_at = ${Date.parse('2024-01-01T00:00:00Z')}`)).toEqual([r.adam]);
  });

  it('filters on status, experiment, id, seed and name', () => {
    expect(ids("status IN ('running', 'killed')")).toEqual([r.inject, r.adamw]);
    expect(ids("experiment = 'cifar'")).toEqual([r.inject]);
    expect(ids(`id > ${r.adamw}`)).toEqual([r.quote]);
    expect(ids('seed = 2')).toEqual([r.sgd]);
    expect(ids("name = 'baseline' AND config_hash IS NOT NULL AND code_hash IS NULL")).toEqual([r.adam]);
  });
});

describe('injection', () => {
  it('keeps a hostile value a string that matches only the run that literally has it', () => {
    expect(ids(`config.optimizer = '''; DROP TABLE runs; --'`)).toEqual([r.inject]);
    expect(ids(`config.optimizer = "${INJECTION}"`)).toEqual([r.inject]);
    expect(ids(`config.optimizer IN ('x', "${INJECTION}")`)).toEqual([r.inject]);
    expect(db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(5);
    expect(db.prepare('SELECT count(*) FROM params').pluck().get()).toBeGreaterThan(0);
  });

  it('keeps hostile keys keys', () => {
    // Keys no run has are errors now, and the error, not SQL, is what the hostile text reaches.
    expect(() => ids("config.`x') OR 1=1 --` = 1")).toThrow(/^Invalid filter at column 1: unknown config key `config.`x'\) OR 1=1 --``/);
    expect(() => ids("tags.`a'; DELETE FROM tags; --` = 'b'")).toThrow(/^Invalid filter at column 1: unknown tag/);
    expect(compileFilter("config.`x') OR 1=1 --` = 1 OR tags.`a'; DELETE FROM tags; --` = 'b'").params).toEqual(["x') OR 1=1 --", 1, "a'; DELETE FROM tags; --", 'b']);
    expect(db.prepare('SELECT count(*) FROM tags').pluck().get()).toBe(2);
  });

  it('lexes operators and negative numbers without spaces, and hyphens inside names', () => {
    expect(ids('config.lr<0.01')).toEqual([r.adam]);
    expect(compileFilter('config.lr-decay>-1e-3').params).toEqual(['lr-decay', -0.001]);
  });

  it('puts every value and key in parameters, none in the SQL text', () => {
    const { sql, params } = compileFilter(`config.\`evil'key\` = '${INJECTION.replace(/'/g, "''")}' AND metrics.acc.max > 0.5`);
    expect(sql).not.toContain('evil');
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain('0.5');
    expect(params).toEqual(["evil'key", INJECTION, 'acc', 0.5]);
  });
});
