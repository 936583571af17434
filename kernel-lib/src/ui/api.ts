/**
 * The JSON shapes of `labbook ui`'s read-only API (GET /api/...): types only, so the browser app
 * imports the same definitions the server is checked against. README "Web UI" documents the routes.
 */
import type { ModelSummary, ModelVersion } from '../model-registry/types';
import type { RunDiff } from '../query/diff';
import type { RunSummary } from '../query/search';
import type { ArtifactRecord, CheckpointRecord, Config, DatasetRecord, Json, LatestMetric, RunRecord, RunStatus } from '../registry/types';

export type { ArtifactRecord, CheckpointRecord, Config, DatasetRecord, Json, LatestMetric, RunDiff, RunStatus };

/** GET /api: what this server reads and the routes it answers. */
export interface ApiIndex {
  name: 'labbook';
  version: string;
  store: 'sqlite' | 'postgres';
  /** The registry file, or the team store's URL without its password. */
  location: string;
  readOnly: true;
  /** Whether the model registry exists in this store (SQLite only). */
  models: boolean;
  routes: { path: string; query: string; returns: string }[];
}

/** One row of the runs table: `labbook runs --json`'s fields (times in ms since the epoch). */
export type RunItem = RunSummary;

/**
 * GET /api/runs?where=&sort=&experiment=&parent=&limit=&offset=: one page, filtered and sorted by
 * the same languages as `labbook runs --where/--sort`. `more` is true when a next page exists.
 */
export interface RunsPage {
  runs: RunItem[];
  offset: number;
  limit: number;
  more: boolean;
}

/** Where the run's code came from: the notebook, its cells' hash, git. */
export interface Provenance {
  notebook: { path: string | null; cellsSha256: string; executed?: { cells: number; sha256: string; notInFile: number } } | null;
  git: Json;
  codeHash: string | null;
  configHash: string;
  lockfileSha256: Json;
}

/** GET /api/runs/:id: everything recorded about one run (but its pid), plus what the page needs around it. */
export interface RunDetail extends Omit<RunRecord, 'pid'> {
  provenance: Provenance;
  /** A shell command that re-runs it and checks the checkpoint, for copying. */
  reproduce: string;
  /** Set when this run is a sweep's parent (GET /api/sweeps/:id has its trials). */
  sweep: boolean;
}

/** One metric's history: parallel arrays, in step order; null where NaN was logged. */
export interface Series {
  key: string;
  steps: number[];
  values: (number | null)[];
  /** ms since the epoch. */
  times: number[];
  /** Points the run logged; more than `steps.length` when the series was thinned to `points`. */
  total: number;
}

/** GET /api/runs/:id/metrics?keys=a,b&points=N: histories, thinned to at most N points each (min/max kept). */
export interface RunMetrics {
  id: number;
  series: Series[];
}

/** A series of GET /api/compare: without `times` when asked `times=0` (a third of the bytes, for charts by step). */
export type CompareSeries = Omit<Series, 'times'> & { times?: number[] };

/**
 * GET /api/compare?ids=1,2,3&keys=&points=N&times=0: 2 to 100 runs side by side, in the order asked.
 * `diff` is `labbook diff --all`'s (every entry, one value per run); `differs` names the entries
 * whose values are not all equal (`config.lr`, `env.node`, `datasets.train`, `seed`, `codeHash`),
 * which the page shows by default.
 */
export interface Compare {
  runs: RunItem[];
  diff: RunDiff;
  differs: string[];
  /** By run id, the runs' histories for `keys` (default: every metric key of any run), thinned to `points`. */
  series: { [id: string]: CompareSeries[] };
}

/** GET /api/sweeps: every sweep (a parent run tagged labbook.sweep=parent). */
export interface SweepItem {
  id: number;
  experiment: string;
  name: string | null;
  status: RunStatus;
  startedAt: number;
  endedAt: number | null;
  trials: number;
  /** The trial states counted: complete, pruned, failed, running... */
  states: { [state: string]: number };
  objective: { metric: string; direction: 'minimize' | 'maximize' } | null;
  best: { trial: number; run: number; value: number | null } | null;
}

export interface TrialItem {
  number: number;
  run: number;
  status: RunStatus;
  state: string;
  params: { [key: string]: Json };
  value: number | null;
  /** The step a pruner stopped it at, and why. */
  prunedStep: number | null;
  reason: string | null;
}

/** GET /api/sweeps/:id */
export interface SweepDetail {
  sweep: SweepItem;
  /** The sweep's definition as recorded (the parent run's config): space, objective, sampler, pruner. */
  definition: Json;
  trials: TrialItem[];
}

/** GET /api/models (SQLite registries; the team store has no model registry). */
export type ModelItem = ModelSummary;

export interface ModelVersionItem extends Omit<ModelVersion, 'name'> {
  /** The run it came from, for the lineage link. */
  run: { experiment: string; name: string | null; status: RunStatus; metrics: { [key: string]: number | null } } | null;
}

/** GET /api/models/:name */
export interface ModelDetail {
  name: string;
  description: string | null;
  createdAt: number;
  aliases: { [alias: string]: number };
  versions: ModelVersionItem[];
  /** Alias moves, newest first. */
  history: { alias: string; fromVersion: number | null; toVersion: number | null; who: string; at: number }[];
}

/**
 * GET /api/events (text/event-stream): `event: runs` with data {version} whenever a run starts,
 * logs, ends or changes; the table then reloads what it shows. A comment line every 15 s keeps
 * proxies from closing the stream.
 */
export interface RunsChanged {
  version: string;
}

/** Every error: status 400 (bad input), 401 (token), 404 (unknown id or route), 500. */
export interface ApiError {
  error: {
    code: string;
    message: string;
    /** 1-based column of a filter or sort mistake, for a caret under the expression. */
    position?: number;
  };
}
