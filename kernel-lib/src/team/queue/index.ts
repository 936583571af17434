/** The distributed sweep queue on PostgreSQL (trials claimed by workers, heartbeats, re-queue) and the worker loop; no training here. */
export { claimTrial, WAIT, type Budget, type Claim, type ClaimOptions } from './claim';
export { completeTrial, heartbeat, releaseTrial, stopSweep, type TrialOutcome } from './complete';
export { isConnectionError, withRetry, type RetryOptions } from './db';
export { planFromDefinition, type Plan, type QueueDefinition } from './plan';
export { finishSweepRun, openSweepRun } from './finish';
export { createTeamSweep, getTeamSweep, listTrials, proposalOf, type CreateTeamSweepOptions, type QueueTrial, type TeamSweep } from './sweeps';
export { runWorker, type RunWorkerOptions, type TrialContext, type TrialFunction, type WorkerReport } from './worker';
