/**
 * The team sweep's parent run follows the sweep: running while it is open, and when it ends (done,
 * or stopped) finished with what a local runSweep's parent gets: best_value logged, and the tags
 * sweep.best_trial, sweep.best_run and sweep.stopped.
 */
import { NOW_MS } from './db';
import { upsertTags } from '../sync/push';
import type { Db } from './sweeps';

/** Marks the sweep's run running again (its creator recorded and pushed it ended, holding only the definition). */
export async function openSweepRun(db: Db, sweepId: number): Promise<void> {
  await db.query(
    `UPDATE runs SET status = 'running', ended_at = NULL, error = NULL
     WHERE id = (SELECT run_id FROM sweeps WHERE id = $1 AND status = 'open')`,
    [sweepId],
  );
}

/**
 * Ends the sweep's run, in the caller's transaction (the one that marks the sweep done or
 * stopped). The best trial is the best complete one by the objective, ties to the lower number,
 * as runSweep picks it.
 */
export async function finishSweepRun(client: Db, sweepId: number, stopped: string): Promise<void> {
  const { rows } = await client.query<{ run_id: string | null; definition: string }>('SELECT run_id, definition FROM sweeps WHERE id = $1', [sweepId]);
  if (rows.length === 0 || rows[0].run_id === null) return;
  const runId = Number(rows[0].run_id);
  const direction = (JSON.parse(rows[0].definition) as { objective?: { direction?: string } }).objective?.direction === 'maximize' ? 'DESC' : 'ASC';
  const best = await client.query<{ number: number; value: number; run_id: string | null }>(
    `SELECT number, value, run_id FROM trials WHERE sweep_id = $1 AND state = 'complete' AND value IS NOT NULL
     ORDER BY value ${direction}, number LIMIT 1`,
    [sweepId],
  );
  const tags: [string, string][] = [['sweep.stopped', stopped]];
  if (best.rows.length > 0) {
    const { number, value, run_id } = best.rows[0];
    tags.push(['sweep.best_trial', String(number)]);
    if (run_id !== null) tags.push(['sweep.best_run', String(run_id)]);
    await client.query(
      `INSERT INTO metrics (run_id, key, step, value, time) VALUES ($1, 'best_value', 0, $2, ${NOW_MS})
       ON CONFLICT (run_id, key, step) DO UPDATE SET value = excluded.value, time = excluded.time`,
      [runId, value],
    );
    await client.query(
      `INSERT INTO metrics_latest (run_id, key, step, value, time, min, max, count) VALUES ($1, 'best_value', 0, $2, ${NOW_MS}, $2, $2, 1)
       ON CONFLICT (run_id, key) DO UPDATE SET step = 0, value = excluded.value, time = excluded.time, min = excluded.min, max = excluded.max, count = 1`,
      [runId, value],
    );
  }
  await upsertTags(client, runId, tags);
  await client.query(`UPDATE runs SET status = 'finished', ended_at = ${NOW_MS}, heartbeat_at = ${NOW_MS} WHERE id = $1`, [runId]);
}
