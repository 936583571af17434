/** metricHistories: many runs' metric histories on one shared step axis, ready to plot. */
import { invalidArgument } from '../errors';
import { dbOf, type RunSource } from './source';
import { checkRunIds, jsonList, IN_LIST, requireRuns } from './batch';

export interface MetricSeries {
  runId: number;
  key: string;
  /** One entry per step of `steps`: null where the run logged nothing at that step (or NaN). */
  values: (number | null)[];
}

export interface MetricHistories {
  /** The sorted union of every series' steps. */
  steps: number[];
  /** One series per run and key the run logged, runs in the order asked, keys sorted. */
  series: MetricSeries[];
  /**
   * The keys asked for, in the order asked (null: every metric, asked by leaving keys out).
   * learningCurves() draws its panels in this order. Always set by metricHistories().
   */
  keys?: string[] | null;
  /** The runs asked for, in order, with what names them in a legend. Always set by metricHistories(). */
  runs?: HistoryRun[];
}

export interface HistoryRun {
  id: number;
  name: string | null;
  experiment: string;
}

/** Histories of `keys` (default: every metric the runs logged) for `ids`, aligned by step. */
export function metricHistories(source: RunSource, ids: readonly number[], keys?: readonly string[]): MetricHistories {
  const db = dbOf(source);
  const runIds = checkRunIds('ids', ids, 1);
  if (keys !== undefined && (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))) {
    throw invalidArgument('keys', 'an array of metric names', keys);
  }
  requireRuns(db, runIds);
  const keyFilter = keys === undefined ? '' : ` AND key ${IN_LIST}`;
  const params = keys === undefined ? [jsonList(runIds)] : [jsonList(runIds), jsonList(keys)];
  // raw() rows: a long history is hundreds of thousands of rows, and arrays are cheaper than objects.
  const rows = db
    .prepare(`SELECT run_id, key, step, value FROM metrics WHERE run_id ${IN_LIST}${keyFilter} ORDER BY run_id, key, step`)
    .raw()
    .all(...params) as [number, string, number, number | null][];

  const points = new Map<string, { runId: number; key: string; steps: number[]; values: (number | null)[] }>();
  const allSteps = new Set<number>();
  for (const [runId, key, step, value] of rows) {
    const id = `${runId}\u0000${key}`;
    let series = points.get(id);
    if (!series) points.set(id, (series = { runId, key, steps: [], values: [] }));
    series.steps.push(step);
    series.values.push(value);
    allSteps.add(step);
  }
  const steps = [...allSteps].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const order = new Map(runIds.map((id, i) => [id, i]));
  const series = [...points.values()]
    .sort((a, b) => order.get(a.runId)! - order.get(b.runId)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ runId, key, steps: own, values: ownValues }) => {
      const values: (number | null)[] = new Array<number | null>(steps.length).fill(null);
      own.forEach((step, i) => (values[index.get(step)!] = ownValues[i]));
      return { runId, key, values };
    });
  const named = new Map(
    (db.prepare(`SELECT r.id, r.name, e.name AS experiment FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id ${IN_LIST}`).all(jsonList(runIds)) as HistoryRun[]).map((r) => [r.id, r]),
  );
  const runs = [...new Set(runIds)].map((id) => named.get(id)!);
  return { steps, series, keys: keys === undefined ? null : [...new Set(keys)], runs };
}
