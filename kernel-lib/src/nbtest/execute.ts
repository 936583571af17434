/** Executes one notebook on a fresh tslab kernel, cell by cell, into an executed copy and cell results. */
import { dirname, resolve } from 'node:path';
import type { Json } from '../registry/types';
import { type ExecuteResult, Kernel } from './kernel';
import { cellSource, cellTags, checkParameters, injectedCell, type NotebookCell, type NotebookDocument, readNotebook, TAGS } from './notebook';
import { NotebookOutputs } from './outputs';
import { KERNELSPEC } from './process';

export interface ExecuteNotebookOptions {
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

export type CellStatus = 'ok' | 'failed' | 'expected-error' | 'skipped' | 'not-run';

export interface CellResult {
  /** Index in the source notebook's cells; the injected parameters cell has its parameters cell's. */
  index: number;
  injected: boolean;
  status: CellStatus;
  executionCount: number | null;
  durationMs: number;
}

export interface CellFailure {
  index: number;
  injected: boolean;
  executionCount: number | null;
  /** The cell's source, trimmed. */
  source: string;
  /** What went wrong: the cell's stderr (tslab's error report), a traceback, a timeout or the kernel's death. */
  error: string;
}

export interface NotebookExecution {
  path: string;
  /** The notebook with this execution's outputs and execution counts (and any injected cell). */
  notebook: NotebookDocument | null;
  cells: CellResult[];
  failedCell: CellFailure | null;
  /** One line on why the notebook failed (null when every cell did what it should). */
  error: string | null;
  durationMs: number;
  /** Kernel start to its first kernel_info_reply. */
  startupMs: number;
  kernelPid: number | null;
}

const ERROR_TEXT_LIMIT = 8000;

/** Runs every code cell in order and stops at the first failure, as `jupyter nbconvert --execute` does. */
export async function executeNotebook(path: string, options: ExecuteNotebookOptions = {}): Promise<NotebookExecution> {
  const started = Date.now();
  const file = resolve(path);
  const result: NotebookExecution = { path: file, notebook: null, cells: [], failedCell: null, error: null, durationMs: 0, startupMs: 0, kernelPid: null };
  const finish = () => ((result.durationMs = Date.now() - started), result);
  let plan: { cell: NotebookCell; index: number; injected: boolean }[];
  try {
    const doc = readNotebook(file);
    plan = planCells(doc, checkParameters(options.parameters ?? {}));
    result.notebook = { ...doc, cells: plan.map((p) => p.cell) };
  } catch (error) {
    result.error = (error as Error).message;
    return finish();
  }

  let kernel: Kernel;
  try {
    const env: { [key: string]: string } = { ...options.env, LABBOOK_NOTEBOOK: file };
    if (options.db) env.LABBOOK_DB = resolve(options.db);
    kernel = await Kernel.start({ cwd: dirname(file), env, startupTimeoutMs: options.startupTimeoutMs, removeIfOrphaned: options.removeIfOrphaned });
  } catch (error) {
    result.error = `the tslab kernel did not start: ${(error as Error).message}`;
    return finish();
  }
  result.kernelPid = kernel.pid ?? null;
  result.startupMs = Date.now() - started;
  result.notebook.metadata = kernelMetadata(result.notebook.metadata, kernel);
  const outputs = new NotebookOutputs();
  const timeoutMs = options.timeoutMs ?? 600_000;
  try {
    for (const { cell, index, injected } of plan) {
      if (cell.cell_type !== 'code') continue;
      const tags = cellTags(cell);
      const source = cellSource(cell);
      if (result.failedCell || tags.includes(TAGS.skip) || source.trim() === '') {
        const status = result.failedCell ? 'not-run' : 'skipped';
        if (status === 'not-run') Object.assign(cell, { outputs: [], execution_count: null });
        result.cells.push({ index, injected, status, executionCount: null, durationMs: 0 });
        continue;
      }
      const cellStarted = Date.now();
      const collected = outputs.cell();
      const reply = await executeWithRetry(kernel, source, { timeoutMs, onMessage: (m) => collected.handle(m) });
      Object.assign(cell, { outputs: collected.finish(), execution_count: reply.executionCount });
      const expectError = tags.includes(TAGS.raises);
      const failure = describeFailure(reply, collected, expectError, timeoutMs);
      const status: CellStatus = failure ? 'failed' : reply.status === 'ok' ? 'ok' : 'expected-error';
      result.cells.push({ index, injected, status, executionCount: reply.executionCount, durationMs: Date.now() - cellStarted });
      if (failure) {
        result.failedCell = { index, injected, executionCount: reply.executionCount, source: source.trim(), error: failure };
        const where = injected ? `the injected parameters cell (after cell ${index})` : `cell ${index}`;
        result.error = `${where} failed: ${summarize(failure)}`;
      }
    }
  } finally {
    await kernel.shutdown();
  }
  return finish();
}

/**
 * What Jupyter front ends record on opening a notebook with a kernel: its kernelspec (name,
 * display_name, language as in kernel.json) and the language_info of its kernel_info_reply. A
 * notebook saved with anything else is marked modified as soon as it is opened. Other keys stay.
 */
function kernelMetadata(metadata: { [key: string]: unknown }, kernel: Kernel): { [key: string]: unknown } {
  const languageInfo = kernel.kernelInfo?.language_info;
  return { ...metadata, kernelspec: { ...KERNELSPEC }, ...(languageInfo ? { language_info: structuredClone(languageInfo) } : {}) };
}

/** The cells to run: the notebook's, plus the injected parameters cell after the `parameters` one. */
function planCells(doc: NotebookDocument, parameters: { [key: string]: Json }): { cell: NotebookCell; index: number; injected: boolean }[] {
  const cells = doc.cells.map((c, index) => ({ cell: structuredClone(c), index, injected: false }));
  if (Object.keys(parameters).length === 0) return cells;
  const at = doc.cells.findIndex((c) => c.cell_type === 'code' && cellTags(c).includes(TAGS.parameters));
  if (at < 0) {
    throw new Error(`parameters were given (${Object.keys(parameters).join(', ')}) but no code cell is tagged \`parameters\`: tag the cell that declares them with \`let\``);
  }
  cells.splice(at + 1, 0, { cell: injectedCell(parameters, doc), index: at, injected: true });
  return cells;
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

function describeFailure(reply: ExecuteResult, cell: { stderr: string; errors: { ename: string; evalue: string; traceback: string[] }[] }, expectError: boolean, timeoutMs: number): string | null {
  switch (reply.status) {
    case 'ok':
      return expectError ? `the cell is tagged ${TAGS.raises} but ran without an error` : null;
    case 'error':
      return expectError ? null : errorText(cell) || 'the cell failed (execute_reply status "error") and wrote nothing to stderr';
    case 'timeout': {
      const how = reply.detail === 'interrupted' ? 'interrupted' : 'the kernel was killed after an interrupt did not stop it';
      return `timed out after ${formatSeconds(timeoutMs)} s (${how})`;
    }
    case 'died': {
      const text = errorText(cell);
      return text ? `${reply.detail}\n${text}` : String(reply.detail);
    }
    default:
      return `the kernel answered execute_request with status ${JSON.stringify(reply.status)}`;
  }
}

/** tslab leaves ename/evalue empty and writes the error to stderr; other kernels send `error`. */
function errorText(cell: { stderr: string; errors: { ename: string; evalue: string; traceback: string[] }[] }): string {
  const parts = cell.errors.map((e) => (e.traceback.length ? e.traceback.join('\n') : [e.ename, e.evalue].filter(Boolean).join(': ')));
  // ANSI colours in tracebacks are for terminals that render them; a report is read as text.
  const text = [cell.stderr.trim(), ...parts]
    .filter(Boolean)
    .join('\n')
    .replace(/\x1b\[[0-9;]*m/g, '')
    // Stack frames inside node's vm and tslab itself say nothing about the notebook.
    .replace(/\n\s+at [^\n]*(node:vm|node:internal|[\\/]tslab[\\/]dist[\\/])[^\n]*/g, '');
  return text.length > ERROR_TEXT_LIMIT ? `${text.slice(0, ERROR_TEXT_LIMIT)}\n... (${text.length - ERROR_TEXT_LIMIT} more characters)` : text;
}

/**
 * One line for a summary. A runtime error's stderr starts with tslab's `evalmachine.<anonymous>:3`
 * location and the source line; the `Error: ...` line says what happened. A compile error is
 * `line:col - message`.
 */
function summarize(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\d+:\d+ - /.test(l) || /^([A-Z]\w*)?(Error|Exception)\b/.test(l)) ?? lines[0] ?? text;
}

function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}
