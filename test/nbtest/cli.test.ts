import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collect, ROOT, runCli, processGone, tempDir } from '../helpers';

const NB = relative(ROOT, join(__dirname, '..', 'fixtures', 'notebooks'));

interface NotebookJson {
  path: string;
  status: string;
  durationMs: number;
  cells: { index: number; injected: boolean; status: string; executionCount: number | null }[];
  failedCell: { index: number; injected: boolean; source: string; error: string } | null;
  error: string | null;
  repro: { status: string; against: string | null; pairs: { equal: boolean; runs: number[] }[]; ungated: number; report: string | null; reason: string | null };
  output: string | null;
  registry: string | null;
}

async function nbtest(args: string[]): Promise<{ code: number | null; report: { notebooks: NotebookJson[]; passed: number; failed: number } }> {
  const result = await runCli(['nbtest', ...args, '--json']);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) };
}



type Cell = { cell_type: string; id?: string; metadata: { tags?: string[] }; source: string | string[]; outputs?: { output_type: string; [key: string]: unknown }[]; execution_count?: number | null };

/** What nbformat 4.5's schema requires of the parts the runner writes (checked once against python nbformat too). */
function expectNbformat45(doc: { nbformat: number; nbformat_minor: number; metadata: object; cells: Cell[] }): void {
  expect(Object.keys(doc).sort()).toEqual(['cells', 'metadata', 'nbformat', 'nbformat_minor']);
  expect([doc.nbformat, doc.nbformat_minor]).toEqual([4, 5]);
  const ids = doc.cells.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  const allowed: { [type: string]: string[] } = {
    stream: ['name', 'output_type', 'text'],
    display_data: ['data', 'metadata', 'output_type'],
    execute_result: ['data', 'execution_count', 'metadata', 'output_type'],
    error: ['ename', 'evalue', 'output_type', 'traceback'],
  };
  for (const cell of doc.cells) {
    expect(cell.id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    if (cell.cell_type !== 'code') continue;
    expect(Object.keys(cell).sort()).toEqual(['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source']);
    for (const output of cell.outputs!) expect(Object.keys(output).sort()).toEqual(allowed[output.output_type]);
  }
}

/** A cell's outputs as text; executed copies hold output text split into lines, as nbformat writes it. */
const text = (cell: Cell) => (cell.outputs ?? []).map((o) => (o.output_type === 'stream' ? `${o.name}: ${[o.text].flat().join('')}` : JSON.stringify(o.data))).join('');

describe('labbook nbtest', () => {
  it('runs a passing notebook into --out: outputs, counts, tags, injected parameters, its own registry', async () => {
    const out = tempDir('labbook-nbtest-out-');
    const { code, report } = await nbtest([`${NB}/passing.ipynb`, '--out', out, '--param', 'name="tests"', '--param', 'count=3']);
    expect(code).toBe(0);
    expect(report).toMatchObject({ passed: 1, failed: 0 });
    const [nb] = report.notebooks;
    // The registry is kept in the out folder's project's .labbook/, not beside the copies (here the out folder is its own root).
    const kept = join(out, '.labbook', 'nbtest', 'passing.labbook.db');
    expect(nb).toMatchObject({ path: `${NB}/passing.ipynb`, status: 'passed', failedCell: null, error: null, output: join(out, 'passing.ipynb'), registry: kept });
    expect(nb.durationMs).toBeGreaterThan(0);
    expect(nb.repro).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no checkpointed runs/) });
    expect(nb.cells.map((c) => [c.index, c.injected, c.status])).toEqual([
      [1, false, 'ok'], [1, true, 'ok'], [2, false, 'ok'], [3, false, 'ok'], [4, false, 'ok'], [5, false, 'ok'], [6, false, 'expected-error'], [7, false, 'skipped'], [8, false, 'ok'],
    ]);

    const source = JSON.parse(readFileSync(`${ROOT}/${NB}/passing.ipynb`, 'utf8'));
    const doc = JSON.parse(readFileSync(join(out, 'passing.ipynb'), 'utf8'));
    expectNbformat45(doc);
    expect(doc.metadata).toMatchObject({ ...source.metadata, kernelspec: { name: 'tslab', display_name: 'TypeScript (labbook)', language: 'typescript' } });
    const cells: Cell[] = doc.cells;
    expect(cells).toHaveLength(source.cells.length + 1);
    expect(cells[2]).toMatchObject({ id: 'injected-parameters', metadata: { tags: ['injected-parameters'] }, source: 'name = "tests";\ncount = 3;', execution_count: 2 });
    expect(text(cells[3])).toBe('stdout: hello tests x3\nstderr: a warning on stderr\nstdout: second line\n');
    expect(cells[4].outputs).toEqual([{ output_type: 'display_data', data: { 'text/html': ['<b>bold</b>'] }, metadata: {} }]);
    expect(cells[5].outputs).toEqual([{ output_type: 'display_data', data: { 'text/plain': ['step 2 of 2'] }, metadata: {} }]);
    // tslab shows a cell's last expression on stdout; it sends no execute_result.
    expect(text(cells[6])).toBe('stdout: 6\n');
    expect(text(cells[7])).toMatch(/Error: this cell is expected to fail/);
    expect(cells[8]).toMatchObject({ execution_count: null, outputs: [] });
    expect(cells.filter((c) => c.cell_type === 'code').map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7, null, 8]);
    const [, pid, db] = /kernel pid (\d+)\nregistry (.*)\n/.exec(text(cells[9]).replace(/stdout: /g, ''))!;
    expect(db).toBe(kept);
    expect(await processGone(Number(pid))).toBe(true);
  }, 120_000);

  it('reports each failing notebook of a folder (--jobs 2): cell index, source, stderr text; exit 1', async () => {
    const { code, report } = await nbtest([`${NB}/failing`, '--jobs', '2']);
    expect(code).toBe(1);
    expect(report).toMatchObject({ passed: 0, failed: 4 });
    // Sorted, and the autosave under .ipynb_checkpoints is not a notebook to test.
    expect(report.notebooks.map((n) => n.path)).toEqual(['compile-error', 'dies', 'raises-passes', 'runtime-error'].map((n) => `${NB}/failing/${n}.ipynb`));
    const [compile, dies, raises, runtime] = report.notebooks;
    expect(compile.failedCell).toMatchObject({ index: 0, source: "const typed: number = 'not a number';", error: "1:7 - Type 'string' is not assignable to type 'number'." });
    expect(dies.failedCell).toMatchObject({ index: 1, source: 'process.exit(3);', error: 'kernel died (exit code 3)' });
    expect(raises.failedCell).toMatchObject({ index: 1, error: 'the cell is tagged raises-exception but ran without an error' });
    expect(runtime.failedCell?.index).toBe(2);
    expect(runtime.failedCell?.source).toMatch(/^const answer: number = 41;\n.*\nif \(answer !== 42\)/);
    expect(runtime.failedCell?.error).toMatch(/Error: the answer is 41/);
    expect(runtime.error).toBe('cell 2 failed: Error: the answer is 41');
    expect(runtime.cells.map((c) => c.status)).toEqual(['ok', 'failed', 'not-run']);
    // Both kernels of a pair started (no port clash) and every notebook got to its failing cell.
    for (const nb of report.notebooks) expect(nb.error).toMatch(/^cell \d failed: /);

    const human = await runCli(['nbtest', `${NB}/failing/runtime-error.ipynb`]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^✗ .*runtime-error\.ipynb {2}\d+\.\ds\n {2}cell 2 \[2\]:\n {4}\| const answer: number = 41;\n/);
    expect(human.stdout).toMatch(/Error: the answer is 41/);
    expect(human.stdout).toMatch(/notebooks: 0 passed, 1 failed\n$/);
  }, 120_000);

  it('times a cell out: interrupts it, reports it and shuts the kernel down', async () => {
    const out = tempDir('labbook-nbtest-out-');
    const { code, report } = await nbtest([`${NB}/timeout.ipynb`, '--timeout', '2', '--out', out]);
    expect(code).toBe(1);
    expect(report.notebooks[0].failedCell).toMatchObject({ index: 1, error: 'timed out after 2 s (interrupted)' });
    const doc = JSON.parse(readFileSync(join(out, 'timeout.ipynb'), 'utf8'));
    const pid = Number(/kernel pid (\d+)/.exec(text(doc.cells[0]))![1]);
    expect(await processGone(pid)).toBe(true);
  }, 120_000);

  it('leaves no kernel behind when the runner itself is killed', async () => {
    const child = spawn(process.execPath, [CLI, 'nbtest', `${NB}/timeout.ipynb`], { cwd: ROOT });
    const finished = collect(child);
    let kernel: number | undefined;
    for (let i = 0; i < 300 && kernel === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const processes = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/));
      const found = processes.find(([, ppid, ...args]) => Number(ppid) === child.pid && args.join(' ').includes('tslab kernel'));
      if (found) kernel = Number(found[0]);
    }
    expect(kernel).toBeDefined();
    child.kill('SIGKILL');
    await finished;
    expect(await processGone(kernel!)).toBe(true);
  }, 120_000);

  it('a user mistake is one line and exit 2', async () => {
    const empty = tempDir('labbook-nbtest-empty-');
    for (const args of [[empty], [], [`${NB}/passing.ipynb`, '--bogus'], [`${NB}/passing.ipynb`, '--timeout', '0'], [`${NB}/passing.ipynb`, '--param', 'not-an-identifier=1'], [`${NB}/missing.ipynb`]]) {
      const result = await runCli(['nbtest', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    }
    expect((await runCli(['nbtest', empty])).stderr).toMatch(/^labbook: No notebooks found/);
  }, 60_000);
});
