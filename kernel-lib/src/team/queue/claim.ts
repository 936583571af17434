/** Claiming a trial: re-queue the lost ones, take the lowest queued, or propose the next one while the budget lasts. */
import type { Pool, PoolClient } from 'pg';
import { invalidArgument } from '../../errors';
import type { Json } from '../../registry/types';
import type { Trial } from '../../sweep/trial';
import { NOW_MS, transaction } from './db';
import { finishSweepRun } from './finish';
import { listTrials, noSweep, snapshot } from './sweeps';

export interface Claim {
  sweepId: number;
  number: number;
  params: { [name: string]: Json };
  /** 1 for the first worker to take the trial, 2 after one was lost, ...: with the worker it names this claim. */
  attempt: number;
}

export interface Budget {
  /** Propose at most this many trials in all (failed ones count). */
  trials?: number;
  /** Propose no trial once this long has passed since the sweep was created (the database's clock). */
  timeMs?: number;
}

export interface ClaimOptions {
  /** The sweep's sampler over every trial so far (running ones included): the next params, or null when it has nothing left. */
  propose: (trials: Trial[], number: number) => { [name: string]: Json } | null;
  budget: Budget;
  /** A running trial whose last heartbeat is older than this was lost with its worker: it is re-queued. */
  staleAfterMs: number;
}

/** Nothing to claim now, but trials are still running elsewhere: one may yet be re-queued, so poll again. */
export const WAIT = 'wait' as const;

// Both halves of pg_advisory_xact_lock(int, int): a constant for "labbook sweep" and the sweep id.
const LOCK_SPACE = 0x6c627377;

/**
 * One transaction under the sweep's advisory lock, so proposals are serialized: with the same
 * completion order the same trials are proposed. Returns the claim, WAIT, or null when the sweep
 * is finished (every trial ended and the budget spent; the sweep is then marked done).
 */
export async function claimTrial(pool: Pool, sweepId: number, worker: string, options: ClaimOptions): Promise<Claim | typeof WAIT | null> {
  if (typeof worker !== 'string' || worker.length === 0) throw invalidArgument('worker', 'a non-empty worker id such as "host:pid"', worker);
  if (!(options.staleAfterMs > 0)) throw invalidArgument('staleAfterMs', 'a number of milliseconds > 0', options.staleAfterMs);
  return transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, $2::int)', [LOCK_SPACE, sweepId]);
    const { rows } = await client.query(`SELECT status, max_attempts, created_at, ${NOW_MS} AS now FROM sweeps WHERE id = $1`, [sweepId]);
    if (rows.length === 0) throw noSweep(sweepId);
    const sweep = rows[0];
    if (sweep.status !== 'open') return null;
    // A claim whose commit succeeded but whose answer was lost in an outage: this worker holds it already.
    const mine = await client.query(
      `UPDATE trials SET heartbeat_at = ${NOW_MS} WHERE sweep_id = $1 AND state = 'running' AND worker = $2 RETURNING number, params, attempts`,
      [sweepId, worker],
    );
    if (mine.rows.length > 0) return toClaim(sweepId, mine.rows[0]);
    await requeueStale(client, sweepId, sweep.max_attempts, options.staleAfterMs);
    const queued = await client.query(
      `SELECT number FROM trials WHERE sweep_id = $1 AND state = 'queued' ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [sweepId],
    );
    if (queued.rows.length > 0) {
      const taken = await client.query(
        `UPDATE trials SET state = 'running', worker = $3, attempts = attempts + 1, claimed_at = ${NOW_MS}, heartbeat_at = ${NOW_MS}
         WHERE sweep_id = $1 AND number = $2 RETURNING number, params, attempts`,
        [sweepId, queued.rows[0].number, worker],
      );
      return toClaim(sweepId, taken.rows[0]);
    }
    const trials = await listTrials(client, sweepId);
    const { trials: maxTrials, timeMs } = options.budget;
    const inBudget = (maxTrials === undefined || trials.length < maxTrials) && (timeMs === undefined || Number(sweep.now) - Number(sweep.created_at) < timeMs);
    const params = inBudget ? options.propose(trials, trials.length) : null;
    if (params !== null) {
      const inserted = await client.query(
        `INSERT INTO trials (sweep_id, number, params, state, attempts, worker, claimed_at, heartbeat_at, proposed_from)
         VALUES ($1, $2, $3, 'running', 1, $4, ${NOW_MS}, ${NOW_MS}, $5) RETURNING number, params, attempts`,
        [sweepId, trials.length, JSON.stringify(params), worker, snapshot(trials)],
      );
      return toClaim(sweepId, inserted.rows[0]);
    }
    if (trials.some((t) => t.state === 'running')) return WAIT;
    await client.query(`UPDATE sweeps SET status = 'done' WHERE id = $1`, [sweepId]);
    const stopped = inBudget ? 'the sampler has nothing left to propose'
      : maxTrials !== undefined && trials.length >= maxTrials ? `budget: ${maxTrials} trials` : `budget: ${(timeMs ?? 0) / 1000} s passed`;
    await finishSweepRun(client, sweepId, stopped);
    return null;
  });
}

/** Running trials whose worker stopped heartbeating go back to the queue, or fail once max_attempts workers were lost. */
async function requeueStale(client: PoolClient, sweepId: number, maxAttempts: number, staleAfterMs: number): Promise<void> {
  await client.query(
    `UPDATE trials SET
       state = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'queued' END,
       reason = CASE WHEN attempts >= $2 THEN 'worker lost ' || attempts || CASE WHEN attempts = 1 THEN ' time' ELSE ' times' END ELSE reason END,
       ended_at = CASE WHEN attempts >= $2 THEN ${NOW_MS} ELSE NULL END,
       worker = NULL, -- so the lost worker's late completion can never pass for its own
       heartbeat_at = NULL
     WHERE sweep_id = $1 AND state = 'running' AND heartbeat_at < ${NOW_MS} - $3`,
    [sweepId, maxAttempts, Math.ceil(staleAfterMs)],
  );
}

function toClaim(sweepId: number, row: { number: number; params: string; attempts: number }): Claim {
  return { sweepId, number: row.number, params: JSON.parse(row.params), attempt: row.attempts };
}
