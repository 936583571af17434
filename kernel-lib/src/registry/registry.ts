/** The registry client: opens a database and starts, finds, reads and deletes runs by id. */
import { invalidArgument, LabbookError } from '../errors';
import { closestName } from '../suggest';
import { readArtifact, type StoredArtifact } from './artifacts';
import { type Db, isSoleConnection, isUnwritable, openDatabase } from './database';
import { collectGarbage, type GcResult } from './gc';
import { HOST, isProcessAlive, processStartTicks } from './lifecycle';
import { ObjectStore } from './objects';
import { objectsDirFor, resolveDbPath } from './paths';
import { readMetricHistory, readRun, readRunRow } from './read';
import { readOnlyQuery } from './readonly';
import { reopenRow } from './reopen';
import { Run, type RunInit, type RunTiming } from './run';
import { planStart, type StartRunOptions } from './start';
import { SqliteStore } from './store';
import { tagEntries, type TagValues } from './tags';
import type { RunRecord } from './types';

export type { StartRunOptions } from './start';

export interface OpenRegistryOptions {
  /** Database file; default `LABBOOK_DB`, else `.labbook/labbook.db` at the project root. */
  db?: string;
  /** false: fail instead of creating a missing registry. */
  create?: boolean;
  /** A run from another host counts as crashed once its heartbeat is this old (default 10 min). */
  staleAfterMs?: number;
  timing?: Partial<RunTiming>;
}

const DEFAULT_TIMING: RunTiming = { flushEveryPoints: 10_000, flushIntervalMs: 1000, heartbeatMs: 10_000 };

export class Registry {
  readonly path: string;
  readonly objects: ObjectStore;
  private readonly store: SqliteStore;
  private readonly timing: RunTiming;
  private readonly staleAfterMs: number;
  private readonly open = new Set<Run>();
  private warnedUnmarked = false;

  constructor(options: OpenRegistryOptions = {}) {
    this.path = resolveDbPath(options.db);
    this.store = new SqliteStore(openDatabase(this.path, { create: options.create }));
    this.objects = new ObjectStore(objectsDirFor(this.path));
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.staleAfterMs = options.staleAfterMs ?? 10 * 60_000;
    this.markCrashed();
  }

  /** The better-sqlite3 handle, for queries against the documented schema. */
  get db(): Db {
    return this.store.db;
  }

  startRun(options: StartRunOptions): Run {
    const { row, params, init } = planStart(options);
    const run = this.handle({ id: this.store.insertRun(row, params), ...init });
    if (options.tags) run.setTags(options.tags);
    return run;
  }

  /**
   * Reopens a crashed or killed run for this process to carry on and end (a resumed sweep's parent);
   * what it clears is kept in tags (reopen.ts). A finished, failed or live running run is refused.
   */
  reopenRun(runId: number): Run {
    const id = checkRunId(runId);
    this.refresh(); // a running run whose process is gone is crashed first, and so reopenable
    return this.handle(reopenRow(this.db, id, { host: HOST, pid: process.pid, pidStarted: processStartTicks(process.pid), now: Date.now() }));
  }

  private handle(init: RunInit): Run {
    const run = new Run(init, this.store, this.objects, this.timing, (ended) => this.open.delete(ended));
    this.open.add(run);
    return run;
  }

  /**
   * Runs `body` inside a run: finished when it returns, failed (with the error, everything logged
   * kept) when it throws; the error is re-thrown.
   */
  async withRun<T>(options: StartRunOptions, body: (run: Run) => T | Promise<T>): Promise<T> {
    const run = this.startRun(options);
    try {
      const result = await body(run);
      if (run.status === 'running') run.end('finished');
      return result;
    } catch (error) {
      if (run.status === 'running') run.fail(error);
      throw error;
    }
  }

  getRun(id: number): RunRecord {
    this.refresh();
    return readRun(this.db, checkRunId(id));
  }

  metricHistory(id: number, key: string): { step: number; value: number | null; time: number }[] {
    this.flushOpen();
    return readMetricHistory(this.db, checkRunId(id), key);
  }

  /**
   * One artifact of a run with its bytes, verified against the SHA-256 recorded for it (HASH_MISMATCH
   * otherwise). Typed reads on top: readFigure(artifact), readJsonArtifact(artifact, check).
   */
  getArtifact(runId: number, name: string): StoredArtifact {
    this.refresh();
    return readArtifact(this.db, this.objects, checkRunId(runId), name);
  }

  /** Reads a stored checkpoint or artifact, verifying its SHA-256. */
  readObject(sha256: string): Uint8Array {
    return this.objects.get(sha256);
  }

  /**
   * Read-only SQL against the documented schema, e.g. from a notebook: one statement, on a separate
   * read-only connection; anything that would write is refused (READ_ONLY) before it runs.
   */
  sql<T = Record<string, unknown>>(query: string, ...params: unknown[]): T[] {
    // The other connection sees only what is committed: this process's buffered points first.
    this.flushOpen();
    return readOnlyQuery<T>(isSoleConnection(this.db) ? this.db : this.path, query, params, 'registry.sql');
  }

  deleteRun(id: number): void {
    this.deleteRuns([id]);
  }

