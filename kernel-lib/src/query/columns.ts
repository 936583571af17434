/** Column lists for listings of runs (`labbook runs --columns`): parsed, checked, and their cells. */
import type { Db } from '../registry/database';
import { flattenParams } from '../registry/params';
import { closestName } from '../suggest';
import { IN_LIST, jsonList } from './batch';
import { columnsError } from './error';
import { type FieldRef, fieldSql, resolveField } from './fields';
import { checkFieldKeys } from './known';
import { readPath } from './lexer';
import type { RunSummary } from './search';
import type { Cell } from './table';

/** A field of the filter language, or the one column a listing computes: how long the run took. */
export type ListColumn = FieldRef | { kind: 'duration'; text: 'duration' };

/** The columns every listing starts with unless --columns says otherwise. */
export const IDENTITY_COLUMNS = ['id', 'experiment', 'name', 'status', 'started_at', 'duration'] as const;

/** `id,name,metrics.loss.min,duration`: any filter field, or `duration`; errors point at the column. */
export function parseColumns(spec: string): { column: ListColumn; pos: number }[] {
  const out: { column: ListColumn; pos: number }[] = [];
  let i = 0;
  for (;;) {
    while (i < spec.length && /\s/.test(spec[i])) i++;
    const start = i;
    if (i >= spec.length || !/[A-Za-z_`]/.test(spec[i])) {
      const found = i < spec.length ? `\`${spec[i]}\`` : 'the end of the list';
      throw columnsError(i + 1, 'missing column', 'a column such as id, duration, metrics.loss or config.lr', found);
    }
    const { segments, end } = readPath(spec, i, columnsError);
    i = end;
    const text = spec.slice(start, end);
    if (segments.length === 1 && !segments[0].quoted && segments[0].text === 'duration') {
      out.push({ column: { kind: 'duration', text: 'duration' }, pos: start + 1 });
    } else {
      if (segments.length === 1 && closestName(text, ['duration'])) {
        throw columnsError(start + 1, `unknown column \`${text}\``, 'a field of the filter language, or duration', undefined, 'Did you mean `duration`?');
      }
      out.push({ column: resolveField(segments, text, start + 1, columnsError), pos: start + 1 });
    }
    while (i < spec.length && /\s/.test(spec[i])) i++;
    if (i >= spec.length) return out;
    if (spec[i] !== ',') throw columnsError(i + 1, `unexpected \`${spec[i]}\``, '`,` before the next column, or the end of the list', `\`${spec[i]}\``);
    i++;
  }
}

/** Unknown keys (no run in scope recorded them) are errors with a suggestion, as in filters. */
export function checkColumns(db: Db, columns: readonly { column: ListColumn; pos: number }[], experiment: string | undefined): void {
  const scope = experiment === undefined ? undefined : (db.prepare('SELECT id FROM experiments WHERE name = ?').pluck().get(experiment) as number | undefined);
  const fields = columns.flatMap(({ column, pos }) => (column.kind === 'duration' ? [] : [{ field: column, pos, values: [] }]));
  checkFieldKeys(db, fields, scope, columnsError);
}

/** The cells a summary does not hold, already read (the team store reads them asynchronously, before rendering). */
export interface PrefetchedCells {
  /** For each run id, the cells of `sqlColumns(columns)` in that order. */
  rows: Map<number, Cell[]>;
}

/** The columns whose cells come from the database rather than the summary (a metric's min or max, hashes, parent). */
export function sqlColumns(columns: readonly ListColumn[]): FieldRef[] {
  return columns.flatMap((c) => (c.kind === 'duration' || fromSummary(c) ? [] : [c]));
}

/**
 * The cells of `columns` for each run, in order. What a summary holds is read from it (config
 * values keep their JSON types); the rest (a metric's min or max, hashes) with the filter's SQL.
 */
export function columnCells(db: Db | PrefetchedCells, summaries: readonly RunSummary[], columns: readonly ListColumn[], now = Date.now()): Cell[][] {
  const fromSql = columns.flatMap((c, i) => (c.kind === 'duration' || fromSummary(c) ? [] : [{ c, i }]));
  let extra = new Map<number, Cell[]>();
  if ('rows' in db && db.rows instanceof Map) extra = db.rows;
  else if (fromSql.length > 0 && summaries.length > 0) {
    db = db as Db;
    const parts = fromSql.map(({ c }) => fieldSql(c as FieldRef, 'r'));
    const sql = `SELECT r.id, ${parts.map((p) => p.sql).join(', ')} FROM runs r WHERE r.id ${IN_LIST}`;
    const rows = db.prepare(sql).raw().all(...parts.flatMap((p) => p.params), jsonList(summaries.map((s) => s.id))) as Cell[][];
    for (const [id, ...cells] of rows) extra.set(id as number, cells);
  }
  return summaries.map((s) => {
    const config = columns.some((c) => c.kind === 'config') ? flatConfig(s) : undefined;
    return columns.map((c, i): Cell => {
      switch (c.kind) {
        case 'duration': {
          const end = s.endedAt ?? (s.status === 'running' ? now : null);
          return end === null ? null : (end - s.startedAt) / 1000;
        }
        case 'config':
          return config![c.key] ?? null;
        case 'tag':
          return Object.hasOwn(s.tags, c.key) ? s.tags[c.key] : null;
        case 'metric':
          if (c.aggregate === 'value') return Object.hasOwn(s.metrics, c.key) ? s.metrics[c.key] : null;
          break;
        case 'column':
          if (fromSummary(c)) return summaryColumn(s, c.column);
      }
      return extra.get(s.id)?.[fromSql.findIndex((f) => f.i === i)] ?? null;
    });
  });
}

const SUMMARY_COLUMNS = ['id', 'experiment', 'name', 'status', 'seed', 'started_at', 'ended_at'];

function fromSummary(c: FieldRef): boolean {
  if (c.kind === 'column') return SUMMARY_COLUMNS.includes(c.column);
  return c.kind !== 'metric' || c.aggregate === 'value';
}

function summaryColumn(s: RunSummary, column: string): Cell {
  const values: { [column: string]: Cell } = { id: s.id, experiment: s.experiment, name: s.name, status: s.status, seed: s.seed, started_at: s.startedAt, ended_at: s.endedAt };
  return values[column] ?? null;
}

/** Config as the params table keys it ('model.units'); booleans as booleans, arrays as JSON text. */
function flatConfig(s: RunSummary): { [key: string]: Cell } {
  const out: { [key: string]: Cell } = Object.create(null) as { [key: string]: Cell };
  for (const p of flattenParams(s.config)) out[p.key] = p.type === 'boolean' ? p.value === 1 : p.value;
  return out;
}
