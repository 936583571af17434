/** The SQLite store: every statement the registry runs, with explicit run ids. */
import { describeValue, LabbookError } from '../errors';
import type { Db } from './database';
import { checkKeyLength, checkTagValueLength } from './keys';
import type { Param } from './params';
import type { DatasetRecord, RunStatus } from './types';

export interface NewRun {
  experiment: string;
  name: string | null;
  seed: number;
  config: string;
  configHash: string;
  codeHash: string | null;
  parentId: number | null;
  env: string;
  host: string;
  pid: number;
  pidStarted: number | null;
  now: number;
}

/** Metric points waiting to be written, as parallel arrays (cheaper than an object per point). */
export interface MetricBuffer {
  keys: string[];
  steps: number[];
  values: number[];
  times: number[];
}

interface Latest {
  step: number;
  value: number;
  time: number;
  min: number | null;
  max: number | null;
  count: number;
}

export interface RunningRow {
  id: number;
  host: string;
  pid: number;
  pid_started: number | null;
  heartbeat_at: number;
}

export class SqliteStore {
  private readonly insertMetric;
  private readonly upsertLatest;
  private readonly touch;

  constructor(readonly db: Db) {
    this.insertMetric = db.prepare('INSERT INTO metrics (run_id, key, step, value, time) VALUES (?, ?, ?, ?, ?)');
    this.upsertLatest = db.prepare(`
      INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, key) DO UPDATE SET
        step = excluded.step, value = excluded.value, time = excluded.time,
        min = CASE WHEN min IS NULL OR excluded.min < min THEN excluded.min ELSE min END,
        max = CASE WHEN max IS NULL OR excluded.max > max THEN excluded.max ELSE max END,
        count = count + excluded.count`);
    this.touch = db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?');
  }

  insertRun(run: NewRun, params: Param[]): number {
    for (const p of params) checkKeyLength('config key', p.key);
    const insert = this.db.transaction((): number => {
      // Checked in the transaction that inserts, so the parent cannot be deleted in between.
      if (run.parentId !== null && !this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(run.parentId)) {
        throw new LabbookError('NOT_FOUND', `Invalid value for \`parentId\`: expected the id of a recorded run, received ${run.parentId} (no such run in this registry). List runs with \`labbook runs\`.`);
      }
      this.db.prepare('INSERT OR IGNORE INTO experiments (name, created_at) VALUES (?, ?)').run(run.experiment, run.now);
      const result = this.db
        .prepare(
          `INSERT INTO runs (experiment_id, name, status, seed, config, config_hash, code_hash, parent_id, env, host, pid,
             pid_started, started_at, heartbeat_at)
           VALUES ((SELECT id FROM experiments WHERE name = ?), ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.experiment, run.name, run.seed, run.config, run.configHash, run.codeHash, run.parentId, run.env, run.host, run.pid,
          run.pidStarted, run.now, run.now);
      const id = Number(result.lastInsertRowid);
      this.writeParams(id, params);
      return id;
    });
    return insert.immediate();
  }

  /** Params are write-once: the same value again is fine, a different one is an error. */
  insertParams(runId: number, params: Param[]): void {
    for (const p of params) checkKeyLength('param key', p.key);
    this.db.transaction(() => this.writeParams(runId, params)).immediate();
  }

  private writeParams(runId: number, params: Param[]): void {
    const existing = this.db.prepare('SELECT value, type FROM params WHERE run_id = ? AND key = ?');
    const insert = this.db.prepare('INSERT INTO params (run_id, key, value, type) VALUES (?, ?, ?, ?)');
    for (const p of params) {
      const old = existing.get(runId, p.key) as { value: unknown; type: string } | undefined;
      if (!old) {
        insert.run(runId, p.key, p.value, p.type);
      } else if (old.value !== p.value || old.type !== p.type) {
        throw new LabbookError(
          'PARAM_CONFLICT',
          `Param \`${p.key}\` of run ${runId} is already ${describeValue(old.value)}; it cannot become ${describeValue(p.value)}: params are write-once. Log the new value under another key, or start a new run.`,
        );
      }
    }
  }

