/** What one notebook execution is made of (plan, per-cell results, failures) and how a failure reads. */
import type { Json } from '../registry/types';
import type { ExecuteResult, Kernel } from './kernel';
import { cellTags, injectedCell, type NotebookCell, type NotebookDocument, TAGS } from './notebook';
import { KERNELSPEC } from './process';

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

/**
 * What Jupyter front ends record on opening a notebook with a kernel: its kernelspec (name,
 * display_name, language as in kernel.json) and the language_info of its kernel_info_reply. A
 * notebook saved with anything else is marked modified as soon as it is opened. Other keys stay.
 */
export function kernelMetadata(metadata: { [key: string]: unknown }, kernel: Kernel): { [key: string]: unknown } {
  const languageInfo = kernel.kernelInfo?.language_info;
  return { ...metadata, kernelspec: { ...KERNELSPEC }, ...(languageInfo ? { language_info: structuredClone(languageInfo) } : {}) };
}

/** The cells to run: the notebook's, plus the injected parameters cell after the `parameters` one. */
export function planCells(doc: NotebookDocument, parameters: { [key: string]: Json }): { cell: NotebookCell; index: number; injected: boolean }[] {
  const cells = doc.cells.map((c, index) => ({ cell: structuredClone(c), index, injected: false }));
  if (Object.keys(parameters).length === 0) return cells;
  const at = doc.cells.findIndex((c) => c.cell_type === 'code' && cellTags(c).includes(TAGS.parameters));
  if (at < 0) {
    throw new Error(`parameters were given (${Object.keys(parameters).join(', ')}) but no code cell is tagged \`parameters\`: tag the cell that declares them with \`let\``);
  }
  cells.splice(at + 1, 0, { cell: injectedCell(parameters, doc), index: at, injected: true });
  return cells;
}

export function describeFailure(reply: ExecuteResult, cell: { stderr: string; errors: { ename: string; evalue: string; traceback: string[] }[] }, expectError: boolean, timeoutMs: number): string | null {
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
export function summarize(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\d+:\d+ - /.test(l) || /^([A-Z]\w*)?(Error|Exception)\b/.test(l)) ?? lines[0] ?? text;
}

function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}
