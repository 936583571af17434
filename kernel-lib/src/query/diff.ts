/** diffRuns: what differs between two or more runs (config, env, data, code, metrics, checkpoint). */
import { invalidArgument } from '../errors';
import { canonicalJson } from '../repro/hash';
import { dbOf, type RunSource } from './source';
import { dict } from '../registry/keys';
import { readRun } from '../registry/read';
import type { Json, RunRecord } from '../registry/types';
import { checkRunIds } from './batch';

export interface DatasetFingerprint {
  sha256: string;
  rows: number;
  columns: number;
}

export interface RunDiff {
  runs: number[];
  /** Flattened config key -> its value in each run (null where a run lacks it). */
  config: { [key: string]: Json[] };
  /** Flattened environment key -> value per run. */
  env: { [key: string]: Json[] };
  /** Dataset name -> its fingerprint in each run (null where a run did not load it). */
  datasets: { [name: string]: (DatasetFingerprint | null)[] };
  /** Each run's root seed: equal configs with different seeds train differently. */
  seed: number[];
  codeHash: (string | null)[];
  /** Latest value per run, and each run's value minus the first run's (null where either is). */
  metrics: { [key: string]: { values: (number | null)[]; deltas: (number | null)[] } };
  /** True when every run has a checkpoint and their final (highest-step) ones are identical. */
  checkpointEqual: boolean;
  /** SHA-256 of each run's final checkpoint. */
  checkpoints: (string | null)[];
}

export interface DiffOptions {
  /** Keep the config, env and dataset entries that are equal in every run too. */
  all?: boolean;
}

export function diffRuns(source: RunSource, ids: readonly number[], options: DiffOptions = {}): RunDiff {
  const db = dbOf(source);
  const runIds = checkRunIds('ids', ids, 2);
  return diffRecords(runIds.map((id) => readRun(db, id)), options);
}

/** The diff of runs already read, e.g. from two registries (the notebook runner's reproducibility gate). */
export function diffRecords(records: readonly RunRecord[], options: DiffOptions = {}): RunDiff {
  if (options.all !== undefined && typeof options.all !== 'boolean') throw invalidArgument('all', 'a boolean', options.all);
  const all = options.all ?? false;

  const datasets = byKey(records, (r) => {
    const out = dict<DatasetFingerprint>();
    for (const d of r.datasets) out[d.name] = { sha256: d.sha256, rows: d.rows, columns: d.columns };
    return out;
  });
  const metrics: RunDiff['metrics'] = dict();
  for (const [key, values] of Object.entries(byKey(records, (r) => latestValues(r)))) {
    const base = values[0];
    metrics[key] = { values, deltas: values.map((v) => (v === null || base === null ? null : v - base)) };
  }
  const checkpoints = records.map((r) => finalCheckpoint(r));
  return {
    runs: records.map((r) => r.id),
    config: differing(byKey(records, (r) => r.params), all),
    env: differing(byKey(records, (r) => flatten(r.env)), all),
    datasets: differing(datasets, all),
    seed: records.map((r) => r.seed),
    codeHash: records.map((r) => r.codeHash),
    metrics,
    checkpointEqual: checkpoints.every((sha) => sha !== null && sha === checkpoints[0]),
    checkpoints,
  };
}

/**
 * Environment keys recorded for the record, not inputs of a run: which optional backends the
 * automatic selection passed over (and why), how the backend was chosen, the host's name. Runs on
 * the same backend, versions, flags, CPU and lockfile compute the same bits whatever these say,
 * so reproduce does not list them among the inputs that differ (diff still shows them).
 */
export const NOT_INPUT_ENV: readonly string[] = ['backend.skipped', 'backend.selectedBy', 'hostname'];

/** `env` (flattened keys) less the keys that are not inputs of a run. */
export function inputEnv<T>(env: { [key: string]: T }): { [key: string]: T } {
  const out = dict<T>();
  for (const [key, value] of Object.entries(env)) {
    if (!NOT_INPUT_ENV.some((k) => key === k || key.startsWith(`${k}.`))) out[key] = value;
  }
  return out;
}

/** Key -> the value in each run, over the sorted union of every run's keys. */
function byKey<T>(records: readonly RunRecord[], pick: (record: RunRecord) => { [key: string]: T }): { [key: string]: (T | null)[] } {
  const maps = records.map(pick);
  const keys = [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
  const out = dict<(T | null)[]>();
  for (const key of keys) out[key] = maps.map((m) => (Object.prototype.hasOwnProperty.call(m, key) ? m[key] : null));
  return out;
}

function differing<T>(table: { [key: string]: T[] }, all: boolean): { [key: string]: T[] } {
  if (all) return table;
  const out = dict<T[]>();
  for (const [key, values] of Object.entries(table)) {
    const first = canonicalJson(values[0]);
    if (values.some((v) => canonicalJson(v) !== first)) out[key] = values;
  }
  return out;
}

function latestValues(record: RunRecord): { [key: string]: number | null } {
  const out = dict<number | null>();
  for (const [key, latest] of Object.entries(record.metrics)) out[key] = latest.value;
  return out;
}

/** SHA-256 of a run's final (highest-step) checkpoint. */
export function finalCheckpoint(record: RunRecord): string | null {
  let best: { step: number; sha256: string } | null = null;
  for (const c of record.checkpoints) if (best === null || c.step > best.step) best = c;
  return best?.sha256 ?? null;
}

/** Nested objects to dotted keys, as configs are flattened; arrays are one value. */
function flatten(value: { [key: string]: Json }, prefix = '', out = dict<Json>()): { [key: string]: Json } {
  for (const [key, item] of Object.entries(value)) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
      flatten(item, `${prefix}${key}.`, out);
    } else {
      out[`${prefix}${key}`] = item;
    }
  }
  return out;
}
