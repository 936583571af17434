/** syncToTeam: pushes a local registry's runs to the team store, resumably, one committed step at a time. */
import type pg from 'pg';
import { invalidArgument, LabbookError } from '../../errors';
import { explainTeamError, openTeamStore, type TeamStore } from '../connect';
import { openRegistry, type Registry } from '../../registry';
import type { Db } from '../../registry/database';
import type { ObjectStore } from '../../registry/objects';
import { localCounts, localOrigin, pendingOf, pendingRuns, type PendingRun, readState, saveState, type SyncState, tagsJson, writeMeta } from './local';
import * as push from './push';
import { linkTrialRun, standInFor } from './sweep-links';
import { redactUrl, teamKey } from './url';

export interface SyncOptions {
  /** Only these runs (and the parents they need); default every run not yet fully pushed. */
  runIds?: number[];
  /** Metric points per INSERT (default 50,000). */
  batchSize?: number;
}

export interface SyncResult {
  /** The team store, its password redacted. */
  team: string;
  /** Runs something was pushed for. */
  runs: number;
  points: number;
  objects: number;
  bytes: number;
  /** Runs not yet wholly in the team store after this sync (running, cut short, refused). */
  pending: PendingRun[];
  /** Objects refused because the local copy is corrupt or missing: not pushed, their rows neither. */
  refused: { run: number; sha256: string; reason: string }[];
  /** The database or network failure that cut the sync short; null when it ran to the end. */
  error: string | null;
}


interface Ctx {
  db: Db;
  objects: ObjectStore;
  client: pg.PoolClient;
  team: string;
  origin: string;
  batchSize: number;
  result: SyncResult;
}

/**
 * Pushes runs in id order (a parent before its children), each in this order: run row, params,
 * tags, datasets, metrics (step order, large batches), objects then the rows that name them, and
 * the status last. Each step commits in the team store and then advances the local cursor, so a
 * sync killed anywhere resumes where it stopped; a repeated step is harmless (ON CONFLICT). A
 * database or network failure ends the sync with `error` set and the registry untouched but for
 * cursors of committed steps: it never throws for an outage.
 */
export async function syncToTeam(local: string | Registry, teamUrl: string, options: SyncOptions = {}): Promise<SyncResult> {
  const batchSize = options.batchSize ?? 50_000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw invalidArgument('batchSize', 'a positive integer', options.batchSize);
  for (const id of options.runIds ?? []) {
    if (!Number.isSafeInteger(id) || id < 1) throw invalidArgument('runIds', 'run ids (positive integers)', id);
  }
  const team = teamKey(teamUrl);
  const registry = typeof local === 'string' ? openRegistry({ db: local, create: false }) : local;
  const result: SyncResult = { team: redactUrl(teamUrl), runs: 0, points: 0, objects: 0, bytes: 0, pending: [], refused: [], error: null };
  let store: TeamStore | undefined;
  try {
    const db = registry.db;
    for (const id of options.runIds ?? []) {
      if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id)) {
        throw new LabbookError('NOT_FOUND', `No run with id ${id} in ${registry.path}: expected the id of a recorded run. List them with \`labbook runs\`.`);
      }
    }
    writeMeta(db, `team_url:${team}`, redactUrl(teamUrl));
    try {
      // Opening migrates the team store (under its advisory lock) when it is behind.
      store = await openTeamStore(teamUrl, { max: 1, statementTimeoutMs: 600_000 });
      const client = await store.pool.connect();
      // A connection lost mid-query fails that query (caught below); the event must not kill the process.
      client.on('error', () => undefined);
      let lost: Error | undefined;
      try {
        const ctx: Ctx = { db, objects: registry.objects, client, team, origin: localOrigin(db), batchSize, result };
        for (const p of pendingRuns(db, team, options.runIds)) await syncRun(ctx, p.id);
      } catch (error) {
        lost = error as Error;
        throw error;
      } finally {
        // A failed connection is discarded, not pooled: ending it politely would wait forever.
        client.release(lost);
      }
      writeMeta(db, `last_sync:${team}`, String(Date.now()));
    } catch (error) {
      const said = explainTeamError(error, redactUrl(teamUrl));
      if (said instanceof LabbookError && said.code !== 'TEAM_STORE') throw said;
      result.error = redactUrl(said instanceof Error ? said.message || String((said as { code?: string }).code) : String(said));
    }
    result.pending = pendingRuns(db, team, options.runIds);
    return result;
  } finally {
    await store?.close().catch(() => undefined);
    if (typeof local === 'string') registry.close();
  }
}

