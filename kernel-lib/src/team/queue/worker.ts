/** The worker loop: claim a trial, run it locally with a heartbeat, complete it; through database outages, until the sweep is done. */
import { hostname } from 'node:os';
import type { Pool } from 'pg';
import { invalidArgument } from '../../errors';
import type { Json } from '../../registry/types';
import type { Trial, TrialIntermediate } from '../../sweep/trial';
import { type Claim, claimTrial, WAIT } from './claim';
import { completeTrial, heartbeat, releaseTrial, type TrialOutcome } from './complete';
import { isConnectionError, sleep, withRetry } from './db';
import { planFromDefinition, type Plan } from './plan';
import { getTeamSweep, listTrials } from './sweeps';
import { openTeamStore } from '../connect';

export interface TrialContext {
  /** Keeps the claim alive now and queues reported values for the pruners of other workers; never throws, never waits for an outage. */
  heartbeat(intermediate?: TrialIntermediate | TrialIntermediate[]): Promise<void>;
  /** Every trial of the sweep (for a pruner); during an outage, the last list read. */
  trials(): Promise<Trial[]>;
  /** Aborts when the worker is told to stop: finish now (return) or throw to hand the trial back to the queue. */
  signal: AbortSignal;
}

export type TrialFunction = (claim: Claim, ctx: TrialContext) => Promise<TrialOutcome>;

export interface RunWorkerOptions {
  /** The team store: a postgres:// URL (the worker opens and closes its own pool) or a pool. */
  url?: string;
  pool?: Pool;
  sweepId: number;
  /** Names this worker in the queue (default host:pid); one worker runs one trial at a time. */
  worker?: string;
  trial: TrialFunction;
  heartbeatMs?: number;
  /** A trial whose heartbeat is older than this is re-queued by the next worker that claims (default 4 × heartbeatMs). */
  staleAfterMs?: number;
  /** How often to look again when every trial is taken but some still run elsewhere (default heartbeatMs). */
  pollMs?: number;
  /** Stop claiming; the current trial finishes (or is handed back if the trial function throws). */
  signal?: AbortSignal;
  /** The sampler and budget from the sweep's definition (default: planFromDefinition). */
  plan?: (definition: Json, seed: number) => Plan;
  /** The trial's local run did not count: its trial was re-queued during an outage or a stop and taken by another worker. */
  onRefused?: (claim: Claim, outcome: TrialOutcome) => Promise<void> | void;
  /** One line per event (claimed, completed, refused, released, database unreachable). */
  log?: (line: string) => void;
}

export interface WorkerReport {
  worker: string;
  completed: number[];
  refused: number[];
  released: number[];
  /** Why the loop ended. */
  ended: 'done' | 'aborted';
}

export async function runWorker(options: RunWorkerOptions): Promise<WorkerReport> {
  if (!options.pool && !options.url) throw invalidArgument('url', 'a postgres:// URL or a pool', options.url);
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const staleAfterMs = options.staleAfterMs ?? 4 * heartbeatMs;
  if (!(heartbeatMs > 0)) throw invalidArgument('heartbeatMs', 'a number of milliseconds > 0', heartbeatMs);
  if (!(staleAfterMs > heartbeatMs)) throw invalidArgument('staleAfterMs', `more than heartbeatMs (${heartbeatMs})`, staleAfterMs, 'A live worker must get several heartbeats in before it is judged lost.');
  const pool = options.pool ?? (await openTeamStore(options.url!, { max: 3, migrate: false })).pool;
  // An idle client's broken connection is reported on the pool: without a listener it would crash the worker mid-outage.
  const ignore = () => undefined;
  pool.on('error', ignore);
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const report: WorkerReport = { worker, completed: [], refused: [], released: [], ended: 'aborted' };
  const retry = { onRetry: (e: Error, n: number) => n === 1 && log(`database unreachable (${e.message}); retrying`) };
  try {
    const sweep = await withRetry(() => getTeamSweep(pool, options.sweepId), { ...retry, signal: options.signal });
    const plan = (options.plan ?? planFromDefinition)(sweep.definition, sweep.seed);
    while (!options.signal?.aborted) {
      const claim = await withRetry(() => claimTrial(pool, sweep.id, worker, { ...plan, staleAfterMs }), { ...retry, signal: options.signal }).catch((e) => {
        if (options.signal?.aborted && isConnectionError(e)) return WAIT;
        throw e;
      });
      if (claim === null) {
        report.ended = 'done';
        break;
      }
      if (claim === WAIT) {
        await sleep(options.pollMs ?? heartbeatMs, options.signal);
        continue;
      }
      log(`claimed ${claim.number} attempt ${claim.attempt}`);
      await runOne(pool, claim, worker, { ...options, heartbeatMs }, report, log, retry);
    }
    return report;
  } finally {
    pool.off('error', ignore);
    if (!options.pool) await pool.end().catch(() => undefined);
  }
}

async function runOne(pool: Pool, claim: Claim, worker: string, options: RunWorkerOptions & { heartbeatMs: number }, report: WorkerReport, log: (line: string) => void, retry: { onRetry: (e: Error, n: number) => void }): Promise<void> {
  const pending: TrialIntermediate[] = [];
  let inFlight: Promise<void> | null = null;
  let lost = false;
  let lastTrials: Trial[] = [];
  // One heartbeat at a time, one attempt each: during an outage values wait in `pending` for the next beat.
  const beat = (): Promise<void> => {
    if (inFlight) return inFlight;
    const batch = pending.splice(0);
    inFlight = heartbeat(pool, claim, worker, batch)
      .then((held) => {
        if (!held && !lost) log(`lost ${claim.number}: it was re-queued`);
        lost ||= !held;
      })
      .catch(() => void pending.unshift(...batch))
      .finally(() => (inFlight = null));
    return inFlight;
  };
  const timer = setInterval(() => void beat(), options.heartbeatMs);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const ctx: TrialContext = {
    async heartbeat(intermediate) {
      if (intermediate !== undefined) pending.push(...(Array.isArray(intermediate) ? intermediate : [intermediate]));
      await beat();
    },
    async trials() {
      lastTrials = await listTrials(pool, claim.sweepId).catch((e) => {
        if (isConnectionError(e)) return lastTrials;
        throw e;
      });
      return lastTrials;
    },
    signal: stop.signal,
  };
  let outcome: TrialOutcome | null;
  try {
    outcome = await options.trial(claim, ctx);
  } catch (error) {
    outcome = stop.signal.aborted ? null : { state: 'failed', reason: (error as Error).message };
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await inFlight;
  }
  if (outcome === null) {
    await withRetry(() => releaseTrial(pool, claim, worker), retry);
    report.released.push(claim.number);
    log(`released ${claim.number}`);
    return;
  }
  const final = { ...outcome, intermediate: [...pending, ...(outcome.intermediate ?? [])] };
  if (await withRetry(() => completeTrial(pool, claim, worker, final), retry)) {
    report.completed.push(claim.number);
    log(`completed ${claim.number} attempt ${claim.attempt} ${outcome.state}`);
  } else {
    report.refused.push(claim.number);
    log(`refused ${claim.number} attempt ${claim.attempt}`);
    await options.onRefused?.(claim, outcome);
  }
}
