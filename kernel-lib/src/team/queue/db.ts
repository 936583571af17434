/** The queue's database plumbing: the server's clock, transactions, and retrying a call through a database outage. */
import type { Pool, PoolClient } from 'pg';

/**
 * Every queue time comes from the database's clock, not the worker's: heartbeats written by
 * machines whose clocks disagree are still compared fairly when a trial is judged stale.
 */
export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Runs `action` in one transaction; a client whose connection broke is destroyed, not returned to the pool. */
export async function transaction<T>(pool: Pool, action: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection cut between two queries of the transaction is emitted on the client: without a
  // listener it would crash the worker; the next query then fails and the caller retries.
  const cut = (error: Error) => void (broken ??= error);
  client.on('error', cut);
  try {
    await client.query('BEGIN');
    const result = await action(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = error as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', cut);
    client.release(broken && isConnectionError(broken) ? broken : undefined);
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  '57P01', // admin_shutdown: the server is stopping (pg_ctl stop -m fast)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting or stopping
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
  '53300', // too_many_connections: transient on a busy server
]);

/** Whether an error means "the server could not be reached or went away" (retry), not "the query was wrong" (don't). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed/i.test(error.message);
}

export interface RetryOptions {
  /** Stop retrying (rethrow the last connection error) once this aborts. */
  signal?: AbortSignal;
  /** Give up after this long without reaching the server (default: never). */
  maxOutageMs?: number;
  /** Told of each failed attempt, e.g. to log "database unreachable, retrying". */
  onRetry?: (error: Error, attempt: number) => void;
}

/**
 * Calls `action` until it succeeds, waiting 100 ms, 200 ms, ... up to 2 s between attempts while
 * the database is unreachable. Only connection errors are retried: a failed constraint is a bug to see.
 */
export async function withRetry<T>(action: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const outage = Date.now() - started;
      if (options.signal?.aborted || outage >= (options.maxOutageMs ?? Infinity)) throw error;
      options.onRetry?.(error as Error, attempt);
      await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt - 1, 5)), options.signal);
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
