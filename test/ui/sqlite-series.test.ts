/**
 * Metric histories thinned in a real SQLite registry: the points thinSeries keeps from the whole
 * history, whether the steps are 0, 1, 2, ... (values read alone) or not (bucketed in SQL); and
 * kept between requests (ThinnedCache): the same answer, thinned again once the run logs more,
 * within a bounded number of points.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openRegistry, type Registry, type Run } from '../../kernel-lib/src/registry';
import { ThinnedCache, thinnedSeries } from '../../kernel-lib/src/ui/sqlite-series';
import { createRng } from '../../kernel-lib/src/repro/rng';
import { bucketWidth, keptIndices, thinSeries } from '../../kernel-lib/src/ui/thin';
import { tempDb } from '../helpers';

let registry: Registry | undefined;

afterEach(() => registry?.close());

function withRun(points: number): { registry: Registry; id: number; run: Run; log: (from: number, to: number) => void; end: () => void } {
  registry = openRegistry({ db: tempDb(), create: true });
  const run = registry.startRun({ experiment: 'cache', config: {}, seed: 1 });
  const log = (from: number, to: number) => {
    for (let step = from; step < to; step++) run.log({ loss: step % 97 === 3 ? NaN : 1 / (step + 1) + (step % 13) / 100, acc: step / to }, step);
    registry!.flushOpen();
  };
  log(0, points);
  return { registry, id: run.id, run, log, end: () => run.end() };
}

/** thin.ts's rule written plainly: per bucket the first index of the minimum and of the maximum, both ends, every null. */
function reference(steps: number[], values: (number | null)[], points: number): number[] {
  const width = bucketWidth(steps[steps.length - 1], points);
  const keep = new Set([0, steps.length - 1]);
  const buckets = new Map<number, { lo: number; hi: number }>();
  values.forEach((v, i) => {
    if (v === null) return keep.add(i);
    const b = Math.floor(steps[i] / width);
    const seen = buckets.get(b);
    if (!seen) return buckets.set(b, { lo: i, hi: i });
    if (v < values[seen.lo]!) seen.lo = i;
    if (v > values[seen.hi]!) seen.hi = i;
  });
  for (const { lo, hi } of buckets.values()) keep.add(lo).add(hi);
  return [...keep].sort((a, b) => a - b);
}

describe('keptIndices', () => {
  it('keeps what the plain rule keeps, over random histories with gaps, ties and nulls', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const steps: number[] = [];
      for (let step = Math.floor(rng.next() * 3); steps.length < 20 + trial * 5; step += 1 + Math.floor(rng.next() * (trial % 4 === 0 ? 1 : 4))) steps.push(step);
      const values = steps.map(() => (rng.next() < 0.03 ? null : Math.round(rng.next() * 20) / 4));
      const points = 2 + Math.floor(rng.next() * steps.length);
      expect(keptIndices(steps, values, points), `trial ${trial}`).toEqual(reference(steps, values, points));
    }
  });
});

describe('thinnedSeries', () => {
  it('keeps the points thinSeries keeps from the whole history, dense steps or not, NaNs and ties included', () => {
    const { registry, id, run } = withRun(3000);
    // Every 5th step from 2: `sparse`'s steps are not 0, 1, 2, ...; `ties` repeats values within buckets.
    for (let step = 2; step < 3000; step += 5) run.log({ sparse: step % 500 === 2 ? NaN : Math.cos(step / 40), ties: Math.floor(step / 400) }, step);
    run.end();
    for (const points of [2, 3, 10, 100, 599, 600, 601, 5000]) {
      for (const series of thinnedSeries(registry.db, [id], undefined, points, { times: true })) {
        const history = registry.metricHistory(id, series.key);
        const raw = { runId: id, key: series.key, steps: history.map((p) => p.step), values: history.map((p) => p.value), times: history.map((p) => p.time) };
        expect({ ...series, runId: undefined }, `${series.key} at ${points} points`).toEqual({ ...thinSeries(raw, points), runId: undefined });
      }
    }
  });
});

describe('ThinnedCache', () => {
  it('serves what thinning afresh gives, the same objects on a second read', () => {
    const { registry, id } = withRun(3000);
    const cache = new ThinnedCache();
    const first = thinnedSeries(registry.db, [id], undefined, 100, { times: true, cache });
    expect(first.map((s) => [s.key, s.total])).toEqual([['acc', 3000], ['loss', 3000]]);
    expect(first).toEqual(thinnedSeries(registry.db, [id], undefined, 100, { times: true }));
    const second = thinnedSeries(registry.db, [id], undefined, 100, { times: true, cache });
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    // Another point budget is another entry.
    expect(thinnedSeries(registry.db, [id], ['loss'], 50, { times: true, cache })[0]).not.toBe(first[1]);
  });

  it('leaves the times out unless asked, and a series kept without them does not answer a request for them', () => {
    const { registry, id } = withRun(3000);
    const cache = new ThinnedCache();
    const [bare] = thinnedSeries(registry.db, [id], ['loss'], 100, { times: false, cache });
    expect(bare.times).toBeUndefined();
    const [timed] = thinnedSeries(registry.db, [id], ['loss'], 100, { times: true, cache });
    expect(timed.times).toHaveLength(timed.steps.length);
    expect({ ...timed, times: undefined }).toEqual(bare);
    // Kept with times, it answers both.
    expect(thinnedSeries(registry.db, [id], ['loss'], 100, { times: false, cache })[0]).toBe(timed);
  });

  it('thins a series again once its run has logged more points', () => {
    const { registry, id, log, end } = withRun(2000);
    const cache = new ThinnedCache();
    const before = thinnedSeries(registry.db, [id], ['loss'], 100, { times: true, cache })[0];
    log(2000, 2500);
    const after = thinnedSeries(registry.db, [id], ['loss'], 100, { times: true, cache })[0];
    expect(after.total).toBe(2500);
    expect(after.steps.at(-1)).toBe(2499);
    expect(after).toEqual(thinnedSeries(registry.db, [id], ['loss'], 100, { times: true })[0]);
    expect(after).not.toEqual(before);
    end();
  });

  it('holds at most its budget of points, the least recently read leaving first', () => {
    const { registry, id } = withRun(1000);
    // ~100 points a series: room for one of the two.
    const cache = new ThinnedCache(150);
    const [acc] = thinnedSeries(registry.db, [id], ['acc'], 100, { times: true, cache });
    const [loss] = thinnedSeries(registry.db, [id], ['loss'], 100, { times: true, cache });
    expect(thinnedSeries(registry.db, [id], ['loss'], 100, { times: true, cache })[0]).toBe(loss);
    expect(thinnedSeries(registry.db, [id], ['acc'], 100, { times: true, cache })[0]).not.toBe(acc);
  });
});
