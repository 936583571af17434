/** searchTeamRuns: the filter language on the team store, returning what searchRuns returns on SQLite. */
import { invalidArgument, LabbookError } from '../errors';
import { checkCount } from '../query/batch';
import { sortError } from '../query/error';
import { filterError } from '../query/error';
import { filterUses } from '../query/known';
import { pinsParent } from '../query/page';
import { parseFilter } from '../query/parser';
import { PG_WALK_WINDOW, pgPageIds } from '../query/pg-page';
import { emitPostgres } from '../query/postgres';
import { toSummary, type RunSummary, type SearchOptions, type SummaryRow } from '../query/search';
import { parseSort, sortSpec } from '../query/sort';
import type { TeamStore } from './connect';
import { checkTeamKeys } from './keys';

/**
 * The runs matching `options`, in order: the same checks, errors and results as searchRuns.
 * `window` is pg-page.ts's walk window; tests shrink it to reach its edges with few runs.
 */
export async function searchTeamRuns(store: TeamStore, options: SearchOptions = {}, window = PG_WALK_WINDOW): Promise<RunSummary[]> {
  const { experiment, where, sort, parent } = options;
  const limit = checkCount('limit', options.limit);
  const offset = checkCount('offset', options.offset) ?? 0;
  if (experiment !== undefined && typeof experiment !== 'string') throw invalidArgument('experiment', 'an experiment name', experiment);
  if (where !== undefined && typeof where !== 'string') throw invalidArgument('where', 'a filter string', where);
  if (sort !== undefined && typeof sort !== 'string') throw invalidArgument('sort', 'a sort spec string', sort);
  if (parent !== undefined && (!Number.isSafeInteger(parent) || parent < 1)) throw invalidArgument('parent', 'a run id (a positive integer)', parent);
  // Everything the user wrote is parsed before the first round trip: a syntax error costs no query.
  const tree = where !== undefined && where.trim() !== '' ? parseFilter(where) : undefined;
  const sortKeys = parseSort(sortSpec(sort));

  // Each condition twice: the semi-join form for the plain query, the correlated one for a walk (pg-page.ts).
  const conditions: string[] = [];
  const params: unknown[] = [];
  const rowConditions: string[] = [];
  const rowParams: unknown[] = [];
  const both = (condition: string, value: unknown) => {
    conditions.push(condition);
    params.push(value);
    rowConditions.push(condition);
    rowParams.push(value);
  };
  const scope = experiment === undefined ? undefined : await teamExperimentId(store, experiment);
  if (scope !== undefined) both('r.experiment_id = ?', scope);
  if (parent !== undefined) {
    if ((await store.query('SELECT 1 FROM runs WHERE id = $1', [parent])).length === 0) {
      throw new LabbookError('NOT_FOUND', `No run with id ${parent} in this registry: expected the id of a recorded run as the parent. List runs with \`labbook runs\`.`);
    }
    both('r.parent_id = ?', parent);
  }
  let narrow = parent !== undefined;
  if (tree) {
    await checkTeamKeys(store, filterUses(tree), scope, filterError);
    narrow ||= pinsParent(tree);
    conditions.push(emitPostgres(tree, 'r', params, true));
    rowConditions.push(emitPostgres(tree, 'r', rowParams));
  }
  await checkTeamKeys(store, sortKeys.map((k) => ({ field: k.field, pos: k.pos, values: [] })), scope, sortError);
  const ids = await pgPageIds((sql, values) => store.query(sql, values), { conditions, params, rowConditions, rowParams, keys: sortKeys, limit, offset, narrow }, window);
  return loadTeamSummaries(store, ids);
}

/** The summaries of `ids`, in that order, in three statements whatever their number. */
export async function loadTeamSummaries(store: TeamStore, ids: readonly number[]): Promise<RunSummary[]> {
  if (ids.length === 0) return [];
  const [rows, metrics, tags] = await Promise.all([
    store.query<SummaryRow>(
      `SELECT r.id, e.name AS experiment, r.name, r.status, r.seed, r.started_at, r.ended_at, r.parent_id, r.config
       FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ANY($1::bigint[])`,
      [ids],
    ),
    // Keys in bytewise order, as SQLite's primary key gives them: the JSON output lists them alike.
    store.query<{ run_id: number; key: string; value: number | null }>('SELECT run_id, key, value FROM metrics_latest WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, key COLLATE "C"', [ids]),
    store.query<{ run_id: number; key: string; value: string }>('SELECT run_id, key, value FROM tags WHERE run_id = ANY($1::bigint[]) ORDER BY run_id, key COLLATE "C"', [ids]),
  ]);
  const byId = new Map<number, RunSummary>();
  for (const row of rows) {
    byId.set(row.id, toSummary(row));
  }
  for (const m of metrics) own(byId.get(m.run_id)!.metrics, m.key, m.value);
  for (const t of tags) own(byId.get(t.run_id)!.tags, t.key, t.value);
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** As on SQLite, an unknown experiment is named with the ones there are. */
export async function teamExperimentId(store: TeamStore, name: string): Promise<number> {
  const found = await store.query<{ id: number }>('SELECT id FROM experiments WHERE name = $1', [name]);
  if (found.length) return found[0].id;
  const known = (await store.query<{ name: string }>('SELECT name FROM experiments ORDER BY name COLLATE "C" LIMIT 20')).map((r) => r.name);
  const expected = known.length ? `one of ${known.map((n) => JSON.stringify(n)).join(', ')}` : 'an experiment with recorded runs (there are none yet)';
  throw new LabbookError(
    'NOT_FOUND',
    `Unknown experiment ${JSON.stringify(name)}: expected ${expected}. Check the spelling, or leave out \`experiment\` to search every run.`,
  );
}

/** Sets an own property, as JSON.parse builds SQLite's summaries: a key such as `__proto__` is kept, not taken as the prototype. */
function own<T>(record: { [key: string]: T }, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
