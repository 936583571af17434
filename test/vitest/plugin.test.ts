// Notebooks as vitest tests: a real child vitest with labbook's plugin runs fixture notebooks on real tslab kernels.
import { describe, expect, it } from 'vitest';
import { runVitest } from './run';

const FIXTURES = 'test/fixtures/notebooks';
const statuses = (tests: Map<string, { status: string }>) => Object.fromEntries([...tests].map(([name, t]) => [name, t.status]));

// Each case is a child vitest starting real kernels (twice where the reproducibility test runs).
describe('notebooks() makes each .ipynb a vitest test file', { timeout: 300_000 }, () => {
  it('one test per code cell, named by index and first line; skip-execution skipped, raises-exception passing when it raises; then the reproducibility test', async () => {
    const run = await runVitest([`${FIXTURES}/passing.ipynb`]);
    expect(run.code, run.text).toBe(0);
    expect(statuses(run.tests)).toEqual({
      'cell 1: let name = \'world\';': 'passed',
      'cell 2: console.log(`hello ${name} x${count}`);': 'passed',
      "cell 3: import * as tslab from 'tslab';": 'passed',
      'cell 4: const progress = tslab.newDisplay();': 'passed',
      'cell 5: count * 2': 'passed',
      "cell 6: throw new Error('this cell is expected to fail');": 'passed',
      "cell 7: throw new Error('skipped cells never run');": 'skipped',
      'cell 8: console.log(`kernel pid ${process.pid}`);': 'passed',
      'reproduces: checkpointed runs end on the same SHA-256 in a second execution': 'passed',
    });
  });

  it('a failing cell fails its test with the cell number, its source and what the kernel wrote; later cells are not run', async () => {
    const run = await runVitest([`${FIXTURES}/failing/runtime-error.ipynb`]);
    expect(run.code).toBe(1);
    const failed = run.test("cell 2: const answer: number = 41;");
    expect(failed.status).toBe('failed');
    expect(failed.failureMessages[0]).toMatch(/cell 2 \[\d+\] failed\n\n  source:\n    const answer: number = 41;\n    console\.log\('checking the answer'\);\n    if \(answer !== 42\) throw new Error\(`the answer is \$\{answer\}`\);\n\n  kernel said:\n[\s\S]*Error: the answer is 41/);
    // No stack frames of labbook or vitest: the report is about the notebook.
    expect(failed.failureMessages[0]).not.toMatch(/dist[\\/]vitest|node_modules[\\/]vitest/);
    expect(run.test("cell 1: console.log('before the failure');").status).toBe('passed');
    expect(run.test("cell 3: console.log('never printed');").status).toBe('skipped');
    expect(run.text).toMatch(/cell 3: console\.log\('never printed'\);.*not run: cell 2 failed/);
    expect(run.test('reproduces: checkpointed runs end on the same SHA-256 in a second execution').status).toBe('skipped');
  });

  it('a compile error and a dead kernel are reported as such', async () => {
    const run = await runVitest([`${FIXTURES}/failing/compile-error.ipynb`, `${FIXTURES}/failing/dies.ipynb`]);
    expect(run.code).toBe(1);
    expect(run.test("cell 0: const typed: number = 'not a number';").failureMessages[0]).toMatch(/Type 'string' is not assignable to type 'number'/);
    const died = run.test('cell 1: process.exit(3);');
    expect(died.status).toBe('failed');
    expect(died.failureMessages[0]).toMatch(/kernel died|exited with code 3/);
    expect(run.test("cell 2: console.log('never printed');").status).toBe('skipped');
  });

  it('parameters are injected after the parameters cell, as nbtest --param does', async () => {
    const run = await runVitest([`${FIXTURES}/vitest/parameters.ipynb`], { parameters: { epochs: 3, label: 'from vitest' } });
    expect(run.code, run.text).toBe(0);
    expect(run.test('cell 0+: injected parameters').status).toBe('passed');
    expect(run.test('cell 1: if (epochs !== 3').status).toBe('passed');
  });

  it('limits: the notebook metadata execution.timeout (nbmake) and a cell\'s own metadata set a cell\'s limit; notebookTimeout bounds the whole notebook', async () => {
    const run = await runVitest([`${FIXTURES}/vitest/metadata-timeout.ipynb`, `${FIXTURES}/vitest/cell-timeout.ipynb`]);
    expect(run.code).toBe(1);
    expect(run.test('cell 1: await new Promise', 'metadata-timeout.ipynb').failureMessages[0]).toMatch(/timed out after 2 s/);
    expect(run.test('cell 1: await new Promise', 'cell-timeout.ipynb').failureMessages[0]).toMatch(/timed out after 1 s/);

    const bounded = await runVitest([`${FIXTURES}/timeout.ipynb`], { notebookTimeout: 3, repro: false });
    expect(bounded.code).toBe(1);
    expect(bounded.test('cell 0:').status).toBe('passed');
    expect(bounded.test('cell 1: await new Promise').failureMessages[0]).toMatch(/the notebook's limit of 3 s ran out during cell 1 \(timed out after [\d.]+ s/);
    expect(bounded.test('cell 2:').status).toBe('skipped');
  });

  it('the reproducibility test fails with the run diff when a checkpoint differs between executions', async () => {
    const run = await runVitest([`${FIXTURES}/repro/clock.ipynb`, `${FIXTURES}/repro/seeded.ipynb`]);
    expect(run.code).toBe(1);
    expect(run.test('reproduces:', 'seeded.ipynb').status).toBe('passed');
    const gate = run.test('reproduces:', 'clock.ipynb');
    expect(gate.status).toBe('failed');
    const failure = gate.failureMessages[0];
    expect(failure).toMatch(/clock\.ipynb is not reproducible/);
    expect(failure).toMatch(/checkpoint/);
  });

  it('bad plugin options are refused before any kernel starts', async () => {
    const run = await runVitest([`${FIXTURES}/passing.ipynb`], { cellTimeout: -1 });
    expect(run.code).not.toBe(0);
    expect(run.text).toMatch(/Invalid value for `cellTimeout`: expected a positive number of seconds, received -1/);
  });
});
