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
  const kinds = columns.map((_, c) => columnKind(rows.map((row) => row[c])));
  const cells = rows.map((row) => row.map((cell, c) => forDanfo(cell, kinds[c])));
  return new danfo.DataFrame(cells, { columns });
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

type Kind = 'number' | 'boolean' | 'string';

function columnKind(cells: readonly Cell[]): Kind {
  const types = new Set(cells.filter((c) => c !== null).map((c) => typeof c));
  if (types.size === 1 && (types.has('number') || types.has('boolean'))) return types.has('number') ? 'number' : 'boolean';
  return types.size === 0 ? 'number' : 'string';
}

// danfo reads NaN as a missing number, and infers a column's dtype from its values: a column
// where one run logged 0.1 and another 'auto' is made all text so the dtype tells the truth.
function forDanfo(cell: Cell, kind: Kind): Cell {
  if (cell === null) return kind === 'number' ? NaN : null;
  return kind === 'string' ? String(cell) : cell;
}
