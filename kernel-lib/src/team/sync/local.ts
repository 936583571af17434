/** The local side of sync: this registry's origin, the per-run cursor in sync_state, and what is still pending. */
import type { Db } from '../../registry/database';

/** What has been pushed of one run to one team store (a row of sync_state). */
export interface SyncState {
  runId: number;
  team: string;
  teamRunId: number;
  /** Per metric key, the last step pushed: points are pushed in step order, so this is the cursor. */
  metricSteps: { [key: string]: number };
  points: number;
  params: number;
  datasets: number;
  tags: string | null;
  checkpoints: { [step: string]: string };
  artifacts: { [name: string]: string };
  status: string | null;
  syncedAt: number;
}

export interface PendingRun {
  id: number;
  status: string;
  /** Metric points recorded locally and not yet in the team store. */
  points: number;
  /** Checkpoints and artifacts not yet pushed. */
  objects: number;
  /** Whether anything at all is in the team store yet. */
  started: boolean;
}

export function localOrigin(db: Db): string {
  return (db.prepare(`SELECT value FROM registry_meta WHERE key = 'origin'`).pluck().get() as string | undefined) ?? '';
}

export function readMeta(db: Db, key: string): string | null {
  return (db.prepare('SELECT value FROM registry_meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO registry_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

interface StateRow {
  run_id: number;
  team: string;
  team_run_id: number;
  metric_steps: string;
  points: number;
  params: number;
  datasets: number;
  tags: string | null;
  checkpoints: string;
  artifacts: string;
  status: string | null;
  synced_at: number;
}

/** Prototype-free, so a metric key or artifact name such as `__proto__` is a key like any other. */
function bare<T>(json: string): { [key: string]: T } {
  return Object.assign(Object.create(null), JSON.parse(json));
}

function toState(row: StateRow): SyncState {
  return {
    runId: row.run_id,
    team: row.team,
    teamRunId: row.team_run_id,
    metricSteps: bare(row.metric_steps),
    points: row.points,
    params: row.params,
    datasets: row.datasets,
    tags: row.tags,
    checkpoints: bare(row.checkpoints),
    artifacts: bare(row.artifacts),
    status: row.status,
    syncedAt: row.synced_at,
  };
}

export function readState(db: Db, runId: number, team: string): SyncState | null {
  const row = db.prepare('SELECT * FROM sync_state WHERE run_id = ? AND team = ?').get(runId, team) as StateRow | undefined;
  return row ? toState(row) : null;
}

/** Advances the cursor; called only after the team store committed what it records. */
export function saveState(db: Db, s: SyncState): void {
  db.prepare(
    `INSERT INTO sync_state (run_id, team, team_run_id, metric_steps, points, params, datasets, tags, checkpoints, artifacts, status, synced_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, team) DO UPDATE SET team_run_id = excluded.team_run_id, metric_steps = excluded.metric_steps,
       points = excluded.points, params = excluded.params, datasets = excluded.datasets, tags = excluded.tags,
       checkpoints = excluded.checkpoints, artifacts = excluded.artifacts, status = excluded.status, synced_at = excluded.synced_at`,
  ).run(s.runId, s.team, s.teamRunId, JSON.stringify(s.metricSteps), s.points, s.params, s.datasets, s.tags,
    JSON.stringify(s.checkpoints), JSON.stringify(s.artifacts), s.status, s.syncedAt);
}

/** The tags of a run as one canonical string: what sync compares to tell whether they changed. */
export function tagsJson(db: Db, runId: number): string {
  const rows = db.prepare('SELECT key, value FROM tags WHERE run_id = ? ORDER BY key').raw().all(runId) as [string, string][];
  return JSON.stringify(rows);
}

/** Runs not yet fully in the team store (a running run always is: it is revisited), in id order. */
export function pendingRuns(db: Db, team: string, only?: readonly number[]): PendingRun[] {
  const ids = only
    ? [...new Set(only)].sort((a, b) => a - b)
    : (db.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as number[]);
  const out: PendingRun[] = [];
  for (const id of ids) {
    const p = pendingOf(db, id, team);
    if (p) out.push(p);
  }
  return out;
}

/** null when the run is wholly pushed (ended, every point, object, param, tag and its status). */
/** What a run holds locally, counted as its sync state counts what was pushed. */
export function localCounts(db: Db, id: number): { points: number; params: number; datasets: number; tags: string } {
  return {
    points: db.prepare('SELECT COALESCE(SUM(count), 0) FROM metrics_latest WHERE run_id = ?').pluck().get(id) as number,
    params: db.prepare('SELECT count(*) FROM params WHERE run_id = ?').pluck().get(id) as number,
    datasets: db.prepare('SELECT count(*) FROM datasets WHERE run_id = ?').pluck().get(id) as number,
    tags: tagsJson(db, id),
  };
}

export function pendingOf(db: Db, id: number, team: string): PendingRun | null {
  const run = db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string } | undefined;
  if (!run) return null;
  const state = readState(db, id, team);
  const local = localCounts(db, id);
  const points = local.points - (state?.points ?? 0);
  let objects = 0;
  for (const c of db.prepare('SELECT step, sha256 FROM checkpoints WHERE run_id = ?').all(id) as { step: number; sha256: string }[]) {
    if (state?.checkpoints[String(c.step)] !== c.sha256) objects++;
  }
  for (const a of db.prepare('SELECT name, sha256 FROM artifacts WHERE run_id = ?').all(id) as { name: string; sha256: string }[]) {
    if (state?.artifacts[a.name] !== a.sha256) objects++;
  }
  const done =
    state !== null &&
    run.status !== 'running' &&
    state.status === run.status &&
    points <= 0 &&
    objects === 0 &&
    state.params === local.params &&
    state.datasets === local.datasets &&
    state.tags === local.tags;
  return done ? null : { id, status: run.status, points: Math.max(points, 0), objects, started: state !== null };
}
