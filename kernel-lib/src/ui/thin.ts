/** Thinning a long metric history for a chart: the first and last points and each bucket's min and max, so spikes survive. */
import type { Series } from './api';
import type { RawSeries } from './source';

export function thinSeries(raw: RawSeries, points: number): Series {
  const total = raw.steps.length;
  if (total <= points) return { key: raw.key, steps: raw.steps, values: raw.values, times: raw.times, total };
  const keep = new Set<number>([0, total - 1]);
  const buckets = Math.max(1, Math.floor((points - 2) / 2));
  const size = total / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(total, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = raw.values[i];
      // A null (NaN logged) is kept too: the gap it draws is information.
      if (v === null) {
        keep.add(i);
        continue;
      }
      if (lo < 0 || v < raw.values[lo]!) lo = i;
      if (hi < 0 || v > raw.values[hi]!) hi = i;
    }
    if (lo >= 0) keep.add(lo);
    if (hi >= 0) keep.add(hi);
  }
  const order = [...keep].sort((a, b) => a - b);
  return { key: raw.key, steps: order.map((i) => raw.steps[i]), values: order.map((i) => raw.values[i]), times: order.map((i) => raw.times[i]), total };
}
