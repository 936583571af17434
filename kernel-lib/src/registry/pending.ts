/** A run's logged-but-unwritten metric points: kept until a write commits them, bounded, never thrown from a timer. */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LabbookError } from '../errors';
import type { MetricBuffer, SqliteStore } from './store';

/**
 * Points held while writes fail (a full disk): about 40 MB of memory. Past it, log() throws
 * rather than drop points or grow without bound.
 */
export const DEFAULT_MAX_BUFFERED_POINTS = 1_000_000;

export class PendingMetrics {
  buffer: MetricBuffer = empty();
  /** Why the last write failed; null once a write commits. */
  private failure: unknown = null;
  /** One stderr warning per spell of failures, not one per retry. */
  private warned = false;
  /** Failed writes in a row, and when the next unforced retry may run: each failure doubles the wait. */
  private failures = 0;
  private nextTryAt = 0;

  constructor(
    private readonly runId: number,
    private readonly store: SqliteStore,
    private readonly flushEveryPoints: number,
    private readonly flushIntervalMs: number,
    readonly maxPoints: number,
  ) {}

  get size(): number {
    return this.buffer.keys.length;
  }

  get failing(): boolean {
    return this.failure !== null;
  }

  /**
   * Before log() buffers more: a full buffer is written first, and if writes are failing the log
   * is refused (without another try here: the timer keeps retrying, and logging stays cheap).
   */
  makeRoom(): void {
    if (this.size < this.maxPoints) return;
    if (this.failure === null && this.write(true)) return;
    throw new LabbookError(
      'WRITE_FAILED',
      `Cannot log metrics of run ${this.runId}: expected the buffer of unwritten points to drain, received ${this.size} points (the limit) that could not be written to ${this.where()}: ${cause(this.failure)}. Nothing was dropped and this call logged nothing; free space on that disk and log again, or end the run.`,
    );
  }

  /** After log() buffered points: writes once enough are waiting. */
  afterLog(): void {
    if (this.size >= this.flushEveryPoints) this.write();
  }

  /**
   * Writes every buffered point in one transaction; on failure they all stay buffered (the
   * transaction committed none of them), the error is kept and warned about once. Never throws:
   * it runs from timers, where a throw would kill the process (a notebook's kernel). While writes
   * fail, unforced tries back off (up to 30 s apart): a failing transaction of a million points
   * costs a second, which a training loop should not pay every interval. flush() and end() force.
   */
  write(force = false): boolean {
    if (this.size === 0) return true;
    if (!force && this.failure !== null && Date.now() < this.nextTryAt) return false;
    try {
      this.store.appendMetrics(this.runId, this.buffer, Date.now());
    } catch (error) {
      this.failure = error;
      this.failures++;
      this.nextTryAt = Date.now() + Math.min(this.flushIntervalMs * 2 ** Math.min(this.failures - 1, 20), 30_000);
      if (!this.warned) {
        this.warned = true;
        process.stderr.write(
          `labbook: run ${this.runId}: could not write ${this.size} metric points to ${this.where()}: ${cause(error)}. They stay in memory (up to ${this.maxPoints}) and are retried on every flush; free space on that disk.\n`,
        );
      }
      return false;
    }
    const written = this.size;
    this.buffer = empty();
    this.failure = null;
    this.failures = 0;
    if (this.warned) {
      this.warned = false;
      process.stderr.write(`labbook: run ${this.runId}: wrote the ${written} buffered metric points after all; none was lost.\n`);
    }
    return true;
  }

  /** The error for an explicit flush or an end that could not write: names the count and the disk. */
  error(what: string, outcome: string): LabbookError {
    return new LabbookError(
      'WRITE_FAILED',
      `${what}: expected its ${this.size} buffered metric points to be written to ${this.where()}, received ${cause(this.failure)}. ${outcome}; free space on that disk.`,
    );
  }

  /** The registry file and the free space on its disk, which is what the user has to fix. */
  private where(): string {
    const path = this.store.db.name;
    try {
      const fs = statfsSync(dirname(path));
      return `${path} (${Number(fs.bavail) * Number(fs.bsize)} bytes free on its disk)`;
    } catch {
      return path;
    }
  }
}

function empty(): MetricBuffer {
  return { keys: [], steps: [], values: [], times: [] };
}

function cause(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code} (${message})` : message;
}
