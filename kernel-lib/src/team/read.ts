/** Reading one run back from the team store as the RunRecord registry.getRun returns, and its metric histories. */
import { LabbookError } from '../errors';
import { checkRunIds } from '../query/batch';
import { diffRecords, type DiffOptions, type RunDiff } from '../query/diff';
import { dict } from '../registry/keys';
import { paramValue } from '../registry/params';
import { RUN_COLUMNS, toRunRow, type RunSqlRow } from '../registry/read';
import type { Json, LatestMetric, RunRecord } from '../registry/types';
import type { TeamStore } from './connect';


/** Everything recorded about run `id` (its team store id): config, params, latest metrics, tags, data, objects, family. */
export async function getTeamRun(store: TeamStore, id: number): Promise<RunRecord> {
  checkRunIds('id', [id], 1);
  const rows = await store.query<RunSqlRow>(
    `SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = $1`,
    [id],
  );
  if (rows.length === 0) {
    throw new LabbookError('NOT_FOUND', `No run with id ${id} in this registry: expected the id of a recorded run. List them with \`labbook runs\`.`);
  }
  const row = rows[0];
  const byKey = 'ORDER BY key COLLATE "C"';
  const [params, metrics, tags, children, datasets, checkpoints, artifacts] = await Promise.all([
    store.query<{ key: string; type: string; num: number | null; text: string | null }>(`SELECT key, type, num, text FROM params WHERE run_id = $1 ${byKey}`, [id]),
    store.query<LatestMetric & { key: string }>(`SELECT key, step, value, min, max, count, time FROM metrics_latest WHERE run_id = $1 ${byKey}`, [id]),
    store.query<{ key: string; value: string }>(`SELECT key, value FROM tags WHERE run_id = $1 ${byKey}`, [id]),
    store.query<{ id: number }>('SELECT id FROM runs WHERE parent_id = $1 ORDER BY id', [id]),
    store.query<{ name: string; sha256: string; rows: number; columns: number; schema: string | null; source: string | null }>(
      'SELECT name, sha256, rows, columns, schema, source FROM datasets WHERE run_id = $1 ORDER BY name COLLATE "C"',
      [id],
    ),
    store.query<RunRecord['checkpoints'][number]>('SELECT step, sha256, bytes, created_at AS "createdAt" FROM checkpoints WHERE run_id = $1 ORDER BY step', [id]),
    store.query<RunRecord['artifacts'][number]>(
      'SELECT name, sha256, media_type AS "mediaType", bytes, created_at AS "createdAt" FROM artifacts WHERE run_id = $1 ORDER BY name COLLATE "C"',
      [id],
    ),
  ]);
  const paramDict = dict<Json>();
  for (const p of params) paramDict[p.key] = paramValue(p.num ?? p.text, p.type);
  const metricDict = dict<LatestMetric>();
  for (const { key, ...latest } of metrics) metricDict[key] = latest;
  const tagDict = dict<string>();
  for (const t of tags) tagDict[t.key] = t.value;
  return {
    ...toRunRow(row),
    params: paramDict,
    metrics: metricDict,
    tags: tagDict,
    children: children.map((c) => c.id),
    datasets: datasets.map((d) => ({ ...d, schema: d.schema === null ? null : JSON.parse(d.schema) })),
    checkpoints,
    artifacts,
  };
}

/** One metric's full history, in step order (empty when the run never logged it). */
export async function getTeamMetricHistory(store: TeamStore, id: number, key: string): Promise<{ step: number; value: number | null; time: number }[]> {
  return store.query('SELECT step, value, time FROM metrics WHERE run_id = $1 AND key = $2 ORDER BY step', [id, key]);
}

/** diffRuns on the team store: the runs read here, compared by query/diff's diffRecords. */
export async function diffTeamRuns(store: TeamStore, ids: readonly number[], options: DiffOptions = {}): Promise<RunDiff> {
  const runIds = checkRunIds('ids', ids, 2);
  const records: RunRecord[] = [];
  for (const id of runIds) records.push(await getTeamRun(store, id));
  return diffRecords(records, options);
}
