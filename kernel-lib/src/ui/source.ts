/** What the UI reads, whichever store holds the runs: the local SQLite registry or the PostgreSQL team store. */
import type { SearchOptions } from '../query/search';
import type { RunRecord } from '../registry/types';
import type { CompareSeries, ModelDetail, ModelItem, RunItem, SweepDetail, SweepItem } from './api';

/** One metric's points as stored, before thinning. */
export interface RawSeries {
  runId: number;
  key: string;
  steps: number[];
  values: (number | null)[];
  times: number[];
}

/** A run's thinned series; `times` may be left out when the caller did not ask for them. */
export type RunSeries = CompareSeries & { runId: number };

export interface UiSource {
  readonly kind: 'sqlite' | 'postgres';
  /** The registry file, or the team store's URL without its password. */
  readonly location: string;
  /** Whether this store has a model registry (the team store has none). */
  readonly models: boolean;
  runs(options: SearchOptions): Promise<RunItem[]>;
  run(id: number): Promise<RunRecord>;
  /**
   * Histories of `keys` (undefined: every key) of runs `ids`, by run and key, each thinned to `points`
   * as thinSeries does; with each point's time when `times` (a store may skip reading them otherwise).
   */
  series(ids: readonly number[], keys: readonly string[] | undefined, points: number, times: boolean): Promise<RunSeries[]>;
  /** An artifact's bytes, verified against its recorded SHA-256. */
  artifact(id: number, name: string): Promise<{ mediaType: string; sha256: string; bytes: Uint8Array }>;
  sweeps(): Promise<SweepItem[]>;
  sweep(id: number): Promise<SweepDetail>;
  modelList(): Promise<ModelItem[]>;
  model(name: string): Promise<ModelDetail>;
  /** A shell command that re-runs `run` and checks its checkpoint, for the run page to copy. */
  reproduceCommand(run: RunRecord): Promise<string>;
  /** A token that changes whenever a run starts, logs, ends or changes (polled for server-sent events). */
  version(): Promise<string>;
  close(): Promise<void>;
}

/** A word for a POSIX shell: quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Groups (run, key, step, value, time) rows, sorted by run, key, step, into one series each. */
export function groupSeries(rows: Iterable<readonly [number, string, number, number | null, number]>): RawSeries[] {
  const out: RawSeries[] = [];
  let current: RawSeries | undefined;
  for (const [runId, key, step, value, time] of rows) {
    if (!current || current.runId !== runId || current.key !== key) out.push((current = { runId, key, steps: [], values: [], times: [] }));
    current.steps.push(step);
    current.values.push(value);
    current.times.push(Number(time));
  }
  return out;
}
