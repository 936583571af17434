/** Plain data shapes the registry hands out; no behaviour, no TensorFlow.js. */

export type RunStatus = 'running' | 'finished' | 'failed' | 'killed' | 'crashed';
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'killed', 'crashed'];

/** Any JSON value; configs are JSON objects. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Config = { [key: string]: Json };

/** The type a flattened param was stored with, so queries compare like with like. */
export type ParamType = 'number' | 'string' | 'boolean' | 'null' | 'json';

export interface LatestMetric {
  step: number;
  /** null where NaN was logged. */
  value: number | null;
  min: number | null;
  max: number | null;
  count: number;
  time: number;
}

export interface DatasetRecord {
  name: string;
  sha256: string;
  rows: number;
  columns: number;
  schema: { name: string; dtype: string }[] | null;
  source: string | null;
}

export interface CheckpointRecord {
  step: number;
  sha256: string;
  bytes: number;
  createdAt: number;
}

export interface ArtifactRecord {
  name: string;
  sha256: string;
  mediaType: string;
  bytes: number;
  createdAt: number;
}

/** One row of `runs` with its experiment name, as stored (times in ms since the epoch). */
export interface RunRow {
  id: number;
  experiment: string;
  name: string | null;
  status: RunStatus;
  seed: number;
  config: Config;
  configHash: string;
  codeHash: string | null;
  /** The id of the run this one is a child of (a sweep's trial under the sweep), or null. */
  parent: number | null;
  env: { [key: string]: Json };
  host: string;
  pid: number;
  startedAt: number;
  endedAt: number | null;
  heartbeatAt: number;
  error: string | null;
}

/** Everything recorded about a run. */
export interface RunRecord extends RunRow {
  params: { [key: string]: Json };
  metrics: { [key: string]: LatestMetric };
  tags: { [key: string]: string };
  /** Ids of the runs whose parent this run is, in id order. */
  children: number[];
  datasets: DatasetRecord[];
  checkpoints: CheckpointRecord[];
  artifacts: ArtifactRecord[];
}
