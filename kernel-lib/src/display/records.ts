/** Plain data as tables: an object of scalars (a run's metrics) and an array of such objects (SQL rows). */
import { formatNumber } from './format';
import { htmlTable, textTable, type TableModel } from './table';
import type { View } from './views';

/** Significant digits for numbers in these tables unless show() is told otherwise: 0.9312 reads, 0.93124568 does not. */
export const RECORD_DIGITS = 4;

type Scalar = string | number | boolean | bigint | null | undefined | Date;

function isScalar(v: unknown): v is Scalar {
  return v === null || v === undefined || v instanceof Date || ['string', 'number', 'boolean', 'bigint'].includes(typeof v);
}

/** A plain object (not a class instance: a Map or a tensor keeps its own inspect form) whose values are all scalars. */
export function isScalarRecord(x: unknown): x is { [key: string]: Scalar } {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return false;
  const values = Object.values(x);
  return values.length > 0 && values.every(isScalar);
}

/** Rows from better-sqlite3, `registry.sql()` or a hand-built list: every element a scalar record. */
export function isRecordRows(x: unknown): x is { [key: string]: Scalar }[] {
  return Array.isArray(x) && x.length > 0 && x.every(isScalarRecord);
}

/** One row per element; columns in order of first appearance, so rows with missing keys still line up. */
export function recordRowsView(rows: readonly { [key: string]: Scalar }[], digits = RECORD_DIGITS): View {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) seen.add(key), columns.push(key);
    }
  }
  const model: TableModel = {
    columns,
    rows: rows.map((row) => columns.map((c) => cell(row[c], digits))),
    caption: `${rows.length} row${rows.length === 1 ? '' : 's'}`,
  };
  return { html: () => htmlTable(model), text: (w) => textTable(model, w) };
}

/** A key/value table, keys in the object's order. */
export function scalarRecordView(record: { [key: string]: Scalar }, digits = RECORD_DIGITS): View {
  const model: TableModel = { columns: ['key', 'value'], rows: Object.entries(record).map(([k, v]) => [k, cell(v, digits)]) };
  return { html: () => htmlTable(model), text: (w) => textTable(model, w) };
}

function cell(value: Scalar, digits: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    const abs = Math.abs(value);
    if (Number.isInteger(value) || !Number.isFinite(value)) return formatNumber(value);
    return abs !== 0 && (abs < 1e-4 || abs >= 1e6) ? value.toExponential(digits - 1) : String(Number(value.toPrecision(digits)));
  }
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
