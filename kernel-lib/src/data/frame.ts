/** Typed columns and the danfo DataFrames built from them: the one place that constructs or reads frames. */
import type { DataFrame } from 'danfojs-node';
import { invalidArgument } from '../errors';
import { danfo } from './lazy';

/** The dtypes labbook writes; danfo's names. Numbers are JS doubles whatever the dtype says. */
export type Dtype = 'float32' | 'int32' | 'string' | 'boolean';
export const DTYPES: readonly Dtype[] = ['float32', 'int32', 'string', 'boolean'];

/** A cell: numbers are NaN when missing, strings and booleans null. */
export type Cell = number | string | boolean | null;

export interface Column {
  name: string;
  dtype: Dtype;
  values: Cell[];
}

export function isNumericDtype(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'int32';
}

/**
 * A DataFrame from columns of equal length. Built from rows with explicit columns and dtypes,
 * because danfo reorders integer-like keys of an object and cannot build an empty frame from one.
 */
export function makeFrame(columns: readonly Column[], index?: readonly (number | string)[]): DataFrame {
  if (columns.length === 0) throw invalidArgument('columns', 'at least one column', columns);
  const n = columns[0].values.length;
  for (const column of columns) {
    if (column.values.length !== n) {
      throw invalidArgument(`columns.${column.name}`, `${n} values like the first column`, column.values);
    }
  }
  const rows: Cell[][] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row: Cell[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = columns[c].values[r];
    rows[r] = row;
  }
  return buildFrame(rows, columns.map((c) => c.name), columns.map((c) => c.dtype), index);
}

function buildFrame(rows: Cell[][], names: string[], dtypes: string[], index?: readonly (number | string)[]): DataFrame {
  const options: { columns: string[]; dtypes: string[]; index?: (number | string)[] } = { columns: names, dtypes };
  if (index && rows.length > 0) options.index = [...index];
  return new (danfo().DataFrame)(rows, options);
}

/** Throws unless `frame` looks like a danfo DataFrame (duck-typed: two danfo copies may coexist). */
export function checkFrame(frame: unknown, name = 'frame'): asserts frame is DataFrame {
  const f = frame as { columns?: unknown; dtypes?: unknown; values?: unknown; shape?: unknown; isSeries?: unknown } | null;
  if (!f || typeof f !== 'object' || !Array.isArray(f.columns) || !Array.isArray(f.dtypes) || !Array.isArray(f.shape) || f.isSeries === true) {
    throw invalidArgument(name, 'a danfo DataFrame', frame, 'Load one with loadCsv/loadJson or build it with `new DataFrame(...)` from danfojs-node.');
  }
}

/** The frame's rows as danfo holds them (never mutate them). */
export function frameRows(frame: DataFrame): Cell[][] {
  if (frame.shape[0] === 0) return [];
  return frame.values as Cell[][];
}

/** Columns read out of a frame (all, or the named ones in that order), each values array a copy. */
export function readColumns(frame: DataFrame, names?: readonly string[]): Column[] {
  checkFrame(frame);
  const all = frame.columns;
  const wanted = names ?? all;
  const rows = frameRows(frame);
  return wanted.map((name) => {
    const c = all.indexOf(name);
    if (c === -1) throw missingColumn(name, all);
    const values: Cell[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) values[r] = rows[r][c];
    return { name, dtype: frame.dtypes[c] as Dtype, values };
  });
}

export function missingColumn(name: string, columns: readonly string[], argument = 'column'): Error {
  return invalidArgument(argument, `one of the frame's columns (${columns.map((c) => `\`${c}\``).join(', ')})`, name);
}

/** The frame's index labels (kept through splits so a row can be traced to its source). */
export function frameIndex(frame: DataFrame): (number | string)[] {
  return frame.index as (number | string)[];
}

/** A frame of the given rows (by position), same columns, dtypes and index labels. */
export function takeRows(frame: DataFrame, positions: readonly number[]): DataFrame {
  checkFrame(frame);
  const rows = frameRows(frame);
  const index = frameIndex(frame);
  const picked: Cell[][] = new Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    if (!Number.isInteger(p) || p < 0 || p >= rows.length) throw invalidArgument('positions', `row positions from 0 to ${rows.length - 1}`, p);
    picked[i] = rows[p].slice();
  }
  return buildFrame(picked, [...frame.columns], [...frame.dtypes], positions.map((p) => index[p]));
}

/** A frame with some columns replaced (each by zero or more columns, in place) and the rest kept. */
export function mapColumns(frame: DataFrame, replace: (column: Column) => Column[] | undefined): DataFrame {
  const out: Column[] = [];
  for (const column of readColumns(frame)) out.push(...(replace(column) ?? [column]));
  const names = new Set<string>();
  for (const c of out) {
    if (names.has(c.name)) throw invalidArgument('columns', 'unique column names', c.name, 'Rename the clashing column first.');
    names.add(c.name);
  }
  return makeFrame(out, frameIndex(frame));
}
