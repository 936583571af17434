/** Offline-first sync: runs recorded in a local SQLite registry, pushed to the PostgreSQL team store. */
export { syncToTeam } from './sync';
export type { SyncOptions, SyncResult } from './sync';
export { syncStatus } from './status';
export type { SyncStatus } from './status';
export type { PendingRun } from './local';
export { isPostgresUrl, redactUrl, teamKey } from './url';
