/** The monitoring store's writer: the server hands it every answered predict request; it samples them, and a worker thread writes them in batches, off the server's event loop. */
import { Worker } from 'node:worker_threads';
import { invalidArgument } from '../errors';
import { openRegistry } from '../registry/registry';
import { WORKER_CODE } from './store-worker';

export interface MonitorOptions {
  /** Share of requests stored, 0..1 (default 1): every request when 1, every 10th when 0.1. */
  sample?: number;
  /** Samples older than this are deleted (default 30 days; 0 keeps them all). */
  keepDays?: number;
  /** Written (by the writer thread) in one transaction this often (default 1000 ms) or at `flushRows` buffered (default 500). */
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

type WorkerMessage = { type: 'written'; n: number } | { type: 'failed'; n: number; message: string } | { type: 'log'; line: string } | { type: 'closed' };

/** Samples are posted to the writer thread this often or at this many, so no single post is large (a post is cloned on the event loop). */
const POST_MS = 50;
const POST_ROWS = 64;
/** The registry's own busy timeout: the writer waits for other writers as long as any registry connection does. */
const BUSY_TIMEOUT_MS = 15_000;
/** How long close() waits for the writer thread's last write before counting those rows lost. */
const CLOSE_TIMEOUT_MS = 10_000;

export class MonitorWriter {
  private readonly worker: Worker;
  private buffer: Sample[] = [];
  private credit = 0;
  private readonly timer: NodeJS.Timeout;
  /** Rows posted to the worker that it has not yet reported written or failed. */
  private pending = 0;
  private closing: Promise<void> | null = null;
  private closedAnswer: (() => void) | null = null;
  private dead = false;
  readonly sample: number;
  readonly keepDays: number;
  /** Posted at this many buffered rows: POST_ROWS, or fewer when the worker is to write at fewer. */
  private readonly postRows: number;

  constructor(
    db: string | undefined,
    options: MonitorOptions,
    private readonly counters: MonitorCounters,
    private readonly log: (line: string) => void,
  ) {
    this.sample = options.sample ?? 1;
    this.keepDays = options.keepDays ?? 30;
    const flushRows = options.flushRows ?? 500;
    const flushMs = options.flushMs ?? 1000;
    if (typeof this.sample !== 'number' || !(this.sample >= 0 && this.sample <= 1)) throw invalidArgument('monitor.sample', 'a share of requests from 0 to 1', this.sample);
    if (typeof this.keepDays !== 'number' || !(this.keepDays >= 0)) throw invalidArgument('monitor.keepDays', 'a number of days ≥ 0 (0: keep every sample)', this.keepDays);
    if (!Number.isSafeInteger(flushRows) || flushRows < 1) throw invalidArgument('monitor.flushRows', 'a positive integer', flushRows);
    if (typeof flushMs !== 'number' || !(flushMs > 0)) throw invalidArgument('monitor.flushMs', 'a number of milliseconds > 0', flushMs);
    this.postRows = Math.min(POST_ROWS, flushRows);
    // Opened here first, so a missing or unreadable store (or one needing a migration) is a start-up error.
    const registry = openRegistry({ db, create: false });
    const path = registry.path;
    registry.close();
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { db: path, betterSqlite3: require.resolve('better-sqlite3'), busyTimeoutMs: BUSY_TIMEOUT_MS, keepDays: this.keepDays, flushMs, flushRows },
    });
    // The server, not the writer, keeps the process alive; close() holds it while it waits.
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => this.answer(message));
    this.worker.on('error', (error) => this.lose(`the writer thread failed (${error.message})`));
    this.worker.on('exit', () => this.lose('the writer thread stopped'));
    this.timer = setInterval(() => this.flush(), POST_MS);
    this.timer.unref();
  }

  /**
   * Keeps a request when the running credit reaches one: exactly `sample` of them, evenly spread,
   * the same ones in every replay of the same traffic (no Math.random).
   */
  record(sample: Sample): void {
    if (this.closing) return;
    this.credit += this.sample;
    if (this.credit < 1 - 1e-9) return;
    this.credit -= 1;
    this.buffer.push(sample);
    if (this.buffer.length >= this.postRows) this.flush();
  }

  /** Hands what is buffered to the writer thread (a small post: at most POST_ROWS rows or POST_MS of traffic). */
  flush(): void {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    if (this.dead) return this.counters.failed(rows.length);
    this.pending += rows.length;
    this.worker.postMessage({ type: 'rows', rows });
  }

  /** Hands over what is left, waits until the writer thread has written it and closed the store, then ends it (graceful shutdown). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.flush();
      if (!this.dead) {
        this.worker.ref();
        const answered = new Promise<boolean>((resolve) => {
          this.closedAnswer = () => resolve(true);
          setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS).unref();
        });
        this.worker.postMessage({ type: 'close' });
        if (!(await answered)) this.lose(`the writer thread did not finish within ${CLOSE_TIMEOUT_MS / 1000} s`);
      }
      this.dead = true;
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private answer(message: WorkerMessage): void {
    if (message.type === 'written') {
      this.pending -= message.n;
      this.counters.written(message.n);
    } else if (message.type === 'failed') {
      this.pending -= message.n;
      this.counters.failed(message.n);
      this.log(`monitoring store: ${message.n} sampled request(s) not written (${message.message}); serving goes on`);
    } else if (message.type === 'log') {
      this.log(message.line);
    } else if (message.type === 'closed') {
      this.closedAnswer?.();
    }
  }

  /** The writer thread is gone or stuck: what it had not written is counted lost, and later samples too. */
  private lose(why: string): void {
    if (this.dead) return;
    this.dead = true;
    const lost = this.pending;
    this.pending = 0;
    if (lost > 0) this.counters.failed(lost);
    this.log(`monitoring store: ${why}; ${lost} sampled request(s) not written; serving goes on`);
    this.closedAnswer?.();
  }
}
