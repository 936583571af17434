/** A claimed trial's life after the claim: heartbeats (with reported values), completion, release; each only for the worker that holds it. */
import type { Pool } from 'pg';
import { invalidArgument } from '../../errors';
import type { TrialIntermediate } from '../../sweep/trial';
import type { Claim } from './claim';
import { NOW_MS, transaction } from './db';
import { finishSweepRun } from './finish';

// The claim is (trial, worker, attempt): a trial re-queued after a missed heartbeat and taken
// again has another attempt number, so a late call from the lost worker matches no row.
const OWNED = `sweep_id = $1 AND number = $2 AND state = 'running' AND worker = $3 AND attempts = $4`;

/**
 * Keeps the claim alive and appends reported intermediate values (pruners on other workers read
 * them). A value for a step already stored replaces it, so a retried heartbeat adds nothing twice.
 * Returns false when this worker no longer holds the trial.
 */
export async function heartbeat(pool: Pool, claim: Claim, worker: string, intermediate: TrialIntermediate[] = []): Promise<boolean> {
  const key = [claim.sweepId, claim.number, worker, claim.attempt];
  if (intermediate.length === 0) {
    const { rowCount } = await pool.query(`UPDATE trials SET heartbeat_at = ${NOW_MS} WHERE ${OWNED}`, key);
    return rowCount === 1;
  }
  checkIntermediate(intermediate);
  return transaction(pool, async (client) => {
    const { rows } = await client.query(`SELECT intermediate FROM trials WHERE ${OWNED} FOR UPDATE`, key);
    if (rows.length === 0) return false;
    await client.query(`UPDATE trials SET heartbeat_at = ${NOW_MS}, intermediate = $5 WHERE ${OWNED}`, [...key, merge(rows[0].intermediate, intermediate)]);
    return true;
  });
}

export interface TrialOutcome {
  state: 'complete' | 'pruned' | 'failed';
  /** The objective's final value (null when pruned or failed without one). */
  value?: number | null;
  /** Why it was pruned or failed. */
  reason?: string | null;
  /** The trial's run in the team store, once synced. */
  runId?: number | null;
  /** Intermediate values not yet sent with a heartbeat. */
  intermediate?: TrialIntermediate[];
}

/**
 * Ends the trial, only if this worker still holds this attempt: returns false and changes nothing
 * when the trial was re-queued meanwhile (and maybe completed by another worker). That condition
 * is what guarantees no trial completes twice. A retry of a completion that did commit returns true.
 */
export async function completeTrial(pool: Pool, claim: Claim, worker: string, outcome: TrialOutcome): Promise<boolean> {
  if (!['complete', 'pruned', 'failed'].includes(outcome.state)) throw invalidArgument('state', '"complete", "pruned" or "failed"', outcome.state);
  const value = outcome.value ?? null;
  if (value !== null && typeof value !== 'number') throw invalidArgument('value', 'a number or null', value);
  checkIntermediate(outcome.intermediate ?? []);
  const key = [claim.sweepId, claim.number, worker, claim.attempt];
  return transaction(pool, async (client) => {
    const { rows } = await client.query(`SELECT intermediate FROM trials WHERE ${OWNED} FOR UPDATE`, key);
    if (rows.length === 0) {
      const again = await client.query('SELECT state, worker, attempts FROM trials WHERE sweep_id = $1 AND number = $2', key.slice(0, 2));
      const row = again.rows[0];
      return row !== undefined && row.state === outcome.state && row.worker === worker && row.attempts === claim.attempt;
    }
    await client.query(
      `UPDATE trials SET state = $5, value = $6, reason = $7, run_id = $8, intermediate = $9, ended_at = ${NOW_MS} WHERE ${OWNED}`,
      [...key, outcome.state, value, outcome.reason ?? null, outcome.runId ?? null, merge(rows[0].intermediate, outcome.intermediate ?? [])],
    );
    return true;
  });
}

/** Hands the trial back to the queue (a worker told to stop): the attempt does not count as a lost one. */
export async function releaseTrial(pool: Pool, claim: Claim, worker: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE trials SET state = 'queued', worker = NULL, heartbeat_at = NULL, attempts = attempts - 1 WHERE ${OWNED}`,
    [claim.sweepId, claim.number, worker, claim.attempt],
  );
  return rowCount === 1;
}

/** Stops the sweep: workers claim nothing more (running trials may still complete); its run ends with the best so far. */
export async function stopSweep(pool: Pool, sweepId: number): Promise<void> {
  await transaction(pool, async (client) => {
    const { rowCount } = await client.query(`UPDATE sweeps SET status = 'stopped' WHERE id = $1 AND status = 'open'`, [sweepId]);
    if (rowCount === 1) await finishSweepRun(client, sweepId, 'stopped by labbook sweep stop');
  });
}

function merge(stored: string, added: TrialIntermediate[]): string {
  const byStep = new Map((JSON.parse(stored) as TrialIntermediate[]).map((p) => [p.step, p]));
  for (const p of added) byStep.set(p.step, { step: p.step, value: p.value });
  return JSON.stringify([...byStep.values()].sort((a, b) => a.step - b.step));
}

function checkIntermediate(points: TrialIntermediate[]): void {
  for (const p of points) {
    if (!Number.isFinite(p?.step) || typeof p.value !== 'number') throw invalidArgument('intermediate', 'points {step: number, value: number}', p);
  }
}
