/**
 * What sync does for a team sweep's runs recorded on a worker. The worker groups its trials under
 * a local stand-in for the sweep's parent run (tagged with the team run's id): the stand-in is not
 * pushed, its trials become children of the team parent itself, so `parent = ID` in the team store
 * lists every worker's trials. And a trial whose run reached the team store only after the trial
 * was completed (an outage) gets its run linked to the trial then.
 */
import type pg from 'pg';
import type { Db } from '../../registry/database';
import * as push from './push';

const STAND_IN_FOR = 'sweep.team_parent';
const TEAM_SWEEP = 'sweep.team_sweep';
const ID = /^[1-9]\d{0,15}$/;

function tag(db: Db, runId: number, key: string): string | undefined {
  return db.prepare('SELECT value FROM tags WHERE run_id = ? AND key = ?').pluck().get(runId, key) as string | undefined;
}

/** The team run this local run stands in for, when it is a worker's stand-in whose team parent exists; else null. */
export async function standInFor(db: Db, client: pg.PoolClient, runId: number, parentId: number | null): Promise<number | null> {
  if (parentId !== null) return null;
  const value = tag(db, runId, STAND_IN_FOR);
  if (value === undefined || !ID.test(value)) return null;
  return (await push.runExists(client, Number(value))) ? Number(value) : null;
}

/**
 * Links a pushed trial run to its trial when the trial ended without one. Only the run of the
 * worker whose completion counted (the trial's `worker` is this run's host:pid) qualifies, so a
 * refused duplicate attempt never takes its place.
 */
export async function linkTrialRun(db: Db, client: pg.PoolClient, run: { id: number; parent_id: number | null; host: string; pid: number }, teamRunId: number): Promise<void> {
  if (run.parent_id === null) return;
  const sweep = tag(db, run.parent_id, TEAM_SWEEP);
  const number = tag(db, run.id, 'sweep.trial');
  if (sweep === undefined || !ID.test(sweep) || number === undefined || !/^\d{1,9}$/.test(number) || tag(db, run.id, 'sweep.duplicate_attempt') !== undefined) return;
  await client.query(
    `UPDATE trials SET run_id = $1
     WHERE sweep_id = $2 AND number = $3 AND run_id IS NULL AND state IN ('complete', 'pruned', 'failed') AND worker = $4`,
    [teamRunId, Number(sweep), Number(number), `${run.host}:${run.pid}`],
  );
}
