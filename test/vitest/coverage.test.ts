// Coverage of notebook cells: a real child `vitest run --coverage` with labbook/vitest-coverage, whose kernels' V8 coverage lands in the report.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notebookCoverage } from '../../kernel-lib/src/vitest/coverage';
import { collect, ROOT, tempDir } from '../helpers';
import { childVitestEnv } from './run';

const FIXTURES = 'test/fixtures/notebooks/coverage';
const SUGGEST = join(ROOT, 'kernel-lib', 'src', 'suggest.ts');
const EXPERIMENT = join(ROOT, FIXTURES, 'tiny-experiment.ts');

interface FileCoverage {
  statementMap: { [id: string]: { start: { line: number } } };
  s: { [id: string]: number };
  fnMap: { [id: string]: { name: string } };
  f: { [id: string]: number };
}

const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const CONFIG = join(ROOT, 'test', 'fixtures', 'vitest', 'coverage.config.ts');

/** Runs the notebooks in a child `vitest run --coverage` (coverage limited to the two files the fixture notebook exercises); returns coverage-final.json. */
async function coverageOf(notebooks: string[]): Promise<{ [file: string]: FileCoverage }> {
  const reports = join(tempDir('labbook-coverage-'), 'coverage');
  const child = spawn(process.execPath, [VITEST, 'run', '--coverage', '--config', CONFIG], {
    cwd: ROOT,
    env: { ...childVitestEnv(), NO_COLOR: '1', LABBOOK_COVERAGE_NOTEBOOKS: JSON.stringify(notebooks), LABBOOK_COVERAGE_REPORTS: reports },
  });
  const run = await collect(child);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return JSON.parse(readFileSync(join(reports, 'coverage-final.json'), 'utf8'));
}

/** Hits per line of a function's body (the lines from its declaration up to the line `last` matches). */
function bodyHits(coverage: FileCoverage, file: string, first: RegExp, last: RegExp): number[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const from = lines.findIndex((l) => first.test(l)) + 1;
  const to = lines.findIndex((l, i) => i >= from && last.test(l)) + 1;
  expect(from).toBeGreaterThan(0);
  expect(to).toBeGreaterThan(from);
  const hits = new Map<number, number>();
  for (const [id, where] of Object.entries(coverage.statementMap)) {
    const line = where.start.line;
    if (line > from && line <= to) hits.set(line, Math.max(hits.get(line) ?? 0, coverage.s[id]));
  }
  return [...hits.values()];
}

const fnHits = (coverage: FileCoverage | undefined, name: string) => Object.entries(coverage?.fnMap ?? {}).filter(([, f]) => f.name === name).map(([id]) => coverage!.f[id]);

describe('notebookCoverage()', () => {
  it('is vitest\'s coverage config for labbook\'s provider, passing coverage-v8\'s own options through; a provider of its own is a one-line error', () => {
    const config = notebookCoverage({ include: ['src/**'], reporter: ['text'] });
    expect(config).toMatchObject({ provider: 'custom', include: ['src/**'], reporter: ['text'] });
    expect(existsSync(config.customProviderModule)).toBe(true);
    expect(() => notebookCoverage({ provider: 'v8' })).toThrow(/Invalid value for `notebookCoverage\(\) options`: expected @vitest\/coverage-v8's options without `provider` and `customProviderModule`, received .*\. Remove them: notebookCoverage\(\) sets both\./);
  });
});

describe('labbook/vitest-coverage merges what notebook cells ran into vitest\'s coverage report', { timeout: 300_000 }, () => {
  it('lines of labbook\'s TypeScript and of an experiment file that only a notebook cell ran are reported covered, mapped to the .ts sources', async () => {
    const coverage = await coverageOf([`${FIXTURES}/closest-name.ipynb`]);
    const suggest = coverage[SUGGEST];
    expect(fnHits(suggest, 'closestName')).toEqual([1]);
    const body = bodyHits(suggest, SUGGEST, /export function closestName/, /return best;/);
    expect(body.length).toBeGreaterThan(5);
    expect(body.every((n) => n > 0)).toBe(true);
    const experiment = coverage[EXPERIMENT];
    expect(fnHits(experiment, 'run')).toEqual([1]);
    expect(bodyHits(experiment, EXPERIMENT, /run\(config/, /return total;/).every((n) => n > 0)).toBe(true);
  });

  it('without that notebook the same lines are uncovered (the control notebook loads suggest.ts but calls nothing in it)', async () => {
    const coverage = await coverageOf([`${FIXTURES}/control.ipynb`]);
    expect(fnHits(coverage[SUGGEST], 'closestName')).toEqual([0]);
    expect(bodyHits(coverage[SUGGEST], SUGGEST, /export function closestName/, /return best;/).every((n) => n === 0)).toBe(true);
    expect(bodyHits(coverage[EXPERIMENT], EXPERIMENT, /run\(config/, /return total;/).every((n) => n === 0)).toBe(true);
  });

  it('a kernel a cell left a timer running in, stopped with SIGTERM at shutdown, still reports what it ran', async () => {
    const coverage = await coverageOf([`${FIXTURES}/lingering-timer.ipynb`]);
    expect(fnHits(coverage[SUGGEST], 'closestName')).toEqual([1]);
    expect(bodyHits(coverage[SUGGEST], SUGGEST, /export function closestName/, /return best;/).every((n) => n > 0)).toBe(true);
  });
});
