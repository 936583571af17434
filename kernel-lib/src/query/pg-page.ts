/** The team store's page query: one filtered, sorted page of run ids, read in the sort key's index order where one serves (page.ts for PostgreSQL). */
import { numberPlaceholders } from './postgres';
import { compileSortKeys, type SortKey } from './sort';

/** One statement's rows: the team store's query, without importing it here. */
export type PgQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface PgPageRequest {
  /** Conditions over the runs table aliased `r`, ANDed, with `?` placeholders; their values in `params`, in order. */
  conditions: readonly string[];
  params: readonly unknown[];
  /**
   * The same conditions as correlated lookups (emitPostgres with `positive` off): TRUE for the same
   * runs, but evaluated run by run as a walk reads them, where the semi-join form invites the
   * planner to hash every run a filter passes before the first one is read.
   */
  rowConditions: readonly string[];
  rowParams: readonly unknown[];
  keys: readonly SortKey[];
  limit: number | undefined;
  offset: number;
  /** The conditions pin the runs to a parent's children (page.ts's pinsParent): few, sorted outright. */
  narrow: boolean;
}

/** Where a walk reads the first sort key in order: an index on (key, column), or a column of runs itself. */
interface Source {
  table: string;
  column: string;
  key?: string;
}

/** As page.ts's WALK_WINDOW: the index entries a walk reads before the plain form answers instead. */
export const PG_WALK_WINDOW = 5000;

/**
 * The ids of the page, in the plain form's order. The plain form sorts every matching run by
 * correlated subqueries: at 100,000 runs with no filter that is 100,000 lookups (~0.4 s). When the
 * page is limited and the first key is a metric's latest value, a config number (ascending, or
 * descending where the key holds no text) or started_at, its index is walked instead, exactly as
 * page.ts does on SQLite: runs with a value in the index's order up to the `window`-th entry's value
 * (whole groups of ties, which the remaining keys and then the run id order), the LIMIT stopping
 * the walk at the page's end; when the window holds too few matches the plain form answers; when
 * the page reaches past every run with a value, the others follow in the plain form's order.
 */
export async function pgPageIds(query: PgQuery, request: PgPageRequest, window = PG_WALK_WINDOW): Promise<number[]> {
  const { keys, limit, offset } = request;
  const [first, ...rest] = keys;
  const source = request.narrow || limit === undefined ? undefined : await walkSource(query, first);
  if (source === undefined || limit === undefined) return plainPage(query, request, [], []);
  const { table, column, key } = source;
  const dir = first.descending ? 'DESC' : 'ASC';
  const wanted = limit + offset;
  const span = Math.max(window, 10 * wanted);
  const keyed = key === undefined ? [] : [key];
  const keyCondition = key === undefined ? '' : 'key = $1 AND ';
  // The bound binds back exactly, so no group of ties is cut: BIGINT times come back as numbers that
  // fit a double (connect.ts), float8 in PostgreSQL's shortest exact form.
  const [boundRow] = await query(
    `SELECT ${column} AS bound FROM ${table} WHERE ${keyCondition}${column} IS NOT NULL ORDER BY ${column} ${dir} OFFSET $${keyed.length + 1} LIMIT 1`,
    [...keyed, span - 1],
  );
  const bound = boundRow?.bound;
  const params: unknown[] = [...keyed];
  // The walked row is `k`; for a column of runs it is the run itself.
  const k = key === undefined ? 'r' : 'k';
  let where = `${key === undefined ? '' : 'k.key = $1 AND '}${k}.${column} IS NOT NULL`;
  if (bound !== undefined) {
    params.push(bound);
    where += ` AND ${k}.${column} ${first.descending ? '>=' : '<='} $${params.length}`;
  }
  for (const condition of request.rowConditions) where += ` AND ${condition}`;
  where = numberPlaceholders(where, params.length + 1);
  params.push(...request.rowParams);
  // The remaining keys keep the plain form's terms; with none, the run id breaks ties in the key's direction.
  const restOrder = rest.length > 0 ? compileSortKeys(rest, 'r', 'postgres', params.length + 1) : { sql: `r.id ${dir}`, params: [] };
  params.push(...restOrder.params, wanted);
  const from = key === undefined ? 'runs r' : `${table} k JOIN runs r ON r.id = k.run_id`;
  const rows = await query(
    `SELECT r.id FROM ${from} WHERE ${where}
     ORDER BY ${k}.${column} ${dir}, ${restOrder.sql} LIMIT $${params.length}`,
    params,
  );
  let ids = rows.map((row) => Number(row.id));
  if (ids.length < wanted) {
    // Runs past the window may still pass the filter: their order is the plain form's to give.
    if (bound !== undefined) return plainPage(query, request, [], []);
    if (key !== undefined) {
      const without = `NOT EXISTS (SELECT 1 FROM ${table} WHERE run_id = r.id AND key = ? AND ${column} IS NOT NULL)`;
      ids = ids.concat(await plainPage(query, { ...request, limit: wanted - ids.length, offset: 0 }, [without], [key]));
    }
  }
  return ids.slice(offset, offset + limit);
}

/**
 * The index that orders the first key, if any. A config key's text sorts before its numbers
 * descending (after them ascending), and text in its index sorts by the database's collation, not
 * bytewise as SQLite does: only its numbers are walked, first ascending, alone descending.
 */
async function walkSource(query: PgQuery, first: SortKey): Promise<Source | undefined> {
  const { field } = first;
  if (field.kind === 'metric') return field.aggregate === 'value' ? { table: 'metrics_latest', column: 'value', key: field.key } : undefined;
  if (field.kind === 'column') return field.column === 'started_at' ? { table: 'runs', column: 'started_at' } : undefined;
  if (field.kind !== 'config') return undefined;
  if (first.descending) {
    const [text] = await query('SELECT EXISTS (SELECT 1 FROM params WHERE key = $1 AND text IS NOT NULL) AS found', [field.key]);
    if (text.found) return undefined;
  }
  // The plain form's text term needs no place here: a value is stored in num or in text, never both (sync/push.ts).
  return { table: 'params', column: 'num', key: field.key };
}

/** Every matching run sorted by the keys' correlated subqueries: the reference order. */
async function plainPage(query: PgQuery, request: PgPageRequest, extra: string[], extraParams: unknown[]): Promise<number[]> {
  const conditions = [...request.conditions, ...extra];
  const where = numberPlaceholders(conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '');
  const params = [...request.params, ...extraParams];
  const order = compileSortKeys(request.keys, 'r', 'postgres', params.length + 1);
  params.push(...order.params, request.limit ?? null, request.offset);
  const sql = `SELECT r.id FROM runs r${where} ORDER BY ${order.sql} LIMIT $${params.length - 1} OFFSET $${params.length}`;
  return (await query(sql, params)).map((row) => Number(row.id));
}
