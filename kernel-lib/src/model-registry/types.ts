/** Plain data shapes the model registry hands out; no behaviour, no TensorFlow.js. */
import type { Config, Json } from '../registry/types';

/** One version of a named model: a run's logged model package, with the hashes it had at registration. */
export interface ModelVersion {
  name: string;
  version: number;
  runId: number;
  /** Which weights of the package: the end of training, or the best epoch train() kept. */
  checkpoint: 'final' | 'best';
  /** SHA-256 of the run's "model" artifact at registration; loading refuses a package changed since. */
  artifactSha256: string;
  /** SHA-256 of the checkpoint those weights are. */
  weightsSha256: string;
  note: string | null;
  createdAt: number;
  /** Aliases pointing at this version, sorted. */
  aliases: string[];
}

/** Where a version came from, read from its run: what `labbook models show` prints. */
export interface ModelLineage {
  runId: number;
  experiment: string;
  runName: string | null;
  status: string;
  seed: number;
  config: Config;
  /** The data the run trained on, by fingerprint. */
  datasets: { name: string; sha256: string; rows: number; columns: number; source: string | null }[];
  codeHash: string | null;
  /** The environment's main lines (labbook, node, tfjs, os, backend, git when recorded); the run has all of it. */
  environment: { [key: string]: Json };
  /** The latest value of each metric the run logged. */
  metrics: { [key: string]: number | null };
  checkpointSha256: string;
}

export interface ModelVersionDetail extends ModelVersion {
  lineage: ModelLineage;
}

export interface ModelSummary {
  name: string;
  description: string | null;
  createdAt: number;
  /** How many versions it has now, and the highest one (null: none left). */
  versions: number;
  latestVersion: number | null;
  aliases: { [alias: string]: number };
}

export interface ModelRecord {
  name: string;
  description: string | null;
  createdAt: number;
  versions: ModelVersion[];
  aliases: { [alias: string]: number };
}

/** One change of an alias: set (fromVersion null), moved, or deleted (toVersion null). */
export interface AliasEvent {
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  /** user@host of the process that changed it. */
  who: string;
  at: number;
}