  /**
   * Deletes ended runs, all or none. A run with child runs is refused unless its children are
   * deleted in the same call: a child is never silently orphaned (the schema refuses it too).
   */
  deleteRuns(ids: readonly number[]): void {
    this.refresh();
    const checked = ids.map(checkRunId);
    for (const id of checked) {
      if (readRunRow(this.db, id).status === 'running') {
        throw new LabbookError('INVALID_ARGUMENT', `Run ${id} is still running: expected an ended run. End it (or let it crash) first.`);
      }
    }
    refuseRegistered(this.db, checked);
    const deleting = new Set(checked);
    const left = this.store.childrenOf(checked).filter(([child]) => !deleting.has(child));
    if (left.length > 0) {
      const parent = left[0][1];
      const children = left.filter(([, p]) => p === parent).map(([child]) => child);
      throw new LabbookError(
        'INVALID_ARGUMENT',
        `Run ${parent} has child run${children.length === 1 ? '' : 's'} ${children.join(', ')}: expected a run without children, since deleting it would orphan them. Delete them together (labbook delete ${[parent, ...children].join(' ')}), or delete the children first.`,
      );
    }
    this.store.deleteRuns(checked);
  }

  /** Sets tags on a run of any status, ended ones included (tags are labels, not part of what ran); other tags stay. */
  setTags(runId: number, tags: TagValues): void {
    const id = checkRunId(runId);
    const entries = tagEntries(tags);
    readRunRow(this.db, id);
    this.store.setTags(id, entries);
  }

  /** Removes one tag from a run of any status; a tag the run does not have is an error (a typo would otherwise pass unseen). */
  deleteTag(runId: number, key: string): void {
    const id = checkRunId(runId);
    if (typeof key !== 'string' || key === '') throw invalidArgument('tag name', 'a non-empty string', key);
    readRunRow(this.db, id);
    if (this.store.deleteTag(id, key)) return;
    const known = this.db.prepare('SELECT key FROM tags WHERE run_id = ? ORDER BY key').pluck().all(id) as string[];
    const guess = closestName(key, known);
    throw new LabbookError(
      'NOT_FOUND',
      `Run ${id} has no tag \`${key}\`: expected ${known.length ? `one of ${known.map((k) => `\`${k}\``).join(', ')}` : 'a tag it has (it has none)'}. ${guess ? `Did you mean \`${guess}\`?` : 'See them with `labbook show ' + id + '`.'}`,
    );
  }

  /**
   * Removes stored objects that no run references (and, as a courtesy, none younger than
   * `graceMs`), and temp files of writes whose process died. Never a referenced object or one
   * being saved right now, whatever the grace (see pins.ts).
   */
  gc(options: { dryRun?: boolean; graceMs?: number } = {}): GcResult {
    return collectGarbage(this.db, this.objects, { ...options, staleAfterMs: this.staleAfterMs });
  }

  /**
   * Marks runs whose process is gone as crashed. On this host the process is checked directly
   * (pid and start time, so a recycled pid does not count); a run from another host is judged by
   * its heartbeat alone. Best effort: reading must work on a full or read-only disk, so a mark
   * that cannot be written is skipped (the run shows as running until an open that can write).
   */
  markCrashed(): number[] {
    const now = Date.now();
    const crashed: number[] = [];
    for (const row of this.store.runningRuns()) {
      const gone =
        row.host === HOST ? !isProcessAlive(row.pid, row.pid_started) : now - row.heartbeat_at > this.staleAfterMs;
      if (!gone) continue;
      const last = new Date(row.heartbeat_at).toISOString();
      try {
        this.store.markCrashed(row.id, `Process ${row.pid} on ${row.host} stopped without ending the run (last heartbeat ${last}).`, row.heartbeat_at);
      } catch (error) {
        if (!isUnwritable(error)) throw error;
        if (!this.warnedUnmarked) {
          this.warnedUnmarked = true;
          process.stderr.write(`labbook: run ${row.id} has no live process but could not be marked crashed (${(error as { code?: string }).code}); it shows as running until ${this.path} can be written again.\n`);
        }
        continue;
      }
      crashed.push(row.id);
    }
    return crashed;
  }

  /** Writes buffered metrics of this process's open runs, so reads see them (best effort: a failed write stays buffered). */
  flushOpen(): void {
    for (const run of this.open) run.tryFlush();
  }

  /** Brings what readers see up to date: this process's buffered points written, dead runs marked. */
  refresh(): void {
    this.flushOpen();
    this.markCrashed();
  }

  /** Closes the database; runs still open are flushed and marked failed, since nothing more can be logged. */
  close(): void {
    for (const run of [...this.open]) run.end('failed', 'The registry was closed before the run ended.');
    this.db.close();
  }
}

/** A run a model version points at keeps its package and weights (the schema refuses too, less clearly). */
function refuseRegistered(db: Db, ids: readonly number[]): void {
  const found = db
    .prepare(`SELECT v.run_id AS run, m.name || '/' || v.version AS ref FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.run_id IN (SELECT value FROM json_each(?)) ORDER BY v.run_id, m.name, v.version`)
    .all(JSON.stringify(ids)) as { run: number; ref: string }[];
  if (found.length === 0) return;
  const refs = found.filter((f) => f.run === found[0].run).map((f) => f.ref);
  throw new LabbookError(
    'INVALID_ARGUMENT',
    `Run ${found[0].run} is registered as model version${refs.length === 1 ? '' : 's'} ${refs.join(', ')}: expected a run no model version points at, since the version would lose its weights. Delete the model versions first (${refs.map((r) => `labbook models delete ${r}`).join('; ')}).`,
  );
}

function checkRunId(id: unknown): number {
  if (typeof id === 'string' && /^\d+$/.test(id)) return Number(id);
  if (!Number.isSafeInteger(id) || (id as number) < 1) throw invalidArgument('run id', 'a positive integer', id);
  return id as number;
}

export function openRegistry(options: OpenRegistryOptions = {}): Registry {
  return new Registry(options);
}
