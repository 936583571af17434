/** labbook's public surface: the curated list of what notebooks, experiments and tools may use. */

// Errors: one class, with a code.
export { LabbookError, type LabbookErrorCode } from './errors';

// The run registry.
export { openRegistry, Registry, Run, SCHEMA_VERSION } from './registry';
export type {
  ArtifactRecord,
  CheckpointRecord,
  Config,
  DatasetRecord,
  EndStatus,
  Json,
  LatestMetric,
  OpenRegistryOptions,
  RunRecord,
  RunStatus,
  StartRunOptions,
} from './registry';

// Queries and comparison.
export { diffRuns, metricHistories, runsFrame, runsTable, searchRuns } from './query';
export type { MetricHistories, MetricSeries, RunDiff, RunSource, RunSummary, RunsTable, SearchOptions } from './query';

// Reproducibility.
export {
  canonicalJson,
  captureEnvironment,
  checkSeed,
  createRng,
  drawSeed,
  hashFiles,
  loadModelCheckpoint,
  parseCheckpoint,
  registerEnvProvider,
  restoreWeights,
  saveModelCheckpoint,
  serializeWeights,
  sha256,
} from './repro';
export type { Environment, ParsedCheckpoint, Rng } from './repro';
