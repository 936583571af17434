/** The fluent run handle a notebook holds: log metrics, params, tags, data, checkpoints; end. */
import { invalidArgument, LabbookError } from '../errors';
import { type ArtifactData, encodeArtifact } from './artifacts';
import { canonicalJson } from '../repro/hash';
import { checkKeyLength } from './keys';
import { type ActiveRun, trackRun, untrackRun } from './lifecycle';
import type { ObjectStore } from './objects';
import { flattenParams } from './params';
import { DEFAULT_MAX_BUFFERED_POINTS, PendingMetrics } from './pending';
import { storeReferenced } from './pins';
import type { SqliteStore } from './store';
import { tagEntries, type TagValues } from './tags';
import type { ArtifactRecord, CheckpointRecord, Config, DatasetRecord, RunStatus } from './types';

export interface RunTiming {
  /** Points buffered before a write; logging returns at memory speed in between. */
  flushEveryPoints: number;
  /** Buffered points are written at least this often, so other processes see them. */
  flushIntervalMs: number;
  heartbeatMs: number;
  /** Points kept in memory while writes fail (a full disk); past it log() throws. */
  maxBufferedPoints?: number;
}

export interface RunInit {
  id: number;
  experiment: string;
  name: string | null;
  seed: number;
  config: Config;
  configHash: string;
  codeHash: string | null;
  parent: number | null;
  /** Each metric's last recorded step, for a reopened run (registry.reopenRun): its steps go on increasing. */
  steps?: ReadonlyMap<string, number>;
}

export type EndStatus = 'finished' | 'failed' | 'killed';

export class Run implements ActiveRun {
  readonly id: number;
  readonly experiment: string;
  readonly name: string | null;
  /** The root seed: every random draw of the run derives from it. */
  readonly seed: number;
  readonly config: Readonly<Config>;
  readonly configHash: string;
  readonly codeHash: string | null;
  /** The id of the run this one is a child of, or null. */
  readonly parent: number | null;
  private state: 'running' | RunStatus = 'running';
  private readonly metrics: PendingMetrics;
  private readonly lastStep = new Map<string, number>();
  private maxStep = -1;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout;

  constructor(
    init: RunInit,
    private readonly store: SqliteStore,
    private readonly objects: ObjectStore,
    timing: RunTiming,
    private readonly onEnd: (run: Run) => void,
  ) {
    this.id = init.id;
    this.experiment = init.experiment;
    this.name = init.name;
    this.seed = init.seed;
    this.config = init.config;
    this.configHash = init.configHash;
    this.codeHash = init.codeHash;
    this.parent = init.parent;
    for (const [key, step] of init.steps ?? []) {
      this.lastStep.set(key, step);
      this.maxStep = Math.max(this.maxStep, step);
    }
    this.metrics = new PendingMetrics(init.id, store, timing.flushEveryPoints, timing.flushIntervalMs, timing.maxBufferedPoints ?? DEFAULT_MAX_BUFFERED_POINTS);
    // unref: a run's timers never keep a finished script alive.
    // Neither timer may throw: an exception in a timer kills the process (a notebook's kernel).
    this.flushTimer = setInterval(() => this.metrics.write(), timing.flushIntervalMs).unref();
    this.heartbeatTimer = setInterval(() => this.beat(), timing.heartbeatMs).unref();
    trackRun(this);
  }

  get status(): RunStatus {
    return this.state;
  }

  /**
   * Logs metrics at a step (default: one past the key's last step, from 0). Steps must increase
   * per key, so a history never holds two values for one step.
   */
  log(metrics: { [key: string]: number }, step?: number): this {
    this.assertRunning('log metrics');
    if (metrics === null || typeof metrics !== 'object') {
      throw invalidArgument('metrics', 'an object of metric names to numbers, e.g. {loss: 0.31}', metrics);
    }
    this.metrics.makeRoom();
    const time = Date.now();
    const b = this.metrics.buffer;
    for (const key in metrics) {
      const value = metrics[key];
      if (typeof value !== 'number') {
        throw invalidArgument(`metrics.${key}`, 'a number', value, 'Read a tensor first, e.g. `(await loss.data())[0]`.');
      }
      const last = this.lastStep.get(key);
      const at = step ?? (last === undefined ? 0 : last + 1);
      if (!Number.isSafeInteger(at) || at < 0) throw invalidArgument('step', 'a non-negative integer', at);
      if (last !== undefined && at <= last) {
        throw new LabbookError(
          'INVALID_ARGUMENT',
          `Invalid step for metric \`${key}\` of run ${this.id}: expected a step above ${last} (steps increase per metric), received ${at}. Omit the step to use the next one.`,
        );
      }
      if (key.length === 0) throw invalidArgument('metric name', 'a non-empty string', key);
      checkKeyLength('metric name', key);
      this.lastStep.set(key, at);
      if (at > this.maxStep) this.maxStep = at;
      b.keys.push(key);
      b.steps.push(at);
      b.values.push(value);
      b.times.push(time);
    }
    this.metrics.afterLog();
    return this;
  }

