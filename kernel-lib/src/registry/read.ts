/** Reads runs back out of the database as plain records. */
import { LabbookError } from '../errors';
import type { Db } from './database';
import { dict } from './keys';
import { paramValue } from './params';
import type { Json, LatestMetric, RunRecord, RunRow, RunStatus } from './types';

/** A run row as both stores return it (the team store reads the same columns). */
export interface RunSqlRow {
  id: number;
  experiment: string;
  name: string | null;
  status: RunStatus;
  seed: number;
  config: string;
  config_hash: string;
  code_hash: string | null;
  parent_id: number | null;
  env: string;
  host: string;
  pid: number;
  started_at: number;
  ended_at: number | null;
  heartbeat_at: number;
  error: string | null;
}

/** The run row's columns over `runs r JOIN experiments e`: the same SQL in both dialects. */
export const RUN_COLUMNS = `r.id, e.name AS experiment, r.name, r.status, r.seed, r.config, r.config_hash,
  r.code_hash, r.parent_id, r.env, r.host, r.pid, r.started_at, r.ended_at, r.heartbeat_at, r.error`;

export function readRunRow(db: Db, id: number): RunRow {
  const row = db
    .prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?`)
    .get(id) as RunSqlRow | undefined;
  if (!row) {
    throw new LabbookError('NOT_FOUND', `No run with id ${id} in this registry: expected the id of a recorded run. List them with \`labbook runs\`.`);
  }
  return toRunRow(row);
}

export function toRunRow(row: RunSqlRow): RunRow {
  return {
    id: row.id,
    experiment: row.experiment,
    name: row.name,
    status: row.status,
    seed: row.seed,
    config: JSON.parse(row.config),
    configHash: row.config_hash,
    codeHash: row.code_hash,
    parent: row.parent_id,
    env: JSON.parse(row.env),
    host: row.host,
    pid: row.pid,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    heartbeatAt: row.heartbeat_at,
    error: row.error,
  };
}

export function readRun(db: Db, id: number): RunRecord {
  const row = readRunRow(db, id);
  // Prototype-free, so keys such as `__proto__` come back like any other.
  const params = dict<Json>();
  for (const p of db.prepare('SELECT key, value, type FROM params WHERE run_id = ? ORDER BY key').all(id) as {
    key: string;
    value: unknown;
    type: string;
  }[]) {
    params[p.key] = paramValue(p.value, p.type);
  }
  const metrics = dict<LatestMetric>();
  for (const m of db
    .prepare('SELECT key, step, value, min, max, count, time FROM metrics_latest WHERE run_id = ? ORDER BY key')
    .all(id) as (LatestMetric & { key: string })[]) {
    const { key, ...latest } = m;
    metrics[key] = latest;
  }
  const tags = dict<string>();
  for (const t of db.prepare('SELECT key, value FROM tags WHERE run_id = ? ORDER BY key').all(id) as { key: string; value: string }[]) {
    tags[t.key] = t.value;
  }
  const children = db.prepare('SELECT id FROM runs WHERE parent_id = ? ORDER BY id').pluck().all(id) as number[];
  const datasets = (
    db.prepare('SELECT name, sha256, rows, columns, schema, source FROM datasets WHERE run_id = ? ORDER BY name').all(id) as {
      name: string;
      sha256: string;
      rows: number;
      columns: number;
      schema: string | null;
      source: string | null;
    }[]
  ).map((d) => ({ ...d, schema: d.schema === null ? null : JSON.parse(d.schema) }));
  const checkpoints = db
    .prepare('SELECT step, sha256, bytes, created_at AS createdAt FROM checkpoints WHERE run_id = ? ORDER BY step')
    .all(id) as RunRecord['checkpoints'];
  const artifacts = db
    .prepare('SELECT name, sha256, media_type AS mediaType, bytes, created_at AS createdAt FROM artifacts WHERE run_id = ? ORDER BY name')
    .all(id) as RunRecord['artifacts'];
  return { ...row, params, metrics, tags, children, datasets, checkpoints, artifacts };
}

/** One metric's full history, in step order. */
export function readMetricHistory(db: Db, id: number, key: string): { step: number; value: number | null; time: number }[] {
  return db
    .prepare('SELECT step, value, time FROM metrics WHERE run_id = ? AND key = ? ORDER BY step')
    .all(id, key) as { step: number; value: number | null; time: number }[];
}
