/** Reopening an interrupted run (crashed or killed) for the live process that carries it on: the one way back to `running`. */
import { LabbookError } from '../errors';
import type { Db } from './database';
import { MAX_TAG_VALUE_LENGTH } from './keys';
import { readRunRow } from './read';
import type { RunInit } from './run';

/** Tag holding how many times the run was reopened; `labbook.reopened.<n>` keeps what the n-th reopening cleared. */
export const REOPENED_TAG = 'labbook.reopened';

export interface Reopener {
  host: string;
  pid: number;
  pidStarted: number | null;
  now: number;
}

/**
 * Claims a crashed or killed run for `by`, in one write transaction (two processes reopening the
 * same run: the second finds it running and is refused). Only those two statuses: a finished or
 * failed run was ended on purpose by its own process, and a running one has a live process.
 * The status, end and error it clears are kept in a tag, since they are the run's history.
 * Returns what a run handle needs, with each metric's last step so its steps keep increasing.
 */
export function reopenRow(db: Db, id: number, by: Reopener): RunInit {
  const claim = db.transaction(() => {
    const row = readRunRow(db, id);
    if (row.status === 'running') {
      throw new LabbookError('INVALID_ARGUMENT', `Cannot reopen run ${id}: expected a crashed or killed run, received one running in a live process (${row.pid} on ${row.host}). Wait for it to end, or stop its process first.`);
    }
    if (row.status === 'finished' || row.status === 'failed') {
      throw new LabbookError('INVALID_ARGUMENT', `Cannot reopen run ${id}: expected a crashed or killed run (interrupted before it ended), received one its process ended as ${row.status}. Start a new run to record more.`);
    }
    const count = Number(db.prepare('SELECT value FROM tags WHERE run_id = ? AND key = ?').pluck().get(id, REOPENED_TAG) ?? 0) + 1;
    const ended = row.endedAt === null ? '' : ` at ${new Date(row.endedAt).toISOString()}`;
    const previous = `${row.status}${ended}: ${row.error ?? '(no error recorded)'}`.slice(0, MAX_TAG_VALUE_LENGTH);
    db.prepare(
      `UPDATE runs SET status = 'running', host = ?, pid = ?, pid_started = ?, heartbeat_at = ?, ended_at = NULL, error = NULL WHERE id = ?`,
    ).run(by.host, by.pid, by.pidStarted, by.now, id);
    const tag = db.prepare('INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value');
    tag.run(id, REOPENED_TAG, String(count));
    tag.run(id, `${REOPENED_TAG}.${count}`, previous);
    const steps = new Map(db.prepare('SELECT key, step FROM metrics_latest WHERE run_id = ?').raw().all(id) as [string, number][]);
    return { id, experiment: row.experiment, name: row.name, seed: row.seed, config: row.config, configHash: row.configHash, codeHash: row.codeHash, parent: row.parent, steps };
  });
  return claim.immediate();
}
