/** The page query: the ids of one filtered, sorted page of runs, read in the sort key's index order where one serves. */
import type { Db } from '../registry/database';
import type { FieldRef } from './fields';
import type { FilterNode } from './parser';
import { compileSortKeys, type SortKey } from './sort';

/**
 * Indexes that let a sort by `metrics.<key>.min` / `.max` be read in order, as `metrics.<key>` is
 * through metrics_latest_by_key_value. Not in a migration yet: each costs a write per logged point
 * that moves a metric's min or max (the writer's hot path), so shipping them is a choice for
 * migration 5. The page query uses them when they exist and is correct without them.
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
 * How many of the key's index entries the walk reads before it gives up on a filter that few runs
 * pass and sorts them all instead: a walk reads runs in the key's order, at random places in the
 * file, so walking a million is ten times slower than the plain form's one pass.
 */
export const WALK_WINDOW = 5000;

/**
 * The ids of the page, in order. The plain form sorts every matching run by correlated
 * subqueries: at a million runs that is seconds. When the first key is a config value, a metric
 * or a tag and the page is limited, it is read in the key's index order instead, with the same
 * order as the plain form:
 *   1. runs with a non-NULL value for the key, walked in the (key, value) index's order, so the
 *      LIMIT stops after the first matches; ties on the value follow run_id, which the index
 *      holds after the value (its table's primary key), in the key's direction. The walk stops
 *      at the `window`-th entry's value (whole groups of ties, so later keys still order them);
 *      when too few runs in it pass the filter, the plain form answers instead;
 *   2. when the page reaches past every run with a value, those without one (NULLS LAST), in the
 *      plain form's order.
 */
export function pageIds(db: Db, request: PageRequest, window = WALK_WINDOW): number[] {
  const { conditions, params, keys, limit, offset } = request;
  const [first, ...rest] = keys;
  const source = request.narrow || limit === undefined ? undefined : keyedSource(db, first.field);
  if (source === undefined || limit === undefined) return plainPage(db, request, [], []);
  const key = (first.field as { key: string }).key;
  const { table, column } = source;
  const dir = first.descending ? 'DESC' : 'ASC';
  const wanted = limit + offset;
  const span = Math.max(window, 10 * wanted);
  // Read exactly (safeIntegers): a bound rounded to a double could cut a group of ties.
  const bound: unknown = db
    .prepare(`SELECT ${column} FROM ${table} WHERE key = ? AND ${column} IS NOT NULL ORDER BY ${column} ${dir} LIMIT 1 OFFSET ?`)
    .safeIntegers(true)
    .pluck()
    .get(key, span - 1);
  const within = bound === undefined ? '' : ` AND k.${column} ${first.descending ? '>=' : '<='} ?`;
  // The remaining keys keep the plain form's terms; with none, run_id breaks ties as the index holds it.
  const restOrder = rest.length > 0 ? compileSortKeys(rest, 'r') : { sql: `k.run_id ${dir}`, params: [] };
  const withValue = db
    .prepare(
      `SELECT k.run_id FROM ${table} k JOIN runs r ON r.id = k.run_id
       WHERE k.key = ? AND k.${column} IS NOT NULL${within}${conditions.map((c) => ` AND ${c}`).join('')}
       ORDER BY k.${column} ${dir}, ${restOrder.sql} LIMIT ?`,
    )
    .pluck()
    .all(key, ...(bound === undefined ? [] : [bound]), ...params, ...restOrder.params, wanted) as number[];
  let ids = withValue;
  if (withValue.length < wanted) {
    // Runs past the window may still pass the filter: their order is the plain form's to give.
    if (bound !== undefined) return plainPage(db, request, [], []);
    const without = `NOT EXISTS (SELECT 1 FROM ${table} WHERE run_id = r.id AND key = ? AND ${column} IS NOT NULL)`;
    const missing = plainPage(db, { ...request, limit: wanted - withValue.length, offset: 0 }, [without], [key]);
    ids = withValue.concat(missing);
  }
  return ids.slice(offset, offset + limit);
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
