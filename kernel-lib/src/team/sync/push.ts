/** The team store's side of sync: each function is one step, committed in its own transaction, safe to repeat. */
import type pg from 'pg';
import type { DatasetRecord, RunRow } from '../../registry/types';
import { float8Array, int8Array, textArray } from './binary';
import { copyPoints } from './copy';

/**
 * A local run's row as the team store takes it: the registry's RunRow fields, with config and env
 * as the JSON text both stores keep, and what only sync knows (the parent's team id, the origin).
 */
export type RunRowIn = Pick<RunRow, 'experiment' | 'name' | 'seed' | 'configHash' | 'codeHash' | 'host' | 'pid' | 'startedAt' | 'heartbeatAt'> & {
  config: string;
  env: string;
  pidStarted: number | null;
  parentId: number | null;
  origin: string;
  originRunId: number;
};

export async function inTransaction<T>(client: pg.PoolClient, body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const out = await body();
    await client.query('COMMIT');
    return out;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Inserts or refreshes a run keyed by (origin, origin_run_id) and returns its team id. Its status
 * stays 'running' until the last step pushes the real one, so a half-pushed run never looks done.
 */
export async function upsertRun(client: pg.PoolClient, r: RunRowIn, now: number): Promise<number> {
  return inTransaction(client, async () => {
    await client.query('INSERT INTO experiments (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [r.experiment, now]);
    const res = await client.query<{ id: string }>(
      `INSERT INTO runs (experiment_id, name, status, seed, config, config_hash, code_hash, env, host, pid, pid_started, started_at,
         heartbeat_at, parent_id, origin, origin_run_id, synced_at)
       VALUES ((SELECT id FROM experiments WHERE name = $1), $2, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (origin, origin_run_id) DO UPDATE SET name = excluded.name, heartbeat_at = excluded.heartbeat_at,
         parent_id = COALESCE(excluded.parent_id, runs.parent_id), synced_at = excluded.synced_at
       RETURNING id`,
      [r.experiment, r.name, r.seed, r.config, r.configHash, r.codeHash, r.env, r.host, r.pid, r.pidStarted, r.startedAt, r.heartbeatAt,
        r.parentId, r.origin, r.originRunId, now],
    );
    return Number(res.rows[0].id);
  });
}

/** A run's team id by its (origin, local id), or null when it has not been pushed. */
export async function teamRunId(client: pg.PoolClient, origin: string, localId: number): Promise<number | null> {
  const res = await client.query<{ id: string }>('SELECT id FROM runs WHERE origin = $1 AND origin_run_id = $2', [origin, localId]);
  return res.rows.length ? Number(res.rows[0].id) : null;
}

export async function runExists(client: pg.PoolClient, id: number): Promise<boolean> {
  return (await client.query('SELECT 1 FROM runs WHERE id = $1', [id])).rows.length > 0;
}

/** Params are write-once: a repeated push inserts nothing. A value keeps its type (num or text). */
export async function pushParams(client: pg.PoolClient, runId: number, params: { key: string; value: unknown; type: string }[]): Promise<void> {
  const num = params.map((p) => (typeof p.value === 'number' ? p.value : null));
  const text = params.map((p) => (typeof p.value === 'string' ? p.value : null));
  await inTransaction(client, () =>
    client.query(
      `INSERT INTO params (run_id, key, type, num, text) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[])
       ON CONFLICT (run_id, key) DO NOTHING`,
      [runId, params.map((p) => p.key), params.map((p) => p.type), num, text],
    ),
  );
}

/** Tags are mutable: the team's copy becomes exactly the local set. */
export async function pushTags(client: pg.PoolClient, runId: number, tags: [string, string][]): Promise<void> {
  await inTransaction(client, async () => {
    await client.query('DELETE FROM tags WHERE run_id = $1 AND NOT (key = ANY($2::text[]))', [runId, tags.map(([k]) => k)]);
    await upsertTags(client, runId, tags);
  });
}

/** Sets these tags on a team run, leaving its other tags alone. */
export async function upsertTags(client: pg.Pool | pg.PoolClient, runId: number, tags: [string, string][]): Promise<void> {
  await client.query(
    `INSERT INTO tags (run_id, key, value) SELECT $1, * FROM unnest($2::text[], $3::text[])
     ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value`,
    [runId, tags.map(([k]) => k), tags.map(([, v]) => v)],
  );
}

/** The registry's dataset record as stored: its schema is the JSON text both stores keep. */
export type DatasetIn = Omit<DatasetRecord, 'schema'> & { schema: string | null };

export async function pushDatasets(client: pg.PoolClient, runId: number, d: DatasetIn[]): Promise<void> {
  await inTransaction(client, () =>
    client.query(
      `INSERT INTO datasets (run_id, name, sha256, rows, columns, schema, source)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
       ON CONFLICT (run_id, name) DO NOTHING`,
      [runId, d.map((x) => x.name), d.map((x) => x.sha256), d.map((x) => x.rows), d.map((x) => x.columns), d.map((x) => x.schema), d.map((x) => x.source)],
    ),
  );
}

/** Metric points as parallel arrays (one array per column is what unnest takes). */
export interface PointBatch {
  keys: string[];
  steps: number[];
  values: (number | null)[];
  times: number[];
}

const FOLD = `ON CONFLICT (run_id, key) DO UPDATE SET
  value = CASE WHEN excluded.step > metrics_latest.step THEN excluded.value ELSE metrics_latest.value END,
  time = CASE WHEN excluded.step > metrics_latest.step THEN excluded.time ELSE metrics_latest.time END,
  step = GREATEST(excluded.step, metrics_latest.step),
  min = LEAST(excluded.min, metrics_latest.min),
  max = GREATEST(excluded.max, metrics_latest.max),
  count = metrics_latest.count + excluded.count`;

/**
 * One batch of points and their fold into metrics_latest, in one transaction. The usual batch is
 * new to the team store: a COPY (no per-row conflict check; ON CONFLICT's speculative insertion
 * per row cost half the push) and a fold of the batch's per-key summary, computed here, are exact
 * then. A batch sent again (a sync killed after the commit, before its cursor moved, or two syncs
 * of one registry at once) fails the COPY on the primary key, rolls back whole, and is redone by
 * pushPointsAgain, which folds only the rows really added.
 */
export async function pushPoints(client: pg.PoolClient, runId: number, b: PointBatch): Promise<void> {
  try {
    await inTransaction(client, async () => {
      await copyPoints(client, runId, b);
      const f = summarize(b);
      await client.query(
        `INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::bigint[], $6::float8[], $7::float8[], $8::bigint[]) ${FOLD}`,
        [runId, textArray(f.keys), int8Array(f.steps), float8Array(f.values), int8Array(f.times), float8Array(f.mins), float8Array(f.maxs), int8Array(f.counts)],
      );
    });
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await pushPointsAgain(client, runId, textArray(b.keys), int8Array(b.steps), float8Array(b.values), int8Array(b.times));
  }
}

/** A batch some of whose points may be there already: ON CONFLICT DO NOTHING, folding only the rows this insert added. */
async function pushPointsAgain(client: pg.PoolClient, runId: number, keys: Buffer, steps: Buffer, values: Buffer, times: Buffer): Promise<void> {
  await inTransaction(client, () =>
    client.query(
      `WITH ins AS (
         INSERT INTO metrics (run_id, key, step, value, time)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::float8[], $5::bigint[])
         ON CONFLICT DO NOTHING RETURNING key, step, value, time
       ), agg AS (
         SELECT DISTINCT ON (key) key, step, value, time, min(value) OVER w AS lo, max(value) OVER w AS hi, count(*) OVER w AS n
         FROM ins WINDOW w AS (PARTITION BY key) ORDER BY key, step DESC
       )
       INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count)
       SELECT $1, key, step, value, time, lo, hi, n FROM agg ${FOLD}`,
      [runId, keys, steps, values, times],
    ),
  );
}

/** Per key: the point at the highest step, min and max of the non-null values (as SQL's min/max), and the count. */
function summarize(b: PointBatch) {
  const at = new Map<string, number>();
  const f = { keys: [] as string[], steps: [] as number[], values: [] as (number | null)[], times: [] as number[],
    mins: [] as (number | null)[], maxs: [] as (number | null)[], counts: [] as number[] };
  for (let i = 0; i < b.keys.length; i++) {
    const v = b.values[i];
    let j = at.get(b.keys[i]);
    if (j === undefined) {
      j = f.keys.push(b.keys[i]) - 1;
      at.set(b.keys[i], j);
      f.steps.push(b.steps[i]);
      f.values.push(v);
      f.times.push(b.times[i]);
      f.mins.push(v);
      f.maxs.push(v);
      f.counts.push(1);
      continue;
    }
    if (b.steps[i] > f.steps[j]) {
      f.steps[j] = b.steps[i];
      f.values[j] = v;
      f.times[j] = b.times[i];
    }
    if (v !== null) {
      const lo = f.mins[j];
      const hi = f.maxs[j];
      if (lo === null || v < lo) f.mins[j] = v;
      if (hi === null || v > hi) f.maxs[j] = v;
    }
    f.counts[j]++;
  }
  return f;
}

/**
 * Stores an object unless the team store has it. The database checks the hash too: bytes that do
 * not hash to their name are refused there as well as here. Returns the bytes sent (0: already there).
 */
export async function pushObject(client: pg.PoolClient, sha256: string, read: () => Uint8Array, now: number): Promise<number> {
  const have = await client.query('SELECT 1 FROM objects WHERE sha256 = $1', [sha256]);
  if (have.rows.length) return 0;
  const bytes = Buffer.from(read());
  const res = await inTransaction(client, () =>
    client.query(
      `INSERT INTO objects (sha256, bytes, size, created_at) SELECT $1, $2::bytea, $3, $4 WHERE encode(sha256($2::bytea), 'hex') = $1
       ON CONFLICT (sha256) DO NOTHING RETURNING 1`,
      [sha256, bytes, bytes.length, now],
    ),
  );
  if (res.rowCount === 0 && !(await client.query('SELECT 1 FROM objects WHERE sha256 = $1', [sha256])).rows.length) {
    throw new Error(`the team store refused object ${sha256}: its bytes do not hash to its name`);
  }
  return bytes.length;
}

export async function pushCheckpoint(client: pg.PoolClient, runId: number, c: { step: number; sha256: string; bytes: number; created_at: number }): Promise<void> {
  await inTransaction(client, () =>
    client.query(
      `INSERT INTO checkpoints (run_id, step, sha256, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id, step) DO UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes, created_at = excluded.created_at`,
      [runId, c.step, c.sha256, c.bytes, c.created_at],
    ),
  );
}

export async function pushArtifact(
  client: pg.PoolClient,
  runId: number,
  a: { name: string; sha256: string; media_type: string; bytes: number; created_at: number },
): Promise<void> {
  await inTransaction(client, () =>
    client.query(
      `INSERT INTO artifacts (run_id, name, sha256, media_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (run_id, name) DO UPDATE SET sha256 = excluded.sha256, media_type = excluded.media_type, bytes = excluded.bytes,
         created_at = excluded.created_at`,
      [runId, a.name, a.sha256, a.media_type, a.bytes, a.created_at],
    ),
  );
}

/** The last step: the run's real status, end and error. */
export async function pushStatus(
  client: pg.PoolClient,
  runId: number,
  s: { status: string; ended_at: number | null; error: string | null; heartbeat_at: number },
  now: number,
): Promise<void> {
  await inTransaction(client, () =>
    client.query('UPDATE runs SET status = $2, ended_at = $3, error = $4, heartbeat_at = $5, synced_at = $6 WHERE id = $1', [
      runId, s.status, s.ended_at, s.error, s.heartbeat_at, now,
    ]),
  );
}
