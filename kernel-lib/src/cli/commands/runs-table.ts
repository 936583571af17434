/** The text table of `labbook runs`: chosen columns, or a default that fits 100 columns. */
import { columnCells, IDENTITY_COLUMNS, type ListColumn, parseColumns, type RunSummary } from '../../query';
import type { PrefetchedCells } from '../../query/columns';
import { filterFields } from '../../query/known';
import { parseFilter } from '../../query/parser';
import { parseSort } from '../../query/sort';
import type { Db } from '../../registry/database';
import { flattenParams } from '../../registry/params';
import { cell, fitTable, formatDuration, formatTime, TABLE_WIDTH } from '../format';

/** Metric names that usually say how a run did: the ones a listing shows when nothing is asked for. */
const TELLING = /loss|acc|f1|auc|error|err$|score|precision|recall|mse|mae|rmse|perplexity|bleu|iou|map$/i;
const MAX_METRICS = 4;
const MAX_CONFIG = 3;

/**
 * `columns` as asked for, else: identity and times, the fields the filter and sort name (they are
 * why the user is looking), then up to four loss/accuracy-like metrics and up to three config keys
 * that vary across the listed runs, the last of these dropped while the table is wider than 100.
 */
export function renderRuns(db: Db | CellSource, found: RunSummary[], options: { columns?: ListColumn[]; where?: string; sort?: string }): string {
  if (options.columns) return render(db, found, options.columns).text;
  const identity = parseColumns(IDENTITY_COLUMNS.join(',')).map((c) => c.column);
  const named = namedColumns(options, identity);
  const metricKeys = [...new Set(found.flatMap((s) => Object.keys(s.metrics)))].sort();
  const telling = metricKeys.filter((k) => TELLING.test(k));
  const metrics: ListColumn[] = named.some((c) => c.kind === 'metric')
    ? []
    : (telling.length ? telling : metricKeys).slice(0, MAX_METRICS).map((key) => ({ kind: 'metric', key, aggregate: 'value', text: `metrics.${key}` }));
  const varying = varyingConfig(found).slice(0, MAX_CONFIG).map((key): ListColumn => ({ kind: 'config', key, text: `config.${key}` }));
  const optional = dedupe([...metrics, ...varying], [...identity, ...named]);
  let shown = optional.length;
  let out = render(db, found, [...identity, ...named, ...optional]);
  while (shown > 0 && out.width > TABLE_WIDTH) out = render(db, found, [...identity, ...named, ...optional.slice(0, --shown)]);
  const hidden = metricKeys.length - [...named, ...optional.slice(0, shown)].filter((c) => c.kind === 'metric').length;
  return hidden > 0 ? `${out.text}\n(${hidden} more metric${hidden === 1 ? '' : 's'}: choose with --columns, or --json for all)` : out.text;
}

/** Every column a table of `labbook runs` may need from the database (the team store reads those cells before rendering). */
export function tableColumns(options: { columns?: ListColumn[]; where?: string; sort?: string }): ListColumn[] {
  if (options.columns) return options.columns;
  const identity = parseColumns(IDENTITY_COLUMNS.join(',')).map((c) => c.column);
  return [...identity, ...namedColumns(options, identity)];
}

function namedColumns(options: { where?: string; sort?: string }, identity: ListColumn[]): ListColumn[] {
  return dedupe([...(options.where?.trim() ? filterFields(parseFilter(options.where)) : []), ...(options.sort?.trim() ? parseSort(options.sort).map((k) => k.field) : [])], identity);
}

/** The team store's cells, read asynchronously before rendering for whichever columns a table shows. */
export type CellSource = (columns: ListColumn[]) => PrefetchedCells;

function render(db: Db | CellSource, found: RunSummary[], columns: ListColumn[]): { text: string; width: number } {
  const rows = columnCells(typeof db === 'function' ? db(columns) : db, found, columns).map((row) =>
    row.map((value, i) => {
      const c = columns[i];
      if (c.kind === 'duration') return value === null ? null : formatDuration(value as number);
      if (c.kind === 'column' && (c.column === 'started_at' || c.column === 'ended_at')) return value === null ? null : formatTime(value as number);
      return typeof value === 'boolean' ? String(value) : value;
    }),
  );
  const header = columns.map(label);
  const widths = header.map((h, i) => Math.max(cell(h).length, ...rows.map((r) => cell(r[i]).length)));
  // Ids, statuses, times and numbers read whole; long names and text values give way first.
  const keep = columns.flatMap((c, i) => (c.kind === 'duration' || c.kind === 'metric' || (c.kind === 'column' && c.column !== 'name' && c.column !== 'experiment') ? [i] : []));
  return { text: fitTable(header, rows, TABLE_WIDTH, 0, keep), width: widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) };
}

/** A column's name as listings and exports spell it: `config.model.units`, never with backticks. */
function label(c: ListColumn): string {
  switch (c.kind) {
    case 'config':
      return `config.${c.key}`;
    case 'tag':
      return `tags.${c.key}`;
    case 'metric':
      return `metrics.${c.key}${c.aggregate === 'value' ? '' : `.${c.aggregate}`}`;
    case 'column':
      return c.column;
    default:
      return c.text;
  }
}

function dedupe(columns: ListColumn[], already: ListColumn[]): ListColumn[] {
  const seen = new Set(already.map(label));
  return columns.filter((c) => !seen.has(label(c)) && (seen.add(label(c)), true));
}

/** Config keys whose value is not the same in every listed run (the rest say nothing here). */
function varyingConfig(found: RunSummary[]): string[] {
  const values = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const s of found) {
    for (const p of flattenParams(s.config)) {
      if (!values.has(p.key)) values.set(p.key, new Set());
      values.get(p.key)!.add(JSON.stringify(p.value));
      counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
    }
  }
  // A key some runs lack varies too: its presence is the difference.
  return [...values].filter(([key, set]) => set.size > 1 || counts.get(key)! < found.length).map(([key]) => key).sort();
}