  /** Writes buffered points and folds them into metrics_latest, in one transaction. */
  appendMetrics(runId: number, buffer: MetricBuffer, now: number): void {
    const { keys, steps, values, times } = buffer;
    const latest = new Map<string, Latest>();
    this.db
      .transaction(() => {
        for (let i = 0; i < keys.length; i++) {
          const value = values[i];
          this.insertMetric.run(runId, keys[i], steps[i], value, times[i]);
          let agg = latest.get(keys[i]);
          if (!agg) {
            agg = { step: steps[i], value, time: times[i], min: null, max: null, count: 0 };
            latest.set(keys[i], agg);
          }
          agg.step = steps[i];
          agg.value = value;
          agg.time = times[i];
          agg.count++;
          if (!Number.isNaN(value)) {
            if (agg.min === null || value < agg.min) agg.min = value;
            if (agg.max === null || value > agg.max) agg.max = value;
          }
        }
        for (const [key, a] of latest) this.upsertLatest.run(runId, key, a.step, a.value, a.time, a.min, a.max, a.count);
        this.touch.run(now, runId);
      })
      .immediate();
  }

  heartbeat(runId: number, now: number): void {
    this.touch.run(now, runId);
  }

  setTags(runId: number, tags: [string, string][]): void {
    for (const [k, v] of tags) {
      checkKeyLength('tag name', k);
      checkTagValueLength(k, v);
    }
    const upsert = this.db.prepare(
      'INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => tags.forEach(([k, v]) => upsert.run(runId, k, v))).immediate();
  }

  /** Removes a tag; false when the run had no such tag. */
  deleteTag(runId: number, key: string): boolean {
    return this.db.prepare('DELETE FROM tags WHERE run_id = ? AND key = ?').run(runId, key).changes > 0;
  }

  /** Runs whose parent is one of `ids` (as [child, parent]), in id order. */
  childrenOf(ids: readonly number[]): [number, number][] {
    return this.db
      .prepare(`SELECT id, parent_id FROM runs WHERE parent_id IN (SELECT value FROM json_each(?)) ORDER BY id`)
      .raw()
      .all(JSON.stringify(ids)) as [number, number][];
  }

  /** A dataset name is write-once within a run, like a param. */
  insertDataset(runId: number, d: DatasetRecord): void {
    this.db
      .transaction(() => {
        const old = this.db.prepare('SELECT sha256 FROM datasets WHERE run_id = ? AND name = ?').get(runId, d.name) as
          | { sha256: string }
          | undefined;
        if (old && old.sha256 !== d.sha256) {
          throw new LabbookError(
            'PARAM_CONFLICT',
            `Dataset \`${d.name}\` of run ${runId} already has fingerprint ${old.sha256}; it cannot become ${d.sha256}. Log the changed data under another name, or start a new run.`,
          );
        }
        this.db
          .prepare('INSERT OR REPLACE INTO datasets (run_id, name, sha256, rows, columns, schema, source) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(runId, d.name, d.sha256, d.rows, d.columns, d.schema ? JSON.stringify(d.schema) : null, d.source);
      })
      .immediate();
  }

  insertCheckpoint(runId: number, step: number, sha256: string, bytes: number, now: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO checkpoints (run_id, step, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(runId, step, sha256, bytes, now);
  }

  insertArtifact(runId: number, name: string, sha256: string, mediaType: string, bytes: number, now: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO artifacts (run_id, name, sha256, media_type, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, name, sha256, mediaType, bytes, now);
  }

  /**
   * Ends a run. A run that another host's reader took for crashed (its heartbeat stalled behind a
   * long computation) is still ours to end: the process that ends it is alive by definition.
   */
  endRun(runId: number, status: RunStatus, error: string | null, now: number): void {
    this.db
      .prepare(`UPDATE runs SET status = ?, error = ?, ended_at = ?, heartbeat_at = ? WHERE id = ? AND status IN ('running', 'crashed')`)
      .run(status, error, now, now, runId);
  }

  runningRuns(): RunningRow[] {
    return this.db.prepare(`SELECT id, host, pid, pid_started, heartbeat_at FROM runs WHERE status = 'running'`).all() as RunningRow[];
  }

  markCrashed(runId: number, error: string, endedAt: number): void {
    this.db
      .prepare(`UPDATE runs SET status = 'crashed', error = ?, ended_at = ? WHERE id = ? AND status = 'running'`)
      .run(error, endedAt, runId);
  }

  /**
   * Deletes runs in one transaction, newest first: a child always has a higher id than its parent
   * (the parent existed when it started), so children in the same call go before their parent.
   */
  deleteRuns(runIds: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM runs WHERE id = ?');
    const ids = [...new Set(runIds)].sort((a, b) => b - a);
    this.db.transaction(() => ids.forEach((id) => del.run(id))).immediate();
  }
}
