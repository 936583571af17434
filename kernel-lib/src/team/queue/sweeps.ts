/** Team sweeps in PostgreSQL: creating one, reading it back, and its trials as the samplers' and pruners' Trial records. */
import type { Pool, PoolClient } from 'pg';
import { invalidArgument, LabbookError } from '../../errors';
import type { Json } from '../../registry/types';
import type { Trial, TrialIntermediate, TrialState } from '../../sweep/trial';
import { NOW_MS } from './db';

export type Db = Pool | PoolClient;

export interface TeamSweep {
  id: number;
  experiment: string;
  /** The sweep's definition as JSON (what to sample, the budget); checked when read, never executed. */
  definition: Json;
  seed: number;
  maxAttempts: number;
  status: 'open' | 'done' | 'stopped';
  /** The team run that groups the trials, when there is one. */
  runId: number | null;
  createdAt: number;
}

export interface CreateTeamSweepOptions {
  experiment: string;
  definition: Json;
  seed: number;
  /** How many workers may lose a trial (killed, or stopped past the heartbeat limit) before it fails. */
  maxAttempts: number;
  runId?: number;
}

export async function createTeamSweep(pool: Db, options: CreateTeamSweepOptions): Promise<number> {
  const { experiment, definition, seed, maxAttempts, runId } = options;
  if (typeof experiment !== 'string' || experiment.length === 0) throw invalidArgument('experiment', 'a non-empty experiment name', experiment);
  if (!Number.isSafeInteger(seed)) throw invalidArgument('seed', 'an integer', seed);
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw invalidArgument('maxAttempts', 'an integer >= 1', maxAttempts);
  if (definition === undefined) throw invalidArgument('definition', 'the sweep definition as JSON', definition);
  const { rows } = await pool.query(
    `INSERT INTO sweeps (run_id, experiment, definition, seed, max_attempts, status, created_at)
     VALUES ($1, $2, $3, $4, $5, 'open', ${NOW_MS}) RETURNING id`,
    [runId ?? null, experiment, JSON.stringify(definition), seed, maxAttempts],
  );
  return Number(rows[0].id);
}

export async function getTeamSweep(pool: Db, sweepId: number): Promise<TeamSweep> {
  const { rows } = await pool.query('SELECT * FROM sweeps WHERE id = $1', [sweepId]);
  if (rows.length === 0) throw noSweep(sweepId);
  const row = rows[0];
  return {
    id: Number(row.id),
    experiment: row.experiment,
    definition: JSON.parse(row.definition),
    seed: Number(row.seed),
    maxAttempts: row.max_attempts,
    status: row.status,
    runId: row.run_id === null ? null : Number(row.run_id),
    createdAt: Number(row.created_at),
  };
}

export function noSweep(sweepId: unknown): LabbookError {
  return new LabbookError('NOT_FOUND', `No such sweep: expected the id of a sweep in the team store, received ${String(sweepId)}. List them with \`labbook sweep list --db postgres://...\`.`);
}

/** A trial as the queue stores it: the sampler's record plus who holds it. */
/** A team sweep as `labbook sweep list` shows it: the row and its trials counted by queue state. */
export interface TeamSweepSummary {
  id: number;
  experiment: string;
  /** The definition's sampler name (tpe when it names none, as workers read it); null for a definition that is not an object. */
  sampler: string | null;
  status: TeamSweep['status'];
  trials: { complete: number; pruned: number; running: number; queued: number; failed: number };
  createdAt: number;
}

