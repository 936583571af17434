/** searchRuns: one query for a filtered, sorted page of run ids, then batched loads of their data. */
import { invalidArgument, LabbookError } from '../errors';
import type { Db } from '../registry/database';
import { dbOf, type RunSource } from './source';
import type { Config, RunStatus } from '../registry/types';
import { checkCount, jsonList, IN_LIST } from './batch';
import { compileTree } from './compile';
import { sortError } from './error';
import { checkFilterKeys, checkSortKeys } from './known';
import { parseFilter } from './parser';
import { pageIds, pinsParent } from './page';
import { parseSort, sortSpec } from './sort';

/** What a listing of runs shows: identity, status, times, config and the latest of each metric. */
export interface RunSummary {
  id: number;
  experiment: string;
  name: string | null;
  status: RunStatus;
  seed: number;
  startedAt: number;
  endedAt: number | null;
  /** The run this one is a child of, or null. */
  parent: number | null;
  config: Config;
  /** Latest value of each metric; null where NaN was logged. */
  metrics: { [key: string]: number | null };
  tags: { [key: string]: string };
}

export interface SearchOptions {
  /** Only runs of this experiment (by name). */
  experiment?: string;
  /** Only the children of this run. */
  parent?: number;
  /** A filter such as `config.lr < 0.01 AND metrics.acc.max > 0.9`. */
  where?: string;
  /** `-metrics.acc,config.lr`; default newest first. */
  sort?: string;
  limit?: number;
  offset?: number;
}

/** A run's summary columns as both stores return them. */
export interface SummaryRow {
  id: number;
  experiment: string;
  name: string | null;
  status: RunStatus;
  seed: number;
  started_at: number;
  ended_at: number | null;
  parent_id: number | null;
  config: string;
}

export function searchRuns(source: RunSource, options: SearchOptions = {}): RunSummary[] {
  const db = dbOf(source);
  const { experiment, where, sort } = options;
  const limit = checkCount('limit', options.limit);
  const offset = checkCount('offset', options.offset) ?? 0;
  if (experiment !== undefined && typeof experiment !== 'string') throw invalidArgument('experiment', 'an experiment name', experiment);
  if (where !== undefined && typeof where !== 'string') throw invalidArgument('where', 'a filter string', where);
  if (sort !== undefined && typeof sort !== 'string') throw invalidArgument('sort', 'a sort spec string', sort);
  const { parent } = options;
  if (parent !== undefined && (!Number.isSafeInteger(parent) || parent < 1)) throw invalidArgument('parent', 'a run id (a positive integer)', parent);

  const conditions: string[] = [];
  const params: unknown[] = [];
  const scope = experiment === undefined ? undefined : experimentId(db, experiment);
  if (scope !== undefined) {
    conditions.push('r.experiment_id = ?');
    params.push(scope);
  }
  if (parent !== undefined) {
    // Like an unknown experiment, a wrong id is named rather than listing nothing.
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(parent)) {
      throw new LabbookError('NOT_FOUND', `No run with id ${parent} in this registry: expected the id of a recorded run as the parent. List runs with \`labbook runs\`.`);
    }
    conditions.push('r.parent_id = ?');
    params.push(parent);
  }
  let narrow = parent !== undefined;
  if (where !== undefined && where.trim() !== '') {
    const tree = parseFilter(where);
    checkFilterKeys(db, tree, scope);
    narrow ||= pinsParent(tree);
    const filter = compileTree(tree);
    conditions.push(filter.sql);
    params.push(...filter.params);
  }
  const sortKeys = parseSort(sortSpec(sort));
  checkSortKeys(db, sortKeys, scope, sortError);
  return loadSummaries(db, pageIds(db, { conditions, params, keys: sortKeys, limit, offset, narrow }));
}

/** The summaries of `ids`, in that order, in three statements whatever the number of runs. */
export function loadSummaries(db: Db, ids: readonly number[]): RunSummary[] {
  if (ids.length === 0) return [];
  const list = jsonList(ids);
  const rows = db
    .prepare(
      `SELECT r.id, e.name AS experiment, r.name, r.status, r.seed, r.started_at, r.ended_at, r.parent_id, r.config
       FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id ${IN_LIST}`,
    )
    .all(list) as SummaryRow[];
  const byId = new Map<number, RunSummary>();
  for (const row of rows) {
    byId.set(row.id, toSummary(row));
  }
  // One JSON object per run built inside SQLite: crossing into JS once per run rather than once
  // per metric halves the cost of a large page (values are REAL, which JSON renders exactly).
  const perRun = (table: 'metrics_latest' | 'tags') =>
    db.prepare(`SELECT run_id, json_group_object(key, value) FROM ${table} WHERE run_id ${IN_LIST} GROUP BY run_id`).raw().all(list) as [
      number,
      string,
    ][];
  for (const [id, json] of perRun('metrics_latest')) byId.get(id)!.metrics = JSON.parse(json) as RunSummary['metrics'];
  for (const [id, json] of perRun('tags')) byId.get(id)!.tags = JSON.parse(json) as RunSummary['tags'];
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A summary row as a RunSummary with no metrics or tags yet (the caller fills them). */
export function toSummary(row: SummaryRow): RunSummary {
  return {
    id: row.id,
    experiment: row.experiment,
    name: row.name,
    status: row.status,
    seed: row.seed,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    parent: row.parent_id,
    config: JSON.parse(row.config) as Config,
    metrics: {},
    tags: {},
  };
}

/** An unknown experiment is a mistake worth naming (a typo would otherwise list nothing, silently). */
function experimentId(db: Db, name: string): number {
  const id = db.prepare('SELECT id FROM experiments WHERE name = ?').pluck().get(name) as number | undefined;
  if (id !== undefined) return id;
  const known = db.prepare('SELECT name FROM experiments ORDER BY name LIMIT 20').pluck().all() as string[];
  const expected = known.length ? `one of ${known.map((n) => JSON.stringify(n)).join(', ')}` : 'an experiment with recorded runs (there are none yet)';
  throw new LabbookError(
    'NOT_FOUND',
    `Unknown experiment ${JSON.stringify(name)}: expected ${expected}. Check the spelling, or leave out \`experiment\` to search every run.`,
  );
}