interface LocalRun {
  id: number;
  experiment: string;
  name: string | null;
  status: string;
  seed: number;
  config: string;
  config_hash: string;
  code_hash: string | null;
  env: string;
  host: string;
  pid: number;
  pid_started: number | null;
  started_at: number;
  ended_at: number | null;
  heartbeat_at: number;
  error: string | null;
  parent_id: number | null;
}

function localRun(db: Db, id: number): LocalRun {
  return db.prepare('SELECT r.*, e.name AS experiment FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?').get(id) as LocalRun;
}

/**
 * Pushes the run row (refreshed on every visit: name, heartbeat, a parent link that appeared later)
 * and, first, its parent's when that was never pushed (a --run selection may leave it out).
 */
async function ensureRunRow(ctx: Ctx, id: number, refresh: boolean): Promise<{ state: SyncState; standIn: boolean }> {
  const { db, client, team, origin } = ctx;
  const known = readState(db, id, team);
  if (known && !refresh) return { state: known, standIn: false };
  const run = localRun(db, id);
  // A worker's stand-in for the team sweep's parent run: its trials' parent is the team run itself.
  const standIn = await standInFor(db, client, id, run.parent_id);
  const parent = run.parent_id === null ? null : (await ensureRunRow(ctx, run.parent_id, false)).state.teamRunId;
  const teamRunId = standIn ?? await push.upsertRun(
    client,
    {
      experiment: run.experiment, name: run.name, seed: run.seed, config: run.config, configHash: run.config_hash, codeHash: run.code_hash,
      env: run.env, host: run.host, pid: run.pid, pidStarted: run.pid_started, startedAt: run.started_at, heartbeatAt: run.heartbeat_at,
      parentId: parent, origin, originRunId: id,
    },
    Date.now(),
  );
  const state: SyncState = known ?? {
    runId: id, team, teamRunId, metricSteps: Object.create(null), points: 0, params: 0, datasets: 0, tags: null,
    checkpoints: Object.create(null), artifacts: Object.create(null), status: null, syncedAt: 0,
  };
  state.teamRunId = teamRunId;
  state.syncedAt = Date.now();
  saveState(db, state);
  if (!known) ctx.result.runs++;
  return { state, standIn: standIn !== null };
}

async function syncRun(ctx: Ctx, id: number): Promise<void> {
  const { db, client } = ctx;
  const isNew = readState(db, id, ctx.team) === null;
  const { state, standIn } = await ensureRunRow(ctx, id, true);
  const run = localRun(db, id);
  const teamId = state.teamRunId;
  if (standIn) return settleStandIn(db, state, run.status);
  let pushed = false;
  const commit = (): void => {
    state.syncedAt = Date.now();
    saveState(db, state);
    pushed = true;
  };

  const params = db.prepare('SELECT key, value, type FROM params WHERE run_id = ? ORDER BY key').all(id) as { key: string; value: unknown; type: string }[];
  if (params.length !== state.params) {
    await push.pushParams(client, teamId, params);
    state.params = params.length;
    commit();
  }
  const tags = tagsJson(db, id);
  if (tags !== state.tags) {
    await push.pushTags(client, teamId, JSON.parse(tags));
    state.tags = tags;
    commit();
  }
  const datasets = db.prepare('SELECT name, sha256, rows, columns, schema, source FROM datasets WHERE run_id = ? ORDER BY name').all(id) as push.DatasetIn[];
  if (datasets.length !== state.datasets) {
    await push.pushDatasets(client, teamId, datasets);
    state.datasets = datasets.length;
    commit();
  }
  await pushMetrics(ctx, state, commit);
  await pushObjects(ctx, state, commit);
  // The status goes last, and only once everything else is there: a run marked ended is complete.
  const left = pendingOf(db, id, ctx.team);
  if (run.status !== 'running' && state.status !== run.status && left !== null && left.points === 0 && left.objects === 0) {
    await push.pushStatus(client, teamId, run, Date.now());
    state.status = run.status;
    commit();
    await linkTrialRun(db, client, run, teamId);
  }
  if (pushed && !isNew) ctx.result.runs++;
}

