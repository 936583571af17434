/** Output regression through a real child vitest and real tslab kernels: cells tagged check-output against their committed outputs, and -u. */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNotebook, type NotebookCell } from '../../kernel-lib/src/nbtest/notebook';
import { CLI, type Finished, ROOT, runNode, tempDir } from '../helpers';
import { childVitestEnv } from './run';

const CONFIG = join(ROOT, 'test', 'fixtures', 'vitest', 'regression.config.ts');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const LIMIT = 240_000;

const stdout = (text: string) => ({ output_type: 'stream' as const, name: 'stdout' as const, text });
const code = (source: string, tags: string[], outputs: NotebookCell['outputs'], count: number | null): NotebookCell => ({
  cell_type: 'code',
  source,
  metadata: tags.length ? { tags } : {},
  outputs,
  execution_count: count,
});

/**
 * A notebook whose committed outputs came from an earlier execution: another time, another temp
 * folder, another pid in an HTML id and a seed line (a project sanitizer's job). Cell 3 is untagged
 * and its committed output is nothing like what it prints. Cell 4 prints REGRESSION_VALUE.
 */
function notebook(extra: NotebookCell[] = [], seedLine = true): string {
  const file = join(tempDir('labbook-regression-'), 'outputs.ipynb');
  writeNotebook(file, {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: {},
    cells: [
      { cell_type: 'markdown', source: '# committed outputs', metadata: {} },
      code(
        "import { tmpdir } from 'node:os';\nconsole.log(`saved at ${new Date().toISOString()} in ${tmpdir()}/labbook-run-${process.pid}/model.json`);" + (seedLine ? '\nconsole.log(`seed=${process.pid}`);' : ''),
        ['check-output'],
        [stdout(`saved at 2020-01-01T00:00:00.000Z in ${tmpdir()}/labbook-run-old/model.json\n${seedLine ? 'seed=7\n' : ''}`)],
        1,
      ),
      code("import * as tslab from 'tslab';\ntslab.display.html(`<div id=\"chart-${process.pid}\">42</div>`);", ['check-output'], [{ output_type: 'display_data', data: { 'text/html': '<div id="chart-1">42</div>' }, metadata: {} }], 2),
      code("console.log('untagged', Date.now());", [], [stdout('nothing like what it prints\n')], 3),
      code("console.log('value', process.env.REGRESSION_VALUE ?? 'one');", ['check-output'], [stdout('value one\n')], 4),
      ...extra,
    ],
  });
  return file;
}

/** A real `vitest run` in a child process, with the repo's node_modules resolvable from the temp notebook's folder. */
function vitest(file: string, options: { update?: boolean; env?: { [key: string]: string } } = {}): Promise<Finished> {
  // CI decides whether new outputs are written: the tests set it themselves.
  const env: NodeJS.ProcessEnv = childVitestEnv(/^CI$/);
  Object.assign(env, {
    NODE_PATH: join(ROOT, 'node_modules'),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    LABBOOK_REGRESSION_NOTEBOOKS: JSON.stringify([file]),
    LABBOOK_REGRESSION_OPTIONS: JSON.stringify({ repro: false, sanitizers: [{ regex: 'seed=\\d+', replace: 'seed=N' }] }),
    ...options.env,
  });
  const args = [VITEST, 'run', '--config', CONFIG, ...(options.update ? ['-u'] : [])];
  return runNode(args, { env });
}

const cellsOf = (file: string): NotebookCell[] => JSON.parse(readFileSync(file, 'utf8')).cells;

