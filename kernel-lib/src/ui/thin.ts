/**
 * Thinning a long metric history for a chart: steps fall into buckets of equal width, and each
 * bucket keeps its lowest and highest value (a spike survives), plus the first and last points and
 * every null (a NaN logged: the gap it draws is information). The SQLite store gets the same
 * points without reading whole rows into JavaScript (sqlite-series.ts).
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

/**
 * The indices thinSeries keeps, in order: the first and last, every null, and in each bucket the
 * first index holding its minimum and the first holding its maximum (SQL's min()/max() keep the
 * first too). Steps increase (the registry refuses any other order), so one pass sees each bucket whole.
 */
export function keptIndices(steps: ArrayLike<number>, values: ArrayLike<number | null>, points: number): number[] {
  const total = steps.length;
  const width = bucketWidth(steps[total - 1], points);
  const keep = [0, total - 1];
  let bucket = -1;
  let lo = -1;
  let hi = -1;
  const close = () => lo >= 0 && keep.push(lo, hi);
  for (let i = 0; i < total; i++) {
    const v = values[i];
    if (v === null) {
      keep.push(i);
      continue;
    }
    const b = Math.trunc(steps[i] / width);
    if (b !== bucket) {
      close();
      [bucket, lo, hi] = [b, i, i];
    } else if (v < values[lo]!) lo = i;
    else if (v > values[hi]!) hi = i;
  }
  close();
  keep.sort((a, b) => a - b);
  return keep.filter((index, k) => k === 0 || index !== keep[k - 1]);
}

export function thinSeries(raw: RawSeries, points: number): Series {
  const total = raw.steps.length;
  if (total <= points) return { key: raw.key, steps: raw.steps, values: raw.values, times: raw.times, total };
  const kept = keptIndices(raw.steps, raw.values, points);
  return { key: raw.key, steps: kept.map((i) => raw.steps[i]), values: kept.map((i) => raw.values[i]), times: kept.map((i) => raw.times[i]), total };
}
