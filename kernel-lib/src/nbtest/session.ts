/** A notebook on a live tslab kernel, one code cell at a time: the engine under `labbook nbtest` and the vitest integration. */
import { dirname, resolve } from 'node:path';
import type { Json } from '../registry/types';
import { type CellFailure, type CellResult, type CellStatus, describeFailure, kernelMetadata, type NotebookExecution, planCells, summarize } from './cells';
import { type ExecuteResult, Kernel } from './kernel';
import { cellSource, cellTags, checkParameters, type NotebookCell, readNotebook, TAGS } from './notebook';
import { NotebookOutputs } from './outputs';

export interface SessionOptions {
  /** The registry the notebook's runs go to (LABBOOK_DB in the kernel). */
  db?: string;
  /** Per-cell limit (default 600 s): the cell is interrupted, then the kernel killed. */
  timeoutMs?: number;
  /** Assigned in a cell injected after the cell tagged `parameters`. */
  parameters?: { [key: string]: Json };
  /** How long the kernel may take to answer kernel_info_request (default 60 s). */
  startupTimeoutMs?: number;
  /** Extra environment for the kernel. */
  env?: { [key: string]: string };
  /** Temp folders the kernel removes if this process dies before it (see process.ts). */
  removeIfOrphaned?: readonly string[];
}

/** One cell of the plan: a notebook cell, or the parameters cell injected after the one tagged `parameters`. */
export interface Step {
  cell: NotebookCell;
  /** Index in the source notebook's cells; the injected parameters cell has its parameters cell's. */
  index: number;
  injected: boolean;
  tags: string[];
  source: string;
}

export interface StepOutcome {
  result: CellResult;
  /** Why the cell failed (null when it did what it should, or did not run). */
  failure: CellFailure | null;
}

/**
 * Open with NotebookSession.open (reads and plans the notebook, starts the kernel), run() each
 * step in order, then close(). After a failed cell, later steps are `not-run` (nbconvert stops
 * there too: their state would be missing). execution() is the whole result at any point.
 */
export class NotebookSession {
  readonly steps: Step[];
  private readonly outputs = new NotebookOutputs();
  private readonly timeoutMs: number;
  private readonly result: NotebookExecution;
  private readonly started: number;

  private constructor(
    private readonly kernel: Kernel | null,
    steps: Step[],
    result: NotebookExecution,
    started: number,
    timeoutMs: number,
  ) {
    this.steps = steps;
    this.result = result;
    this.started = started;
    this.timeoutMs = timeoutMs;
  }

  /** Never throws for a bad notebook or a kernel that will not start: the session is then failed (execution().error) and runs nothing. */
  static async open(path: string, options: SessionOptions = {}): Promise<NotebookSession> {
    const started = Date.now();
    const file = resolve(path);
    const result: NotebookExecution = { path: file, notebook: null, cells: [], failedCell: null, error: null, durationMs: 0, startupMs: 0, kernelPid: null };
    const timeoutMs = options.timeoutMs ?? 600_000;
    let steps: Step[];
    try {
      const doc = readNotebook(file);
      const plan = planCells(doc, checkParameters(options.parameters ?? {}));
      steps = plan.map((p) => ({ ...p, tags: cellTags(p.cell), source: p.cell.cell_type === 'code' ? cellSource(p.cell) : '' }));
      result.notebook = { ...doc, cells: plan.map((p) => p.cell) };
    } catch (error) {
      result.error = (error as Error).message;
      return new NotebookSession(null, [], result, started, timeoutMs);
    }
    try {
      const env: { [key: string]: string } = { ...options.env, LABBOOK_NOTEBOOK: file };
      if (options.db) env.LABBOOK_DB = resolve(options.db);
      const kernel = await Kernel.start({ cwd: dirname(file), env, startupTimeoutMs: options.startupTimeoutMs, removeIfOrphaned: options.removeIfOrphaned });
      result.kernelPid = kernel.pid ?? null;
      result.startupMs = Date.now() - started;
      result.notebook.metadata = kernelMetadata(result.notebook.metadata, kernel);
      return new NotebookSession(kernel, steps, result, started, timeoutMs);
    } catch (error) {
      result.error = `the tslab kernel did not start: ${(error as Error).message}`;
      return new NotebookSession(null, steps, result, started, timeoutMs);
    }
  }

  /** The code cells to run, in order (markdown and raw cells carry no work). */
  get codeSteps(): Step[] {
    return this.steps.filter((s) => s.cell.cell_type === 'code');
  }

  /** Set when the notebook could not be read or its kernel did not start; nothing runs then. */
  get openError(): string | null {
    return this.kernel === null ? this.result.error : null;
  }

  /** Runs one code step; skipped (tag, empty source) and after-a-failure steps are recorded, not sent. */
  async run(step: Step, options: { timeoutMs?: number } = {}): Promise<StepOutcome> {
    const { cell, index, injected, tags, source } = step;
    const record = (status: CellStatus, executionCount: number | null, durationMs: number): CellResult => {
      const result = { index, injected, status, executionCount, durationMs };
      this.result.cells.push(result);
      return result;
    };
    if (this.kernel === null || this.result.failedCell || tags.includes(TAGS.skip) || source.trim() === '') {
      const status = this.kernel === null || this.result.failedCell ? 'not-run' : 'skipped';
      if (status === 'not-run') Object.assign(cell, { outputs: [], execution_count: null });
      return { result: record(status, null, 0), failure: null };
    }
    const cellStarted = Date.now();
    const collected = this.outputs.cell();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const reply = await executeWithRetry(this.kernel, source, { timeoutMs, onMessage: (m) => collected.handle(m) });
    Object.assign(cell, { outputs: collected.finish(), execution_count: reply.executionCount });
    const text = describeFailure(reply, collected, tags.includes(TAGS.raises), timeoutMs);
    const status: CellStatus = text ? 'failed' : reply.status === 'ok' ? 'ok' : 'expected-error';
    const result = record(status, reply.executionCount, Date.now() - cellStarted);
    if (!text) return { result, failure: null };
    const failure: CellFailure = { index, injected, executionCount: reply.executionCount, source: source.trim(), error: text };
    this.result.failedCell = failure;
    const where = injected ? `the injected parameters cell (after cell ${index})` : `cell ${index}`;
    this.result.error = `${where} failed: ${summarize(text)}`;
    return { result, failure };
  }

  /** The execution so far: the executed notebook, each cell's result, the first failure. */
  execution(): NotebookExecution {
    return { ...this.result, durationMs: Date.now() - this.started };
  }

  async close(): Promise<void> {
    await this.kernel?.shutdown();
  }
}

/**
 * After a failed cell tslab aborts whatever reaches it in the next 200 ms; a cell tagged
 * raises-exception is followed by more cells, so an aborted one is sent again.
 */
async function executeWithRetry(kernel: Kernel, code: string, options: Parameters<Kernel['execute']>[1]): Promise<ExecuteResult> {
  for (let attempt = 1; ; attempt++) {
    const reply = await kernel.execute(code, options);
    if (reply.status !== 'abort' || attempt >= 4) return reply;
    await new Promise((r) => setTimeout(r, 300));
  }
}