/** A stand-in pushes nothing of its own: once it has ended it counts as wholly pushed, so it is never pending. */
function settleStandIn(db: Db, state: SyncState, status: string): void {
  if (status === 'running') return;
  Object.assign(state, localCounts(db, state.runId));
  state.status = status;
  state.syncedAt = Date.now();
  saveState(db, state);
}

const READ_CHUNK = 2048;

/** Points in step order per key, in batches of batchSize across keys; the cursor moves after each commit. */
async function pushMetrics(ctx: Ctx, state: SyncState, commit: () => void): Promise<void> {
  const { db, client, batchSize, result } = ctx;
  const keys = db.prepare('SELECT key FROM metrics_latest WHERE run_id = ? ORDER BY key').pluck().all(state.runId) as string[];
  const after = db.prepare('SELECT step, value, time FROM metrics WHERE run_id = ? AND key = ? AND step > ? ORDER BY step LIMIT ?').raw();
  for (;;) {
    const batch: push.PointBatch = { keys: [], steps: [], values: [], times: [] };
    for (const key of keys) {
      let last = state.metricSteps[key] ?? -Infinity;
      // Read in chunks: row arrays short-lived enough to die young cost far less garbage collection.
      for (let room = batchSize - batch.keys.length; room > 0; room = batchSize - batch.keys.length) {
        const rows = after.all(state.runId, key, last, Math.min(room, READ_CHUNK)) as [number, number | null, number][];
        for (const [step, value, time] of rows) {
          batch.keys.push(key);
          batch.steps.push(step);
          batch.values.push(value);
          batch.times.push(time);
        }
        if (rows.length < Math.min(room, READ_CHUNK)) break;
        last = rows[rows.length - 1][0];
      }
    }
    if (batch.keys.length === 0) return;
    await push.pushPoints(client, state.teamRunId, batch);
    for (let i = 0; i < batch.keys.length; i++) state.metricSteps[batch.keys[i]] = batch.steps[i];
    state.points += batch.keys.length;
    result.points += batch.keys.length;
    commit();
  }
}

/** Each object (verified against its hash locally and in the team store) before the row naming it. */
async function pushObjects(ctx: Ctx, state: SyncState, commit: () => void): Promise<void> {
  const { db, client, objects, result } = ctx;
  const id = state.runId;
  const send = async (sha256: string): Promise<boolean> => {
    const problem = objects.verify(sha256);
    if (problem !== null) {
      result.refused.push({ run: id, sha256, reason: problem });
      return false;
    }
    const sent = await push.pushObject(client, sha256, () => objects.get(sha256), Date.now());
    if (sent > 0) {
      result.objects++;
      result.bytes += sent;
    }
    return true;
  };
  for (const c of db.prepare('SELECT step, sha256, bytes, created_at FROM checkpoints WHERE run_id = ? ORDER BY step').all(id) as {
    step: number; sha256: string; bytes: number; created_at: number;
  }[]) {
    if (state.checkpoints[String(c.step)] === c.sha256 || !(await send(c.sha256))) continue;
    await push.pushCheckpoint(client, state.teamRunId, c);
    state.checkpoints[String(c.step)] = c.sha256;
    commit();
  }
  for (const a of db.prepare('SELECT name, sha256, media_type, bytes, created_at FROM artifacts WHERE run_id = ? ORDER BY name').all(id) as {
    name: string; sha256: string; media_type: string; bytes: number; created_at: number;
  }[]) {
    if (state.artifacts[a.name] === a.sha256 || !(await send(a.sha256))) continue;
    await push.pushArtifact(client, state.teamRunId, a);
    state.artifacts[a.name] = a.sha256;
    commit();
  }
}
