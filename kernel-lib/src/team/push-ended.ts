/**
 * Pushing runs that just ended to the team store a caller named, or LABBOOK_DB names: what makes
 * a notebook's runExperiment or runSweep land in PostgreSQL like `labbook run`. This module loads
 * no driver; `pg` loads only when there is a store to push to.
 */
import { invalidArgument } from '../errors';
import type { Registry } from '../registry/registry';
import { isPostgresUrl } from './url';

/** What a push said: the store (password redacted) and the outage that left runs pending, if any. */
export interface TeamPush {
  team: string;
  /** null: every run named is wholly in the team store; else why not (the runs stay pending for `labbook sync`). */
  error: string | null;
  /** Runs still not wholly pushed (running, or holding a corrupt object). */
  pending: number[];
}

/**
 * The team store to push to: `option` when it is a URL, none when it is false, else LABBOOK_DB
 * when that is a postgres:// URL.
 */
export function teamStoreFor(option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) {
    if (!isPostgresUrl(option)) throw invalidArgument('team', 'a postgres:// URL of the team store, or false to record locally only', option);
    return option.trim();
  }
  const fromEnv = process.env.LABBOOK_DB;
  return isPostgresUrl(fromEnv) ? fromEnv : undefined;
}

/** Pushes `ids` (and the parents they need). An outage never throws: it is reported, and the runs stay recorded locally. */
export async function pushEndedRuns(registry: Registry, url: string, ids: number[]): Promise<TeamPush> {
  const { syncToTeam } = require('./sync/sync') as typeof import('./sync/sync');
  const result = await syncToTeam(registry, url, { runIds: ids });
  return { team: result.team, error: result.error, pending: result.pending.map((p) => p.id) };
}
