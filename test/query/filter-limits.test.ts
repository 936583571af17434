import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { compileFilter, searchRuns } from '../../kernel-lib/src/query';
import { openRegistry, type Registry } from '../../kernel-lib/src/registry';
import { runCli } from '../helpers';

/** Deep and long filters: each is either answered or refused with a one-line error, never a crash. */
let dir: string;
let db: string;
let registry: Registry;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'labbook-filter-limits-'));
  db = join(dir, 'registry.db');
  registry = openRegistry({ db });
  for (const lr of [0.1, 0.2, 0.3]) {
    const run = registry.startRun({ experiment: 'limits', config: { lr }, seed: 1 });
    run.log({ acc: lr * 2 });
    run.end('finished');
  }
});
afterAll(() => {
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const chain = (term: string, op: string, n: number): string => new Array<string>(n).fill(term).join(` ${op} `);
const ids = (where: string): number[] => searchRuns(registry, { where, sort: 'id' }).map((r) => r.id);

function failure(where: string): LabbookError {
  try {
    compileFilter(where);
  } catch (error) {
    expect(error).toBeInstanceOf(LabbookError);
    expect((error as LabbookError).code).toBe('INVALID_FILTER');
    expect((error as LabbookError).message).not.toContain('\n');
    return error as LabbookError;
  }
  throw new Error('expected the filter to be refused');
}

describe('filter limits', () => {
  it('answers long AND / OR chains up to the limit, which SQLite refused past 999 terms', () => {
    expect(ids(chain('config.lr > 0', 'AND', 999))).toEqual([1, 2, 3]);
    expect(ids(`${chain('config.lr > 0', 'AND', 1999)} AND metrics.acc > 0.3`)).toEqual([2, 3]);
    expect(ids(`${chain('config.lr = 7', 'OR', 1999)} OR config.lr = 0.2`)).toEqual([2]);
    // Mixed chains keep their meaning: AND binds tighter than OR.
    expect(ids(`${chain('id = 1', 'OR', 999)} OR ${chain('config.lr > 0.15', 'AND', 1000)} AND id = 3`)).toEqual([1, 3]);
  });

  it('refuses more conditions or IN-list values than the limits, naming them and where', () => {
    const long = chain('config.lr > 0', 'AND', 2001);
    const error = failure(long);
    expect(error.message).toContain('filter too long; expected at most 2000 conditions, found condition 2001 here');
    expect(error.position).toBe(long.lastIndexOf('config.lr') + 1);
    expect(failure(`config.lr IN (${new Array(10_001).fill(1).join(', ')})`).message).toContain('expected at most 10000 values in IN lists in all');
    expect(ids(`config.lr IN (${[...new Array(9_999).fill(5), 0.3].join(', ')})`)).toEqual([3]);
  });

  it('answers nesting up to the limit, and refuses deeper nesting at the parenthesis or NOT that passes it', () => {
    expect(ids(`${'('.repeat(64)}config.lr > 0.15${')'.repeat(64)}`)).toEqual([2, 3]);
    expect(ids(`${'NOT '.repeat(64)}config.lr > 0.15`)).toEqual([2, 3]);
    // The worst case the limits allow: every level as long as the term limit lets it be.
    let deep = 'config.lr > 0';
    for (let level = 0; level < 63; level++) deep = `(${chain('config.lr > 0', 'AND', 30)} AND ${deep})`;
    expect(ids(`NOT ${deep}`)).toEqual([]);
    for (const where of [`${'('.repeat(5000)}config.lr > 0${')'.repeat(5000)}`, `${'NOT '.repeat(5000)}config.lr > 0`, `${'(NOT '.repeat(40)}id = 1${')'.repeat(40)}`]) {
      const error = failure(where);
      expect(error.message).toMatch(/^Invalid filter at column \d+: filter too deep; expected at most 64 nested parentheses and NOTs/);
    }
    expect(failure(`${'('.repeat(65)}id = 1${')'.repeat(65)}`).position).toBe(65);
  });

  it('refuses a sort spec of more than 64 fields, which SQLite refused past 2,000 with its own error', () => {
    expect(searchRuns(registry, { sort: new Array(64).fill('-config.lr').join(',') }).map((r) => r.id)).toEqual([3, 2, 1]);
    let error: unknown;
    try {
      searchRuns(registry, { sort: new Array(3000).fill('config.lr').join(',') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabbookError);
    expect((error as LabbookError).message).toMatch(/^Invalid sort at column 641: sort spec too long; expected at most 64 fields/);
  });

  it('the CLI answers a 999-term filter and refuses a too-deep or too-long one with one line and exit 2', async () => {
    const ok = await runCli(['runs', '--db', db, '--json', '--where', chain('config.lr > 0.15', 'AND', 999)]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { id: number }[]).map((r) => r.id).sort()).toEqual([2, 3]);
    for (const [where, text] of [
      [`${'NOT '.repeat(5000)}id = 1`, 'filter too deep'],
      [`${'('.repeat(5000)}id = 1${')'.repeat(5000)}`, 'filter too deep'],
      [chain('id = 1', 'OR', 2001), 'filter too long'],
    ]) {
      const result = await runCli(['runs', '--db', db, '--where', where]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(text);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
