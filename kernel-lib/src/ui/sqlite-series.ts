/**
 * Metric histories out of SQLite, thinned inside it: a series longer than `points` is bucketed by
 * SQL's GROUP BY with min()/max() (thin.ts's algorithm, the same points), so only the points kept
 * cross into JavaScript. 100 runs x 5 metrics x 1,000 steps read whole took ~1 s here, nearly all
 * of it in making half a million rows into JS values; the scan itself takes ~50 ms.
 */
import { IN_LIST, jsonList } from '../query/batch';
import type { Db } from '../registry/database';
import type { RunSeries } from './source';
import { bucketWidth } from './thin';

type Point = [step: number, value: number | null, time: number];

export function thinnedSeries(db: Db, ids: readonly number[], keys: readonly string[] | undefined, points: number): RunSeries[] {
  const byKey = keys === undefined ? '' : ` AND key ${IN_LIST}`;
  const list = db
    .prepare(`SELECT run_id, key, step, count FROM metrics_latest WHERE run_id ${IN_LIST}${byKey} ORDER BY run_id, key`)
    .raw()
    .all(...(keys === undefined ? [jsonList(ids)] : [jsonList(ids), jsonList(keys)])) as [number, string, number, number][];
  const where = 'FROM metrics WHERE run_id = ? AND key = ?';
  const whole = db.prepare(`SELECT step, value, time ${where} ORDER BY step`).raw();
  // better-sqlite3 binds numbers as REAL: the width is cast so that step / width divides as integers.
  // A single min() or max() makes SQLite take the bare columns from the row holding it: the first such row in step order.
  const lows = db.prepare(`SELECT step, min(value), time ${where} AND value IS NOT NULL GROUP BY step / CAST(? AS INTEGER)`).raw();
  const highs = db.prepare(`SELECT step, max(value), time ${where} AND value IS NOT NULL GROUP BY step / CAST(? AS INTEGER)`).raw();
  const ends = db.prepare(`SELECT step, value, time FROM (SELECT step, value, time ${where} ORDER BY step LIMIT 1) UNION SELECT step, value, time FROM (SELECT step, value, time ${where} ORDER BY step DESC LIMIT 1)`).raw();
  const nulls = db.prepare(`SELECT step, value, time ${where} AND value IS NULL`).raw();
  return list.map(([runId, key, lastStep, count]) => {
    let rows: Point[];
    if (count <= points) rows = whole.all(runId, key) as Point[];
    else {
      const width = bucketWidth(lastStep, points);
      const kept = new Map<number, Point>();
      for (const statement of [lows, highs]) for (const row of statement.all(runId, key, width) as Point[]) kept.set(row[0], row);
      for (const row of [...(ends.all(runId, key, runId, key) as Point[]), ...(nulls.all(runId, key) as Point[])]) kept.set(row[0], row);
      rows = [...kept.values()].sort((a, b) => a[0] - b[0]);
    }
    return { runId, key, steps: rows.map((r) => r[0]), values: rows.map((r) => r[1]), times: rows.map((r) => r[2]), total: count };
  });
}
