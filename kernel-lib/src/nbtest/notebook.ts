/** nbformat 4 documents: reading, cell tags, papermill-style parameter injection, writing copies. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { invalidArgument } from '../errors';
import type { Json } from '../registry/types';
import type { Output } from './outputs';

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs?: Output[];
  execution_count?: number | null;
  [key: string]: unknown;
}

export interface NotebookDocument {
  nbformat: number;
  nbformat_minor: number;
  metadata: { [key: string]: unknown };
  cells: NotebookCell[];
}

/** Tags with a meaning to the runner, as papermill and nbclient spell them. */
export const TAGS = { raises: 'raises-exception', skip: 'skip-execution', parameters: 'parameters', injected: 'injected-parameters' } as const;

/** Parses a notebook file; a file that is not nbformat 4 JSON throws with what is wrong. */
export function readNotebook(path: string): NotebookDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalidArgument('notebook', 'a .ipynb file holding nbformat 4 JSON', path, `It does not parse: ${(error as Error).message}.`);
  }
  const nb = doc as Partial<NotebookDocument>;
  if (nb === null || typeof nb !== 'object' || nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw invalidArgument('notebook', 'nbformat 4 JSON ({nbformat: 4, cells: [...]})', `${path} (nbformat ${String(nb?.nbformat)})`, 'Convert it with `jupyter nbconvert --to notebook`.');
  }
  for (const [i, cell] of nb.cells.entries()) {
    if (!cell || typeof cell !== 'object' || typeof cell.cell_type !== 'string' || (typeof cell.source !== 'string' && !Array.isArray(cell.source))) {
      throw invalidArgument(`cells[${i}]`, 'a cell with cell_type and source', cell);
    }
  }
  return { nbformat: 4, nbformat_minor: nb.nbformat_minor ?? 0, metadata: nb.metadata ?? {}, cells: nb.cells };
}

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** `key = <JSON>;` per parameter: the parameters cell declares each with `let`, so they can be assigned. */
export function parameterSource(parameters: { [key: string]: Json }): string {
  return Object.entries(parameters)
    .map(([key, value]) => `${key} = ${JSON.stringify(value)};`)
    .join('\n');
}

/**
 * The cell papermill would inject after the `parameters` cell. nbformat 4.5 requires unique
 * cell ids, so it gets one that no other cell has.
 */
export function injectedCell(parameters: { [key: string]: Json }, doc: NotebookDocument): NotebookCell {
  const cell: NotebookCell = { cell_type: 'code', source: parameterSource(parameters), metadata: { tags: [TAGS.injected] }, outputs: [], execution_count: null };
  if (doc.nbformat_minor >= 5) {
    const ids = new Set(doc.cells.map((c) => c.id));
    let id: string = TAGS.injected;
    for (let n = 2; ids.has(id); n++) id = `${TAGS.injected}-${n}`;
    cell.id = id;
  }
  return cell;
}

/** Parameter names must be TypeScript identifiers, since they are emitted as assignments. */
export function checkParameters(parameters: unknown): { [key: string]: Json } {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw invalidArgument('parameters', 'an object of name -> JSON value', parameters);
  }
  for (const [key, value] of Object.entries(parameters)) {
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) throw invalidArgument('parameter name', 'a TypeScript identifier such as learningRate', key);
    if (value === undefined || typeof value === 'function') throw invalidArgument(`parameters.${key}`, 'a JSON value', value);
  }
  return parameters as { [key: string]: Json };
}

/**
 * Writes a notebook as nbformat (and so Jupyter's save) does, so re-executing one changes only its
 * outputs in a diff: keys sorted, indent 1, a trailing newline, and output text split into lines.
 * Sources are written as they were read. Written beside the file and renamed over it, so a
 * notebook executed in place is never left half written.
 */
export function writeNotebook(path: string, doc: NotebookDocument): void {
  mkdirSync(dirname(path), { recursive: true });
  const cells = doc.cells.map((cell) => (cell.cell_type === 'code' && Array.isArray(cell.outputs) ? { ...cell, outputs: cell.outputs.map(splitOutput) } : cell));
  const partial = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(partial, `${JSON.stringify(sortKeys({ ...doc, cells }), null, 1)}\n`);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** nbformat's split_lines: stream text, and text/* (plus JavaScript and SVG) in a mimebundle. */
function splitOutput(output: Output): Output {
  const lines = (text: unknown) => (typeof text === 'string' ? (text.match(LINES) ?? []) : text);
  if (output.output_type === 'stream') return { ...output, text: lines(output.text) } as Output;
  const data = (output as { data?: unknown }).data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return output;
  const split = Object.fromEntries(Object.entries(data).map(([mime, value]) => [mime, SPLIT_MIME.test(mime) ? lines(value) : value]));
  return { ...output, data: split } as Output;
}

/** Python's str.splitlines(True), which nbformat uses: \r\n, \r, \n and the other line boundaries, each kept. */
const LINES = /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])|[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+$/g;

const SPLIT_MIME = /^(text\/|application\/javascript$|image\/svg\+xml$)/;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: { [key: string]: unknown } = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as { [key: string]: unknown })[key]);
  return sorted;
}
