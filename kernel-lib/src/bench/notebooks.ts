/** The notebooks benchmark: the six notebooks under vitest (labbook/vitest), `labbook nbtest` and Debian's nbconvert, one after another, without the reproducibility rerun. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';

/** Per notebook: wall time, and kernel overhead (kernel start to the first code cell done), in ms. */
export interface NotebookFigures {
  wallMs: number;
  /** kernelStartMs + firstCellMs. */
  overheadMs: number | null;
  /** Spawning the kernel to its kernel_info_reply (vitest: the module's beforeAll; nbconvert: spawning nbconvert to the first cell's start, its iopub busy). */
  kernelStartMs: number | null;
  firstCellMs: number | null;
  passed: boolean;
}

export interface ToolFigures {
  /** The whole command, start to exit. */
  wallMs: number;
  exitCode: number | null;
  notebooks: { [name: string]: NotebookFigures };
  /** How overhead was measured for this tool. */
  overhead: string;
}

const KERNEL_LIB = join(__dirname, '..', '..');
const ROOT = join(KERNEL_LIB, '..');
const CLI = join(KERNEL_LIB, 'dist', 'cli', 'main.js');
const NOTEBOOKS = join(ROOT, 'notebooks');
const PYTHON = '/usr/bin/python3';

export function benchNotebooks(options: { only?: string[] } = {}): { [tool: string]: ToolFigures | string } {
  const names = readdirSync(NOTEBOOKS)
    .filter((n) => n.endsWith('.ipynb'))
    .filter((n) => !options.only || options.only.some((o) => n.startsWith(o)))
    .sort();
  const dir = mkdtempSync(join(tmpdir(), 'labbook-bench-nb-'));
  try {
    const tools: [string, () => ToolFigures | string][] = [
      ['vitest', () => vitest(dir, names)],
      ['nbtest', () => nbtest(names)],
      ['nbconvert', () => (existsSync(PYTHON) ? nbconvert(dir, names) : `not measured: no ${PYTHON} (Debian's python3-nbconvert)`)],
    ];
    const figures: { [tool: string]: ToolFigures | string } = {};
    for (const [tool, measure] of tools) {
      try {
        figures[tool] = measure();
      } catch (error) {
        figures[tool] = `failed: ${(error as Error).message}`;
      }
      // Each tool takes minutes: its figures go to stderr as they come, so an interrupted run still says something.
      process.stderr.write(`notebooks bench, ${tool}: ${JSON.stringify(figures[tool])}\n`);
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** vitest with the plugin on one worker at a time (as --jobs 1); the reporter below adds the beforeAll times the JSON reporter leaves out. */
function vitest(dir: string, names: string[]): ToolFigures {
  const config = join(dir, 'vitest.config.mjs');
  const hooks = join(dir, 'hooks.json');
  writeFileSync(
    config,
    [
      `import { writeFileSync } from 'node:fs';`,
      `import { createRequire } from 'node:module';`,
      `const { notebooks } = createRequire(import.meta.url)(${JSON.stringify(join(KERNEL_LIB, 'vitest.js'))});`,
      // Wall clock in the main process around each module's beforeAll (the kernel's start).
      // and around each module, queued to done (the JSON reporter's startTime leaves out the hooks).
      `const at = new Map(); const hooks = {}; const modules = {};`,
      `const timing = {`,
      `  onTestModuleQueued(m) { at.set(m.moduleId, Date.now()); },`,
      `  onTestModuleEnd(m) { modules[m.moduleId] = Date.now() - at.get(m.moduleId); },`,
      `  onHookStart(h) { if (h.name === 'beforeAll' && h.entity.type === 'module') at.set('hook:' + h.entity.moduleId, Date.now()); },`,
      `  onHookEnd(h) { if (h.name === 'beforeAll' && h.entity.type === 'module') hooks[h.entity.moduleId] = Date.now() - at.get('hook:' + h.entity.moduleId); },`,
      `  onTestRunEnd() { writeFileSync(${JSON.stringify(hooks)}, JSON.stringify({ hooks, modules })); },`,
      `};`,
      `export default { plugins: [notebooks({ repro: false })], test: { include: ${JSON.stringify(names.map((n) => `notebooks/${n}`))}, fileParallelism: false, reporters: ['json', timing], outputFile: { json: ${JSON.stringify(join(dir, 'vitest.json'))} } } };`,
      '',
    ].join('\n'),
  );
  const { wallMs, code } = timed(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', config, '--root', ROOT], ROOT, {});
  const report = JSON.parse(readFileSync(join(dir, 'vitest.json'), 'utf8')) as {
    testResults: { name: string; startTime: number; endTime: number; status: string; assertionResults: { title: string; duration: number | null; status: string }[] }[];
  };
  const recorded = existsSync(hooks) ? (JSON.parse(readFileSync(hooks, 'utf8')) as { hooks: { [file: string]: number }; modules: { [file: string]: number } }) : { hooks: {}, modules: {} };
  const notebooks: { [name: string]: NotebookFigures } = {};
  for (const file of report.testResults) {
    const first = file.assertionResults.find((a) => a.status === 'passed' || a.status === 'failed');
    const hook = recorded.hooks[file.name] ?? null;
    const firstCellMs = first?.duration === null || first === undefined ? null : Math.round(first.duration);
    notebooks[basename(file.name)] = {
      wallMs: recorded.modules[file.name] ?? Math.round(file.endTime - file.startTime),
      overheadMs: hook === null || firstCellMs === null ? null : hook + firstCellMs,
      kernelStartMs: hook,
      firstCellMs,
      passed: file.status === 'passed',
    };
  }
  return { wallMs, exitCode: code, notebooks, overhead: "the module's beforeAll (kernel start; wall clock in vitest's main process) + the first cell test's duration; wallMs per notebook: module queued to done" };
}

function nbtest(names: string[]): ToolFigures {
  const args = [CLI, 'nbtest', ...names.map((n) => join(NOTEBOOKS, n)), '--no-repro', '--jobs', '1', '--json'];
  const { wallMs, code, stdout } = timed(process.execPath, args, ROOT, {});
  const report = JSON.parse(stdout) as { notebooks: { path: string; status: string; durationMs: number; cells: { durationMs: number; status: string }[]; executions: { startupMs: number }[] }[] };
  const notebooks: { [name: string]: NotebookFigures } = {};
  for (const r of report.notebooks) {
    const first = r.cells.find((c) => c.status !== 'skipped');
    const kernelStartMs = r.executions[0]?.startupMs ?? null;
    const firstCellMs = first?.durationMs ?? null;
    notebooks[basename(r.path)] = {
      wallMs: r.durationMs,
      overheadMs: kernelStartMs === null || firstCellMs === null ? null : kernelStartMs + firstCellMs,
      kernelStartMs,
      firstCellMs,
      passed: r.status === 'passed',
    };
  }
  return { wallMs, exitCode: code, notebooks, overhead: "startupMs (spawn to kernel_info_reply) + the first code cell's durationMs" };
}

/** One nbconvert process per notebook, on the kernelspec `labbook kernelspec` writes, each with a fresh registry. */
function nbconvert(dir: string, names: string[]): ToolFigures {
  const jupyter = join(dir, 'jupyter');
  const spec = spawnSync(process.execPath, [CLI, 'kernelspec', '--dir', jupyter], { cwd: ROOT, encoding: 'utf8' });
  if (spec.status !== 0) throw new Error(`labbook kernelspec failed: ${spec.stderr}`);
  const notebooks: { [name: string]: NotebookFigures } = {};
  let wallMs = 0;
  let exitCode: number | null = 0;
  for (const name of names) {
    const out = join(dir, 'nbconvert', name.replace(/\.ipynb$/, ''));
    mkdirSync(out, { recursive: true });
    const spawned = Date.now();
    const env = {
      JUPYTER_PATH: jupyter,
      JUPYTER_PLATFORM_DIRS: '1',
      JUPYTER_RUNTIME_DIR: join(out, 'runtime'),
      LABBOOK_DB: join(out, 'labbook.db'),
      PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`,
    };
    const args = ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=600', '--ExecutePreprocessor.record_timing=True', '--output-dir', out, join(NOTEBOOKS, name)];
    const run = timed(PYTHON, args, NOTEBOOKS, env);
    wallMs += run.wallMs;
    if (run.code !== 0) exitCode = run.code;
    const executed = join(out, name);
    let kernelStartMs: number | null = null;
    let firstCellMs: number | null = null;
    if (existsSync(executed)) {
      const doc = JSON.parse(readFileSync(executed, 'utf8')) as { cells: { cell_type: string; metadata?: { execution?: { [key: string]: string } } }[] };
      const timing = doc.cells.find((c) => c.cell_type === 'code')?.metadata?.execution;
      // tslab publishes no execute_input: the cell starts when the kernel reports busy.
      const began = timing?.['iopub.execute_input'] ?? timing?.['iopub.status.busy'];
      if (began && timing?.['shell.execute_reply']) {
        kernelStartMs = Date.parse(began) - spawned;
        firstCellMs = Date.parse(timing['shell.execute_reply']) - Date.parse(began);
      }
    }
    notebooks[name] = { wallMs: run.wallMs, overheadMs: kernelStartMs === null || firstCellMs === null ? null : kernelStartMs + firstCellMs, kernelStartMs, firstCellMs, passed: run.code === 0 };
  }
  return { wallMs, exitCode, notebooks, overhead: "spawning nbconvert to the first code cell's shell.execute_reply (nbclient's record_timing metadata; the cell starts at iopub.status.busy): includes Python's start and nbconvert's imports" };
}

function timed(command: string, args: string[], cwd: string, env: { [key: string]: string }): { wallMs: number; code: number | null; stdout: string } {
  const start = process.hrtime.bigint();
  // Not LABBOOK_DB of the caller: each tool gives each notebook its own registry.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LABBOOK_') && !k.startsWith('VITEST')));
  const result = spawnSync(command, args, { cwd, env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  return { wallMs: Math.round(Number(process.hrtime.bigint() - start) / 1e6), code: result.status, stdout: result.stdout ?? '' };
}
