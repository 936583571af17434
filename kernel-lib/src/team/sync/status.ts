/** syncStatus: what a local registry has not yet pushed to a team store, when it last synced, and whether the store answers. */
import { openRegistry, type Registry } from '../../registry';
import { openTeamStore } from '../connect';
import { localOrigin, pendingRuns, type PendingRun, readMeta } from './local';
import { redactUrl, teamKey } from './url';

export interface SyncStatus {
  origin: string;
  /** The team store compared against (password redacted); null when none is given or was ever synced. */
  team: string | null;
  /** When a sync to that store last ran to its end (ms), or null. */
  lastSync: number | null;
  pending: PendingRun[];
  /** Whether the team store answered; null when no URL was given (nothing to try). */
  reachable: boolean | null;
  /** Why it did not answer, in one line (no password). */
  unreachable: string | null;
}

/**
 * Without a URL, the status is against the team store this registry last synced to (its hash and
 * redacted URL are in registry_meta), and reachability is not tried: the password is not stored.
 */
export async function syncStatus(local: string | Registry, teamUrl?: string): Promise<SyncStatus> {
  const registry = typeof local === 'string' ? openRegistry({ db: local, create: false }) : local;
  try {
    const db = registry.db;
    let team: string | null = teamUrl ? teamKey(teamUrl) : null;
    if (team === null) {
      const last = db.prepare(`SELECT substr(key, 11) FROM registry_meta WHERE key LIKE 'last_sync:%' ORDER BY CAST(value AS INTEGER) DESC LIMIT 1`).pluck().get() as string | undefined;
      team = last ?? null;
    }
    const status: SyncStatus = {
      origin: localOrigin(db),
      team: teamUrl ? redactUrl(teamUrl) : team ? readMeta(db, `team_url:${team}`) : null,
      lastSync: team ? Number(readMeta(db, `last_sync:${team}`)) || null : null,
      // With no team store at all, every run is pending.
      pending: pendingRuns(db, team ?? ''),
      reachable: null,
      unreachable: null,
    };
    if (teamUrl) {
      try {
        // Only asked whether it answers: a status never migrates (nor needs the rights to).
        const store = await openTeamStore(teamUrl, { max: 1, migrate: false });
        await store.close().catch(() => undefined);
        status.reachable = true;
      } catch (error) {
        status.reachable = false;
        status.unreachable = redactUrl((error as Error).message || String((error as { code?: string }).code ?? error));
      }
    }
    return status;
  } finally {
    if (typeof local === 'string') registry.close();
  }
}
