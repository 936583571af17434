/** The page query: the ids of one filtered, sorted page of runs, read in the sort key's index order where one serves. */
import type { Db } from '../registry/database';
import type { FieldRef } from './fields';
import type { FilterNode } from './parser';
import { compileSortKeys, type SortKey } from './sort';

/**
 * Indexes that let a sort by `metrics.<key>.min` / `.max` be read in order, as `metrics.<key>` is
 * through metrics_latest_by_key_value. Not yet in a migration (the next number is being taken by
 * another change): the page query uses them when they exist and is correct without them.
 */
export const PAGE_INDEXES = `
  CREATE INDEX IF NOT EXISTS metrics_latest_by_key_min ON metrics_latest (key, min);
  CREATE INDEX IF NOT EXISTS metrics_latest_by_key_max ON metrics_latest (key, max);
`;

export interface PageRequest {
  /** SQL conditions over the runs table aliased `r`, ANDed; their values in `params`, in order. */
  conditions: readonly string[];
  params: readonly unknown[];
  keys: readonly SortKey[];
  limit: number | undefined;
  offset: number;
  /**
   * The conditions pin the runs to the children of given runs (see pinsParent): those few are
   * sorted outright, as walking the key's index would pass every run to find them. SQLite cannot
   * tell without statistics (the registry runs no ANALYZE) and would walk.
   */
  narrow: boolean;
}

/** Whether a filter (ANDed at its top) selects by `parent = N` or `parent IN (...)`. */
export function pinsParent(node: FilterNode): boolean {
  if (node.kind === 'and') return node.operands.some(pinsParent);
  const isParent = (field: FieldRef) => field.kind === 'column' && field.column === 'parent';
  if (node.kind === 'compare') return node.op === '=' && isParent(node.field);
  return node.kind === 'in' && !node.negated && isParent(node.field);
}

/** The table and column a keyed field's values live in, when an index on (key, column) orders them. */
function keyedSource(db: Db, field: FieldRef): { table: string; column: string } | undefined {
  if (field.kind === 'config') return { table: 'params', column: 'value' };
  if (field.kind === 'tag') return { table: 'tags', column: 'value' };
  if (field.kind !== 'metric') return undefined;
  if (field.aggregate === 'value') return { table: 'metrics_latest', column: 'value' };
  const index = `metrics_latest_by_key_${field.aggregate}`;
  const indexed = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(index);
  return indexed ? { table: 'metrics_latest', column: field.aggregate } : undefined;
}

/**
 * The ids of the page, in order. The plain form sorts every matching run by correlated
 * subqueries: at a million runs that is seconds. When the first key is a config value, a metric
 * or a tag, the page is read in two parts instead, with the same order as the plain form:
 *   1. runs that have a non-NULL value for the key, walked in the (key, value) index's order, so
 *      a LIMIT stops after the first matches; ties on the value follow run_id, which the index
 *      holds after the value (its table's primary key), in the key's direction;
 *   2. only when the page reaches past them, the runs without a value (NULLS LAST), in the plain
 *      form's order.
 */
export function pageIds(db: Db, request: PageRequest): number[] {
  const { conditions, params, keys, limit, offset } = request;
  const [first, ...rest] = keys;
  const source = request.narrow ? undefined : keyedSource(db, first.field);
  if (source === undefined) return plainPage(db, request, [], []);
  const key = (first.field as { key: string }).key;
  const { table, column } = source;
  const dir = first.descending ? 'DESC' : 'ASC';
  // The remaining keys keep the plain form's terms; with none, run_id breaks ties as the index holds it.
  const restOrder = rest.length > 0 ? compileSortKeys(rest, 'r') : { sql: `k.run_id ${dir}`, params: [] };
  const wanted = limit === undefined ? -1 : limit + offset;
  const withValue = db
    .prepare(
      `SELECT k.run_id FROM ${table} k JOIN runs r ON r.id = k.run_id
       WHERE k.key = ? AND k.${column} IS NOT NULL${conditions.map((c) => ` AND ${c}`).join('')}
       ORDER BY k.${column} ${dir}, ${restOrder.sql} LIMIT ?`,
    )
    .pluck()
    .all(key, ...params, ...restOrder.params, wanted) as number[];
  let ids = withValue;
  if (wanted < 0 || withValue.length < wanted) {
    const without = `NOT EXISTS (SELECT 1 FROM ${table} WHERE run_id = r.id AND key = ? AND ${column} IS NOT NULL)`;
    const missing = plainPage(db, { ...request, limit: wanted < 0 ? undefined : wanted - withValue.length, offset: 0 }, [without], [key]);
    ids = withValue.concat(missing);
  }
  return limit === undefined ? ids.slice(offset) : ids.slice(offset, offset + limit);
}

/** Every matching run sorted by the keys' correlated subqueries: the reference order. */
function plainPage(db: Db, request: PageRequest, extra: string[], extraParams: unknown[]): number[] {
  const order = compileSortKeys(request.keys, 'r');
  const conditions = [...request.conditions, ...extra];
  const sql = `SELECT r.id FROM runs r${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY ${order.sql} LIMIT ? OFFSET ?`;
  return db
    .prepare(sql)
    .pluck()
    .all(...request.params, ...extraParams, ...order.params, request.limit ?? -1, request.offset) as number[];
}