describe('output regression (cells tagged check-output) in a real vitest run', () => {
  it('passes when the outputs match after sanitizing, never compares untagged cells, and leaves the file alone', async () => {
    const file = notebook();
    const before = readFileSync(file, 'utf8');
    const run = await vitest(file);
    expect(run.stdout + run.stderr).toMatch(/Tests\s+4 passed \(4\)/);
    expect(run.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, LIMIT);

  it('fails a changed output with a diff of committed against now, saying how to accept it', async () => {
    const file = notebook();
    const before = readFileSync(file, 'utf8');
    const run = await vitest(file, { env: { REGRESSION_VALUE: 'two' } });
    const report = run.stdout + run.stderr;
    expect(run.code).toBe(1);
    expect(report).toMatch(/Tests\s+1 failed \| 3 passed \(4\)/);
    expect(report).toContain("cell 4's outputs differ from those committed in the notebook (after sanitizing; - committed, + now):");
    expect(report).toContain('  [stdout]\n- value one\n+ value two');
    expect(report).toContain('`vitest -u` rewrites the committed outputs');
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, LIMIT);

  it('-u rewrites the changed tagged cell and nothing else, and the next run passes', async () => {
    const file = notebook();
    const before = cellsOf(file);
    const update = await vitest(file, { update: true, env: { REGRESSION_VALUE: 'two' } });
    expect(update.stdout + update.stderr).toMatch(/Tests\s+4 passed \(4\)/);
    const after = cellsOf(file);
    expect(after[4].outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: ['value two\n'] }]);
    expect(typeof after[4].execution_count).toBe('number');
    // Matching after sanitizing is not a change: the committed timestamp and HTML id stay, as does the untagged cell.
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    const again = await vitest(file, { env: { REGRESSION_VALUE: 'two' } });
    expect(again.stdout + again.stderr).toMatch(/Tests\s+4 passed \(4\)/);
    expect(again.code).toBe(0);
  }, LIMIT);

  it('-u writes nothing from a notebook in which a cell failed', async () => {
    const file = notebook([code("throw new Error('broken');", [], [], null)]);
    const before = readFileSync(file, 'utf8');
    const run = await vitest(file, { update: true, env: { REGRESSION_VALUE: 'two' } });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/Tests\s+1 failed \| 4 passed \(5\)/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, LIMIT);

  it('a tagged cell with no committed outputs is written as a new snapshot, except in CI where it fails', async () => {
    const file = notebook([code("console.log('new cell');", ['check-output'], [], null)]);
    const ci = await vitest(file, { env: { CI: 'true' } });
    expect(ci.code).toBe(1);
    expect(ci.stdout + ci.stderr).toContain('cell 5 is tagged check-output but the notebook has no committed outputs for it, and new outputs are not written in CI. Run `vitest -u` locally');
    expect(cellsOf(file)[5].outputs).toEqual([]);
    const local = await vitest(file);
    expect(local.stdout + local.stderr).toMatch(/Tests\s+5 passed \(5\)/);
    expect(cellsOf(file)[5].outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: ['new cell\n'] }]);
  }, LIMIT);
});

describe('labbook nbtest --check-outputs / --update-outputs: the same check from the CLI', () => {
  const nbtest = (file: string, flag: string) => runNode([CLI, 'nbtest', file, '--no-repro', flag], { env: { NODE_PATH: join(ROOT, 'node_modules'), REGRESSION_VALUE: 'two' } });

  it('fails with the diff, --update-outputs rewrites only the changed tagged cell, then the check passes', async () => {
    const file = notebook([], false);
    const before = cellsOf(file);
    const check = await nbtest(file, '--check-outputs');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("cell 4's outputs differ from those committed in the notebook (after sanitizing; - committed, + now):");
    expect(check.stdout).toContain('    [stdout]\n  - value one\n  + value two');
    expect(check.stdout).toContain('`labbook nbtest --update-outputs` rewrites the committed outputs');
    expect(cellsOf(file)).toEqual(before);
    const update = await nbtest(file, '--update-outputs');
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('outputs of 1 cell(s) tagged check-output rewritten in the notebook');
    const after = cellsOf(file);
    expect(after[4].outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: ['value two\n'] }]);
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    const again = await nbtest(file, '--check-outputs');
    expect(again.stdout).toContain('notebooks: 1 passed, 0 failed');
    expect(again.code).toBe(0);
  }, LIMIT);
});
