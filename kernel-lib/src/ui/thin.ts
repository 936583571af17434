/**
 * Thinning a long metric history for a chart: steps fall into buckets of equal width, and each
 * bucket keeps its lowest and highest value (a spike survives), plus the first and last points and
 * every null (a NaN logged: the gap it draws is information). The SQLite store computes the same
 * buckets in SQL (sqlite-source.ts), so half a million points never cross into JavaScript.
 */
import type { Series } from './api';
import type { RawSeries } from './source';

/** How many buckets `points` allows: two points each, plus both ends. */
export function bucketCount(points: number): number {
  return Math.max(1, Math.floor((points - 2) / 2));
}

/** The width in steps of a series' buckets, from its last step (steps count from 0). */
export function bucketWidth(lastStep: number, points: number): number {
  return Math.max(1, Math.ceil((lastStep + 1) / bucketCount(points)));
}

export function thinSeries(raw: RawSeries, points: number): Series {
  const total = raw.steps.length;
  if (total <= points) return { key: raw.key, steps: raw.steps, values: raw.values, times: raw.times, total };
  const width = bucketWidth(raw.steps[total - 1], points);
  const keep = new Set<number>([0, total - 1]);
  // Per bucket, the first index holding its minimum and its maximum (SQL's min()/max() keep the first too).
  const lows = new Map<number, number>();
  const highs = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    const v = raw.values[i];
    if (v === null) {
      keep.add(i);
      continue;
    }
    const bucket = Math.trunc(raw.steps[i] / width);
    const lo = lows.get(bucket);
    if (lo === undefined || v < raw.values[lo]!) lows.set(bucket, i);
    const hi = highs.get(bucket);
    if (hi === undefined || v > raw.values[hi]!) highs.set(bucket, i);
  }
  for (const i of lows.values()) keep.add(i);
  for (const i of highs.values()) keep.add(i);
  const order = [...keep].sort((a, b) => a - b);
  return { key: raw.key, steps: order.map((i) => raw.steps[i]), values: order.map((i) => raw.values[i]), times: order.map((i) => raw.times[i]), total };
}
