import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { diffRuns, runsFrame, runsTable, searchRuns } from '../../kernel-lib/src/query';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { runCli } from '../helpers';
import { tempDir } from '../support/temp';
import { onBothStores, trackRegistry } from '../support/both-stores';

onBothStores();

/** Keys that are special on a plain JS object are ordinary keys in every record labbook returns. */
const SPECIAL = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;
const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
/** An object literal cannot hold `__proto__` as a key; JSON.parse makes it an own property. */
const withSpecial = (base: number): Record<string, number> => JSON.parse(`{${SPECIAL.map((k, i) => `"${k}": ${base + i}`).join(', ')}}`);

let dir: string;
let db: string;
let registry: Registry;
let a: number;
let b: number;
beforeAll(() => {
  dir = tempDir('labbook-keys-');
  db = trackRegistry(join(dir, 'registry.db'));
  registry = openRegistry({ db });
  const first = registry.startRun({ experiment: 'keys', config: { lr: 0.1, ...withSpecial(1), model: withSpecial(10) }, seed: 1, tags: withSpecial(20) });
  first.logParams({ extra: withSpecial(30) });
  first.log(withSpecial(40));
  first.end('finished');
  a = first.id;
  const second = registry.startRun({ experiment: 'keys', config: { lr: 0.1, ...JSON.parse('{"__proto__": 2}') }, seed: 1 });
  second.log(JSON.parse('{"__proto__": 0.5}'));
  second.end('finished');
  b = second.id;
});
afterAll(() => {
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('special keys are kept', () => {
  it('getRun returns every config key, param, metric and tag, none of them dropped or inherited', () => {
    const run = registry.getRun(a);
    for (const [i, key] of SPECIAL.entries()) {
      expect(own(run.config, key) && run.config[key]).toBe(1 + i);
      expect(own(run.config.model as object, key)).toBe(true);
      expect(own(run.params, key) && run.params[key]).toBe(1 + i);
      expect(own(run.params, `model.${key}`) && run.params[`model.${key}`]).toBe(10 + i);
      expect(own(run.params, `extra.${key}`) && run.params[`extra.${key}`]).toBe(30 + i);
      expect(own(run.tags, key) && run.tags[key]).toBe(String(20 + i));
      expect(own(run.metrics, key) && run.metrics[key].value).toBe(40 + i);
    }
    // A run without them reads none of Object's inherited functions as a value.
    const other = registry.getRun(b);
    expect(other.metrics.toString).toBeUndefined();
    expect(other.params.constructor).toBeUndefined();
  });

  it('the config hash covers a `__proto__` key', () => {
    const plain = registry.startRun({ experiment: 'keys-hash', config: { lr: 0.1 }, seed: 1 });
    const special = registry.startRun({ experiment: 'keys-hash', config: { lr: 0.1, ...JSON.parse('{"__proto__": 2}') }, seed: 1 });
    expect(special.configHash).not.toBe(plain.configHash);
    expect(registry.getRun(b).configHash).toBe(special.configHash);
    plain.end('finished');
    special.end('finished');
  });

  it('searchRuns, runsTable and runsFrame keep them as columns', () => {
    const [summary] = searchRuns(registry, { where: `id = ${a}` });
    for (const key of SPECIAL) {
      expect(own(summary.config, key) && own(summary.metrics, key) && own(summary.tags, key)).toBe(true);
    }
    const table = runsTable(searchRuns(registry, { experiment: 'keys', sort: 'id' }));
    const at = (column: string) => table.columns.indexOf(column);
    for (const key of SPECIAL) {
      expect(at(`config.${key}`)).toBeGreaterThan(0);
      expect(at(`metrics.${key}`)).toBeGreaterThan(0);
    }
    expect(table.rows.map((row) => row[at('config.__proto__')])).toEqual([1, 2]);
    // Run b has no `toString` metric: its cell is empty, not Object.prototype.toString.
    expect(table.rows.map((row) => row[at('metrics.toString')])).toEqual([42, null]);
    expect(table.rows.map((row) => row[at('config.constructor')])).toEqual([2, null]);
    expect(runsFrame(searchRuns(registry, { experiment: 'keys', sort: 'id' })).columns).toEqual(table.columns);
    expect(searchRuns(registry, { where: 'config.__proto__ = 2 AND metrics.__proto__ < 1' }).map((r) => r.id)).toEqual([b]);
  });

  it('diffRuns compares them like any key', () => {
    const d = diffRuns(registry, [a, b]);
    expect(own(d.config, '__proto__') && d.config.__proto__).toEqual([1, 2]);
    expect(own(d.config, 'constructor') && d.config.constructor).toEqual([2, null]);
    expect(own(d.metrics, '__proto__') && d.metrics.__proto__).toEqual({ values: [40, 0.5], deltas: [0, -39.5] });
    expect(own(d.metrics, 'hasOwnProperty') && d.metrics.hasOwnProperty).toEqual({ values: [43, null], deltas: [0, null] });
  });

  it('show --json prints them', async () => {
    const result = await runCli(['show', String(a), '--db', db, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    for (const [i, key] of SPECIAL.entries()) {
      for (const section of ['config', 'params', 'tags', 'metrics', 'metricStats']) expect(own(shown[section], key)).toBe(true);
      expect(shown.metrics[key]).toBe(40 + i);
    }
  });
});

describe('key length limits', () => {
  const long = 'k'.repeat(251);
  const refused = (body: () => unknown, ...parts: string[]) => {
    let error: unknown;
    try {
      body();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabbookError);
    expect((error as LabbookError).code).toBe('INVALID_ARGUMENT');
    for (const part of parts) expect((error as LabbookError).message).toContain(part);
  };

  it('refuses a name past 250 characters when it is logged, and keeps 250', () => {
    const run = registry.startRun({ experiment: 'keys-long', seed: 1 });
    refused(() => run.log({ [long]: 1 }), 'Metric name too long: expected at most 250 characters, received 251 ("kkkk');
    refused(() => run.log({ ['m'.repeat(16 * 1024 * 1024)]: 1 }), 'received 16777216');
    refused(() => run.logParams({ nested: { [long]: 1 } }), 'Param key too long', 'received 258');
    refused(() => run.setTags({ [long]: 'x' }), 'Tag name too long');
    refused(() => run.setTags({ note: 'x'.repeat(8001) }), 'Tag `note` too long: expected a value of at most 8000 characters, received 8001');
    refused(() => registry.startRun({ experiment: 'keys-long', config: { [long]: 1 } }), 'Config key too long');
    const ok = 'k'.repeat(250);
    run.log({ [ok]: 1 }).logParams({ [ok]: 1 }).setTags({ [ok]: 'x'.repeat(8000) });
    run.end('finished');
    const read = registry.getRun(run.id);
    expect(Object.keys(read.metrics)).toEqual([ok]);
    expect(Object.keys(read.params)).toEqual([ok]);
    expect(read.tags[ok]).toHaveLength(8000);
    expect(searchRuns(registry, { experiment: 'keys-long' })).toHaveLength(1);
  });
});
