/**
 * Metric histories out of SQLite, thinned to `points` (thin.ts's algorithm, the same points) without
 * making every row a JS value, which cost ~1 s for 100 runs x 5 metrics x 1,000 steps here:
 * - a dense series (steps 0, 1, 2, ... as `log()` numbers them by default) needs only its values:
 *   read as one flat list, thinned by keptIndices, then the kept points' times looked up (~120 ms);
 * - any other is bucketed by SQL's GROUP BY with min()/max() (~250 ms for the same).
 * A series thinned once is kept (ThinnedCache) until its run logs another point.
 */
import { IN_LIST, jsonList } from '../query/batch';
import type { Db } from '../registry/database';
import type { RunSeries } from './source';
import { bucketWidth, keptIndices } from './thin';

type Point = [step: number, value: number | null, time: number];

/**
 * Thinned series kept between requests, up to `maxPoints` points in all, least recently used out
 * first. A history only grows: steps increase per key, rows are never updated, and run ids are
 * never reused (AUTOINCREMENT), so a series is the same while its count and last step are.
 */
export class ThinnedCache {
  private readonly entries = new Map<string, { count: number; lastStep: number; series: RunSeries }>();
  private points = 0;

  constructor(private readonly maxPoints = 500_000) {}

  /** The series thinned to `points` while the run had logged `count` points up to `lastStep`; with times if `times`. */
  get(runId: number, key: string, points: number, count: number, lastStep: number, times: boolean): RunSeries | undefined {
    const id = JSON.stringify([runId, key, points]);
    const hit = this.entries.get(id);
    if (hit === undefined) return undefined;
    this.entries.delete(id);
    if (hit.count !== count || hit.lastStep !== lastStep || (times && hit.series.times === undefined)) {
      this.points -= hit.series.steps.length;
      return undefined;
    }
    this.entries.set(id, hit); // now the most recently used
    return hit.series;
  }

  set(series: RunSeries, points: number, lastStep: number): void {
    const id = JSON.stringify([series.runId, series.key, points]);
    const old = this.entries.get(id);
    if (old !== undefined) this.points -= old.series.steps.length;
    this.entries.delete(id);
    this.entries.set(id, { count: series.total, lastStep, series });
    this.points += series.steps.length;
    for (const [oldest, entry] of this.entries) {
      if (this.points <= this.maxPoints) break;
      this.entries.delete(oldest);
      this.points -= entry.series.steps.length;
    }
  }
}

let identity = new Int32Array(0);
const SHARED_STEPS = 1 << 20;

/** 0, 1, ..., count - 1, as steps: a view of one shared array (up to 4 MB), not a list of steps per series. */
function stepsUpTo(count: number): Int32Array {
  if (count > SHARED_STEPS) return Int32Array.from({ length: count }, (_, i) => i);
  if (identity.length < count) identity = Int32Array.from({ length: Math.min(SHARED_STEPS, Math.max(count, 2 * identity.length)) }, (_, i) => i);
  return identity.subarray(0, count);
}

/** Series come back shared with `cache`: callers read them, never change them. Times are left out unless `times`, when that saves reading them. */
export function thinnedSeries(db: Db, ids: readonly number[], keys: readonly string[] | undefined, points: number, options: { times: boolean; cache?: ThinnedCache }): RunSeries[] {
  const { times: withTimes, cache } = options;
  const byKey = keys === undefined ? '' : ` AND key ${IN_LIST}`;
  const list = db
    .prepare(`SELECT run_id, key, step, count FROM metrics_latest WHERE run_id ${IN_LIST}${byKey} ORDER BY run_id, key`)
    .raw()
    .all(...(keys === undefined ? [jsonList(ids)] : [jsonList(ids), jsonList(keys)])) as [number, string, number, number][];
  const where = 'FROM metrics WHERE run_id = ? AND key = ?';
  const whole = db.prepare(`SELECT step, value, time ${where} ORDER BY step`).raw();
  // better-sqlite3 binds numbers as REAL: the width is cast so that step / width divides as integers.
  // A single min() or max() makes SQLite take the bare columns from the row holding it: the first such row in step order.
  // Every null (a NaN logged) is a group of its own here, so this one scan keeps them too.
  const lows = db.prepare(`SELECT step, min(value), time ${where} GROUP BY CASE WHEN value IS NULL THEN -1 - step ELSE step / CAST(? AS INTEGER) END`).raw();
  const highs = db.prepare(`SELECT step, max(value), time ${where} AND value IS NOT NULL GROUP BY step / CAST(? AS INTEGER)`).raw();
  const ends = db.prepare(`SELECT step, value, time FROM (SELECT step, value, time ${where} ORDER BY step LIMIT 1) UNION SELECT step, value, time FROM (SELECT step, value, time ${where} ORDER BY step DESC LIMIT 1)`).raw();
  const values = db.prepare(`SELECT value ${where} ORDER BY step`).pluck();
  const timesAt = db.prepare(`SELECT time ${where} AND step IN (SELECT value FROM json_each(?)) ORDER BY step`).pluck();
  const fromRows = (runId: number, key: string, count: number, rows: Point[]): RunSeries => ({ runId, key, steps: rows.map((r) => r[0]), values: rows.map((r) => r[1]), times: rows.map((r) => r[2]), total: count });
  const thin = (runId: number, key: string, lastStep: number, count: number): RunSeries => {
    if (count <= points) return fromRows(runId, key, count, whole.all(runId, key) as Point[]);
    const [first, last] = (ends.all(runId, key, runId, key) as Point[]).sort((a, b) => a[0] - b[0]);
    if (first[0] === 0 && last[0] === count - 1) {
      // Distinct integer steps from 0 to count - 1 (the primary key): step i is the i-th row.
      const all = values.all(runId, key) as (number | null)[];
      const kept = keptIndices(stepsUpTo(count), all, points);
      const times = withTimes ? (timesAt.all(runId, key, JSON.stringify(kept)) as number[]) : undefined;
      return { runId, key, steps: kept, values: kept.map((i) => all[i]), times, total: count };
    }
    const width = bucketWidth(lastStep, points);
    const kept = new Map<number, Point>();
    for (const statement of [lows, highs]) for (const row of statement.all(runId, key, width) as Point[]) kept.set(row[0], row);
    for (const row of [first, last]) kept.set(row[0], row);
    return fromRows(runId, key, count, [...kept.values()].sort((a, b) => a[0] - b[0]));
  };
  return list.map(([runId, key, lastStep, count]) => {
    const cached = cache?.get(runId, key, points, count, lastStep, withTimes);
    if (cached !== undefined) return cached;
    const series = thin(runId, key, lastStep, count);
    cache?.set(series, points, lastStep);
    return series;
  });
}