/** Every team sweep, newest first, with its trials counted in one query (no trial rows read). */
export async function listTeamSweeps(pool: Db): Promise<TeamSweepSummary[]> {
  const { rows } = await pool.query(
    `SELECT s.id, s.experiment, s.definition, s.status, s.created_at,
       ${['complete', 'pruned', 'running', 'queued', 'failed'].map((state) => `count(t.number) FILTER (WHERE t.state = '${state}') AS ${state}`).join(', ')}
     FROM sweeps s LEFT JOIN trials t ON t.sweep_id = s.id GROUP BY s.id ORDER BY s.id DESC`,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    experiment: row.experiment,
    sampler: samplerName(row.definition),
    status: row.status,
    trials: { complete: Number(row.complete), pruned: Number(row.pruned), running: Number(row.running), queued: Number(row.queued), failed: Number(row.failed) },
    createdAt: Number(row.created_at),
  }));
}

function samplerName(definition: string): string | null {
  let d: { sampler?: unknown };
  try {
    d = JSON.parse(definition);
  } catch {
    return null;
  }
  if (!d || typeof d !== 'object') return null;
  const s = d.sampler ?? 'tpe';
  const name = typeof s === 'string' ? s : (s as { name?: unknown })?.name;
  return typeof name === 'string' ? name : null;
}

export interface QueueTrial extends Trial {
  queueState: 'queued' | 'running' | 'complete' | 'pruned' | 'failed';
  attempts: number;
  worker: string | null;
  reason: string | null;
  runId: number | null;
}

const COLUMNS = 'number, params, state, value, intermediate, attempts, worker, reason, run_id';

/**
 * Every trial of the sweep in number order. A queued trial (re-queued after its worker was lost)
 * reads as 'running': to TPE's constant liar it is proposed-but-unfinished, exactly like a running one.
 */
export async function listTrials(pool: Db, sweepId: number): Promise<QueueTrial[]> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM trials WHERE sweep_id = $1 ORDER BY number`, [sweepId]);
  return rows.map(toTrial);
}

function toTrial(row: Record<string, unknown>): QueueTrial {
  const queueState = row.state as QueueTrial['queueState'];
  return {
    number: row.number as number,
    params: JSON.parse(row.params as string),
    state: (queueState === 'queued' ? 'running' : queueState) as TrialState,
    value: (row.value as number | null) ?? null,
    intermediate: JSON.parse(row.intermediate as string) as TrialIntermediate[],
    queueState,
    attempts: row.attempts as number,
    worker: (row.worker as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    runId: row.run_id === null || row.run_id === undefined ? null : Number(row.run_id),
  };
}

/**
 * What a trial was proposed from, compactly: params never change once proposed and intermediate
 * values only grow by step, so each earlier trial's state, value and last reported step say it all.
 */
export function snapshot(trials: readonly Trial[]): string {
  const through = (t: Trial) => (t.intermediate.length === 0 ? null : Math.max(...t.intermediate.map((p) => p.step)));
  return JSON.stringify(trials.map((t) => ({ number: t.number, state: t.state, value: t.value, through: through(t) })));
}

/**
 * The exact sampler input trial `number` was proposed from (the trial list as it stood then, and
 * the sweep's seed): `sampler.propose({ space, direction, ...await proposalOf(...) })` gives its params again.
 */
export async function proposalOf(pool: Db, sweepId: number, number: number): Promise<{ seed: number; number: number; trials: Trial[] }> {
  const sweep = await getTeamSweep(pool, sweepId);
  const { rows } = await pool.query('SELECT proposed_from FROM trials WHERE sweep_id = $1 AND number = $2', [sweepId, number]);
  if (rows.length === 0) throw invalidArgument('number', `a trial number of sweep ${sweepId}`, number);
  const seen = JSON.parse(rows[0].proposed_from) as { number: number; state: TrialState; value: number | null; through: number | null }[];
  const now = new Map((await listTrials(pool, sweepId)).map((t) => [t.number, t]));
  return {
    seed: sweep.seed,
    number,
    trials: seen.map(({ number: n, state, value, through }) => ({
      number: n,
      params: now.get(n)?.params ?? {},
      state,
      value,
      intermediate: through === null ? [] : (now.get(n)?.intermediate ?? []).filter((p) => p.step <= through),
    })),
  };
}
