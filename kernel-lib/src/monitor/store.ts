/** The monitoring store's writer: the server hands it every answered predict request; it samples them and writes them in batches, never on the request path. */
import { invalidArgument } from '../errors';
import { openRegistry, type Registry } from '../registry/registry';

export interface MonitorOptions {
  /** Share of requests stored, 0..1 (default 1): every request when 1, every 10th when 0.1. */
  sample?: number;
  /** Samples older than this are deleted (default 30 days; 0 keeps them all). */
  keepDays?: number;
  /** Written in one transaction this often (default 1000 ms) or at `flushRows` buffered (default 500). */
  flushMs?: number;
  flushRows?: number;
}

export interface Sample {
  model: string;
  version: number;
  at: number;
  latencyMs: number;
  examples: unknown[] | null;
  predictions: unknown[] | null;
  status: number;
  error: string | null;
}

export interface MonitorCounters {
  /** Rows written, and rows lost to a failed write (with the write failures). */
  written: (n: number) => void;
  failed: (rows: number) => void;
}

const DAY_MS = 86_400_000;

export class MonitorWriter {
  private readonly registry: Registry;
  private buffer: Sample[] = [];
  private credit = 0;
  private readonly timer: NodeJS.Timeout;
  private lastPrune = 0;
  private closed = false;
  readonly sample: number;
  readonly keepDays: number;
  private readonly flushRows: number;

  constructor(
    db: string | undefined,
    options: MonitorOptions,
    private readonly counters: MonitorCounters,
    private readonly log: (line: string) => void,
  ) {
    this.sample = options.sample ?? 1;
    this.keepDays = options.keepDays ?? 30;
    this.flushRows = options.flushRows ?? 500;
    const flushMs = options.flushMs ?? 1000;
    if (typeof this.sample !== 'number' || !(this.sample >= 0 && this.sample <= 1)) throw invalidArgument('monitor.sample', 'a share of requests from 0 to 1', this.sample);
    if (typeof this.keepDays !== 'number' || !(this.keepDays >= 0)) throw invalidArgument('monitor.keepDays', 'a number of days ≥ 0 (0: keep every sample)', this.keepDays);
    if (!Number.isSafeInteger(this.flushRows) || this.flushRows < 1) throw invalidArgument('monitor.flushRows', 'a positive integer', this.flushRows);
    if (typeof flushMs !== 'number' || !(flushMs > 0)) throw invalidArgument('monitor.flushMs', 'a number of milliseconds > 0', flushMs);
    this.registry = openRegistry({ db, create: false });
    this.prune();
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  /**
   * Keeps a request when the running credit reaches one: exactly `sample` of them, evenly spread,
   * the same ones in every replay of the same traffic (no Math.random).
   */
  record(sample: Sample): void {
    if (this.closed) return;
    this.credit += this.sample;
    if (this.credit < 1 - 1e-9) return;
    this.credit -= 1;
    this.buffer.push(sample);
    if (this.buffer.length >= this.flushRows) setImmediate(() => this.flush());
  }

  /** Writes what is buffered in one transaction; a failure is logged and counted, and those rows are lost. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      const insert = this.registry.db.prepare(
        'INSERT INTO monitor_samples (model, version, at, latency_ms, examples, input, prediction, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      this.registry.db.transaction(() => {
        for (const r of rows) {
          insert.run(r.model, r.version, r.at, r.latencyMs, r.examples?.length ?? 0, r.examples ? JSON.stringify(r.examples) : null, r.predictions ? JSON.stringify(r.predictions) : null, r.status, r.error);
        }
      })();
      this.counters.written(rows.length);
    } catch (error) {
      this.counters.failed(rows.length);
      this.log(`monitoring store: ${rows.length} sampled request(s) not written (${(error as Error).message}); serving goes on`);
    }
    if (Date.now() - this.lastPrune > 60_000) this.prune();
  }

  /** Flushes what is left and closes the store (graceful shutdown). */
  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.flush();
    this.closed = true;
    this.registry.close();
  }

  private prune(): void {
    this.lastPrune = Date.now();
    if (this.keepDays === 0) return;
    try {
      this.registry.db.prepare('DELETE FROM monitor_samples WHERE at < ?').run(Date.now() - this.keepDays * DAY_MS);
    } catch (error) {
      this.log(`monitoring store: old samples not pruned (${(error as Error).message})`);
    }
  }
}
