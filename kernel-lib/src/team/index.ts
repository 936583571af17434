/**
 * The team registry on PostgreSQL: open it, query it as the SQLite registry is queried (the same
 * filters, summaries, records and diffs, asynchronously), push local runs to it, and run sweeps'
 * trials from its queue. `pg` loads only when a store is opened.
 */
export { openTeamStore, type TeamStore, type TeamStoreOptions } from './connect';
export { isPostgresUrl, redactUrl } from './url';
export { searchTeamRuns } from './search';
export { diffTeamRuns, getTeamMetricHistory, getTeamRun } from './read';
export { getObject, putObject } from './objects';
export { teamRoleSql, type TeamRole } from './roles';
export { syncStatus, syncToTeam, type PendingRun, type SyncOptions, type SyncResult, type SyncStatus } from './sync';
export { createTeamSweep, getTeamSweep, listTrials, runWorker, stopSweep, type RunWorkerOptions, type TeamSweep, type TrialFunction } from './queue';