  /**
   * Writes buffered metric points now (logging does this by itself; call before reading elsewhere).
   * If the write fails (a full disk) the points stay buffered for the next try and this throws.
   */
  flush(): void {
    if (!this.metrics.write(true)) throw this.metrics.error(`Could not flush the metrics of run ${this.id}`, 'They stay buffered and are retried on the next flush');
  }

  /** Writes buffered points if it can; a failure is kept and warned about, not thrown (for readers). */
  tryFlush(): boolean {
    return this.metrics.write();
  }

  /** Records more params (flattened like the config). Write-once: a changed value is an error. */
  logParams(params: Config): this {
    this.assertRunning('log params');
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw invalidArgument('params', 'a plain object of settings', params);
    }
    this.store.insertParams(this.id, flattenParams(JSON.parse(canonicalJson(params, 'params'))));
    return this;
  }

  /**
   * Tags are labels for finding runs; unlike params they may change. Once the run has ended, change
   * them with `registry.setTags(id, tags)` / `registry.deleteTag(id, key)`.
   */
  setTags(tags: TagValues): this {
    if (this.state !== 'running') {
      throw new LabbookError('RUN_ENDED', `Cannot set tags through the handle of run ${this.id}: it has already ended as ${this.state}. Change an ended run's tags with registry.setTags(${this.id}, tags) or \`labbook tag ${this.id} key=value\`.`);
    }
    this.store.setTags(this.id, tagEntries(tags ?? {}));
    return this;
  }

  /** Records the fingerprint of data the run read (the data module computes it). */
  logDataset(dataset: { name: string; sha256: string; rows: number; columns: number; schema?: DatasetRecord['schema']; source?: string | null }): this {
    this.assertRunning('log a dataset');
    if (!dataset || typeof dataset.name !== 'string' || dataset.name === '') {
      throw invalidArgument('dataset.name', 'a non-empty string', dataset?.name);
    }
    if (!/^[0-9a-f]{64}$/.test(dataset.sha256)) throw invalidArgument('dataset.sha256', 'a SHA-256 as 64 lowercase hex digits', dataset.sha256);
    for (const field of ['rows', 'columns'] as const) {
      if (!Number.isSafeInteger(dataset[field]) || dataset[field] < 0) {
        throw invalidArgument(`dataset.${field}`, 'a non-negative integer', dataset[field]);
      }
    }
    this.store.insertDataset(this.id, { schema: null, source: null, ...dataset });
    return this;
  }

  /**
   * Stores checkpoint bytes content-addressed and records their SHA-256 at a step (default: the
   * highest step logged so far). Saving again at the same step replaces that step's checkpoint.
   */
  saveCheckpoint(bytes: Uint8Array, options: { step?: number } = {}): CheckpointRecord {
    this.assertRunning('save a checkpoint');
    if (!(bytes instanceof Uint8Array)) {
      throw invalidArgument('checkpoint', 'bytes (a Uint8Array)', bytes, 'Serialize a tfjs model with `saveModelCheckpoint(run, model)`.');
    }
    const step = options.step ?? Math.max(this.maxStep, 0);
    if (!Number.isSafeInteger(step) || step < 0) throw invalidArgument('step', 'a non-negative integer', step);
    return storeReferenced(this.store.db, this.objects, bytes, (stored) => {
      const createdAt = Date.now();
      this.store.insertCheckpoint(this.id, step, stored.sha256, stored.bytes, createdAt);
      return { step, sha256: stored.sha256, bytes: stored.bytes, createdAt };
    });
  }

  /** The checkpoint at the highest step saved so far, or null (logModel reuses it when the weights are equal). */
  latestCheckpoint(): CheckpointRecord | null {
    const row = this.store.db
      .prepare('SELECT step, sha256, bytes, created_at AS createdAt FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1')
      .get(this.id) as CheckpointRecord | undefined;
    return row ?? null;
  }

  /**
   * Stores a file-like artifact by name: bytes, text, or JSON. A plotly figure spec and a
   * classification report are stored as canonical JSON under their own media types
   * (application/vnd.labbook.figure+json, ...classification-report+json): small and byte-stable,
   * rendered when read (`labbook artifact ID NAME --html`), so the same figure is one stored object.
   */
  logArtifact(name: string, data: ArtifactData, options: { mediaType?: string } = {}): ArtifactRecord {
    this.assertRunning('log an artifact');
    if (typeof name !== 'string' || name === '') throw invalidArgument('artifact name', 'a non-empty string', name);
    if (options.mediaType !== undefined && (typeof options.mediaType !== 'string' || !/^[\w.+-]+\/[\w.+-]+/.test(options.mediaType))) {
      throw invalidArgument('mediaType', 'a media type such as "text/csv"', options.mediaType);
    }
    const { bytes, mediaType } = encodeArtifact(name, data, options.mediaType);
    const type = mediaType;
    return storeReferenced(this.store.db, this.objects, bytes, (stored) => {
      const createdAt = Date.now();
      this.store.insertArtifact(this.id, name, stored.sha256, type, stored.bytes, createdAt);
      return { name, sha256: stored.sha256, mediaType: type, bytes: stored.bytes, createdAt };
    });
  }

  /** Ends the run: buffered metrics are written first, whatever the status. */
  end(status: EndStatus = 'finished', error: string | null = null): void {
    if (this.state !== 'running') {
      throw new LabbookError('RUN_ENDED', `Run ${this.id} has already ended as ${this.state}: expected a running run. Start a new run to record more.`);
    }
    if (!['finished', 'failed', 'killed'].includes(status)) {
      throw invalidArgument('status', "'finished', 'failed' or 'killed'", status);
    }
    const ended = this.finish(status, error);
    if (ended === null) return;
    // Asked for `finished` but points are missing: never a silent hole. A failed or killed run is
    // already no success, and throwing there would hide the caller's own error: it is told instead.
    if (status === 'finished') throw ended;
    process.stderr.write(`labbook: ${ended.message}\n`);
  }

  /** Marks the run failed with the error's message and stack, keeping everything logged. */
  fail(error: unknown): void {
    const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    this.end('failed', text);
  }

  /** From a process hook, which must not throw: what could not be written is told on stderr. */
  endFromProcess(status: EndStatus, error: string | null): void {
    if (this.state !== 'running') return;
    const ended = this.finish(status, error);
    if (ended === null) return;
    process.stderr.write(`labbook: ${ended.message}\n`);
    // A script that lost data does not exit 0 (a signal or a crash exits non-zero already).
    if (!process.exitCode) process.exitCode = 1;
  }

  /**
   * Writes the buffered points (the retry of any earlier failure), then the status. A run whose
   * points cannot be written ends `failed`, not `finished`; if even the status cannot be written
   * the row stays `running` and readers mark it crashed once this process is gone. Returns the
   * error to report, or null when everything was written.
   */
  private finish(status: EndStatus, error: string | null): LabbookError | null {
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    untrackRun(this);
    let problem: LabbookError | null = null;
    if (!this.metrics.write(true)) {
      const asked = status;
      if (status === 'finished') status = 'failed';
      problem = this.metrics.error(`Run ${this.id} could not end as ${asked}`, `It ended as ${status} with those points unwritten`);
      error = error === null ? problem.message : `${error}\n${problem.message}`;
    }
    this.state = status;
    try {
      this.store.endRun(this.id, status, error, Date.now());
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? (cause as Error).message;
      const note = `its status could not be written either (${code}), so it stays \`running\` until a reader marks it crashed.`;
      problem = new LabbookError('WRITE_FAILED', problem ? `${problem.message} Run ${this.id} ended as ${status}, but ${note}` : `Could not end run ${this.id} as ${status}: ${note} Free space on the registry's disk.`);
    } finally {
      this.onEnd(this);
    }
    return problem;
  }

  /** A missed heartbeat only delays crash detection from other hosts, so a failed one is skipped. */
  private beat(): void {
    try {
      this.store.heartbeat(this.id, Date.now());
    } catch {
      // the disk is full or the database busy; the next beat tries again
    }
  }

  private assertRunning(action: string): void {
    if (this.state !== 'running') {
      throw new LabbookError('RUN_ENDED', `Cannot ${action}: run ${this.id} has already ended as ${this.state}. Start a new run to record more.`);
    }
  }
}
