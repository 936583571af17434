/** Run summaries as a table: plain columns/rows for anyone, a danfo DataFrame for notebooks. */
import type { DataFrame } from 'danfojs-node';
import { dict } from '../registry/keys';
import { flattenParams } from '../registry/params';
import type { RunSummary } from './search';

export type Cell = number | string | boolean | null;

export interface RunsTable {
  /** id, experiment, name, status, seed, started_at, then config.<key>..., then metrics.<key>... */
  columns: string[];
  /** One row per run, in the order given; null where a run lacks the key. */
  rows: Cell[][];
}

const FIXED = ['id', 'experiment', 'name', 'status', 'seed', 'started_at'] as const;

export function runsTable(summaries: readonly RunSummary[]): RunsTable {
  const configs = summaries.map(flatConfig);
  const configKeys = unionKeys(configs);
  const metricKeys = unionKeys(summaries.map((s) => s.metrics));
  const columns = [...FIXED, ...configKeys.map((k) => `config.${k}`), ...metricKeys.map((k) => `metrics.${k}`)];
  const rows = summaries.map((s, i): Cell[] => [
    s.id,
    s.experiment,
    s.name,
    s.status,
    s.seed,
    s.startedAt,
    ...configKeys.map((k) => configs[i][k] ?? null),
    ...metricKeys.map((k) => (Object.hasOwn(s.metrics, k) ? s.metrics[k] : null)),
  ]);
  return { columns, rows };
}

/**
 * The same table as a danfo DataFrame. danfo (and the TensorFlow.js it loads) is required here,
 * not at import, so the registry and the CLI stay fast for callers that never build a frame.
 */
export function runsFrame(summaries: readonly RunSummary[]): DataFrame {
  const danfo = require('danfojs-node') as typeof import('danfojs-node');
  const { columns, rows } = runsTable(summaries);
  const dtypes = columns.map((column, c) => dtypeOf(column, rows.map((row) => row[c])));
  const cells = rows.map((row) => row.map((cell, c) => forDanfo(cell, dtypes[c])));
  return new danfo.DataFrame(cells, { columns, dtypes });
}

/** Config as the params table keys it ('model.units'); booleans as booleans, arrays as JSON text. */
function flatConfig(summary: RunSummary): { [key: string]: Cell } {
  const out = dict<Cell>();
  for (const p of flattenParams(summary.config)) out[p.key] = p.type === 'boolean' ? p.value === 1 : p.value;
  return out;
}

function unionKeys(records: readonly { [key: string]: unknown }[]): string[] {
  const keys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) keys.add(key);
  return [...keys].sort();
}

type Dtype = 'int32' | 'float32' | 'string' | 'boolean' | 'datetime';

/**
 * danfo's dtypes are those of tfjs (int32, float32, string, boolean) plus datetime, and it infers
 * them from the values: a seed above 2^31 read as int32 wraps negative in `.tensor`, and an
 * all-null name reads as float32. So the fixed columns have fixed dtypes (a seed is an identifier,
 * exact only as text: float32 is exact only to 2^24), started_at is a date, and a config or metric
 * column is int32 only when every run has an integer that fits.
 */
const FIXED_DTYPES: { [column: string]: Dtype } = { id: 'int32', experiment: 'string', name: 'string', status: 'string', seed: 'string', started_at: 'datetime' };

function dtypeOf(column: string, cells: readonly Cell[]): Dtype {
  if (Object.hasOwn(FIXED_DTYPES, column)) return FIXED_DTYPES[column];
  const values = cells.filter((c) => c !== null);
  const types = new Set(values.map((c) => typeof c));
  // A config key null in every run says nothing of its type; a metric is a number.
  if (types.size === 0) return column.startsWith('metrics.') ? 'float32' : 'string';
  if (types.size > 1) return 'string'; // one run logged 0.1 and another 'auto': text, so the dtype tells the truth
  if (types.has('boolean')) return 'boolean';
  if (types.has('string')) return 'string';
  // int32 has no missing value (NaN would read as 0), and wraps past 2^31.
  return cells.every((v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31) ? 'int32' : 'float32';
}

// danfo reads NaN as a missing number; a date is a Date (danfo's datetime), not milliseconds.
function forDanfo(cell: Cell, dtype: Dtype): Cell | Date {
  if (dtype === 'datetime') return cell === null ? null : new Date(cell as number);
  if (cell === null) return dtype === 'int32' || dtype === 'float32' ? NaN : null;
  return dtype === 'string' ? String(cell) : cell;
}
