// The leaderboard, the best trial and parameter importance of a sweep's trials.
import { describe, expect, it } from 'vitest';
import { bestTrial, leaderboard, paramImportance, whyNoBestTrial } from '../../kernel-lib/src/sweep/analysis';
import { choice, int, logUniform, uniform, type SearchSpace } from '../../kernel-lib/src/sweep/space';
import type { Trial, TrialState } from '../../kernel-lib/src/sweep/trial';

const trial = (number: number, state: TrialState, value: number | null, intermediate: [number, number][] = [], params = { x: number }): Trial => ({
  number,
  state,
  value,
  params,
  intermediate: intermediate.map(([step, v]) => ({ step, value: v })),
});

// Deliberately out of order, with ties among complete and among pruned trials.
const trials: Trial[] = [
  trial(5, 'pruned', null, [[0, 0.9], [1, 0.7]]),
  trial(3, 'complete', 0.5, [[0, 0.8]]),
  trial(7, 'running', null, [[0, 0.1]]),
  trial(1, 'complete', 0.2),
  trial(6, 'failed', null),
  trial(4, 'complete', 0.2),
  trial(2, 'pruned', null, [[0, 0.6], [3, 0.7]]),
  trial(8, 'pruned', null, [[0, 0.4]]),
  trial(0, 'complete', 0.9),
  trial(9, 'pruned', null),
];

describe('leaderboard', () => {
  it('ranks complete trials by value, then pruned ones by their last report, then lists failed and running ones unranked', () => {
    const rows = leaderboard(trials, 'minimize');
    expect(rows.map((r) => [r.rank, r.number, r.state])).toEqual([
      [1, 1, 'complete'],
      [2, 4, 'complete'], // ties with trial 1: the lower number first
      [3, 3, 'complete'],
      [4, 0, 'complete'],
      [5, 8, 'pruned'], // 0.4 at step 0
      [6, 2, 'pruned'], // 0.7 at step 3, ties with trial 5
      [7, 5, 'pruned'],
      [8, 9, 'pruned'], // reported nothing
      [null, 6, 'failed'],
      [null, 7, 'running'],
    ]);
    expect(rows[5]).toMatchObject({ value: 0.7, step: 3, params: { x: 2 } });
    expect(rows[0]).toMatchObject({ value: 0.2, step: null });
  });

  it('reverses the ranking when maximizing, still breaking ties by trial number', () => {
    const rows = leaderboard(trials, 'maximize');
    expect(rows.map((r) => r.number)).toEqual([0, 3, 1, 4, 2, 5, 8, 9, 6, 7]);
  });

  it('is the same whatever order the trials come in', () => {
    const reversed = [...trials].reverse();
    expect(leaderboard(reversed, 'minimize')).toEqual(leaderboard(trials, 'minimize'));
  });

  it('keeps the first `limit` rows and rejects a bad limit or direction', () => {
    expect(leaderboard(trials, 'minimize', { limit: 3 }).map((r) => r.number)).toEqual([1, 4, 3]);
    expect(() => leaderboard(trials, 'minimize', { limit: 0 })).toThrow(/`limit`: expected a positive integer, received 0/);
    expect(() => leaderboard(trials, 'min' as never)).toThrow(/`direction`: expected "minimize" or "maximize", received "min"/);
  });
});

describe('bestTrial', () => {
  it('is the complete trial with the lowest value when minimizing (the lower number among equals)', () => {
    expect(bestTrial(trials, 'minimize')?.number).toBe(1);
    expect(whyNoBestTrial(trials)).toBeNull();
  });

  it('is the complete trial with the highest value when maximizing, never a pruned or running one', () => {
    const withBetterPruned = [...trials, trial(10, 'pruned', null, [[0, 5]]), trial(11, 'running', 7)];
    expect(bestTrial(withBetterPruned, 'maximize')?.number).toBe(0);
  });

  it('is null, with the reason, when no trial has completed', () => {
    const none = trials.filter((t) => t.state !== 'complete');
    expect(bestTrial(none, 'minimize')).toBeNull();
    expect(whyNoBestTrial(none)).toBe('No best trial: no trial has completed with a finite value (1 failed, 4 pruned, 1 running).');
    expect(whyNoBestTrial([])).toBe('No best trial: the sweep has no trials yet.');
  });
});

// A small deterministic generator, so the synthetic sweep is the same on every run.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('paramImportance', () => {
  const space: SearchSpace = {
    lr: logUniform(1e-5, 1e-1),
    layers: int(1, 6),
    act: choice(['relu', 'tanh', 'gelu']),
    noise: uniform(0, 1),
    momentum: uniform(0, 0.99, { when: { param: 'act', values: ['tanh'] } }),
  };
  const rand = lcg(42);
  const synthetic: Trial[] = Array.from({ length: 120 }, (_, number) => {
    const lr = Math.exp(Math.log(1e-5) + rand() * Math.log(1e4));
    const act = ['relu', 'tanh', 'gelu'][Math.floor(rand() * 3)];
    const params = { lr, layers: 1 + Math.floor(rand() * 6), act, noise: rand(), ...(act === 'tanh' ? { momentum: rand() * 0.99 } : {}) };
    // Only lr matters: the loss is lowest at lr = 1e-3.
    return { number, state: 'complete' as const, value: (Math.log10(lr) + 3) ** 2, params, intermediate: [] };
  });

  it('sums to 1 over the space\'s params and gives the param that decides the value most of it', () => {
    const importance = paramImportance(space, synthetic, 'minimize');
    expect(Object.keys(importance)).toEqual(Object.keys(space));
    expect(Object.values(importance).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(importance.lr).toBeGreaterThan(0.8);
    for (const p of ['layers', 'act', 'noise', 'momentum']) expect(importance[p], p).toBeLessThan(0.1);
  });

  it('follows the direction: maximizing the same values makes lr matter for the worst region instead', () => {
    const max = paramImportance(space, synthetic, 'maximize');
    expect(max.lr).toBeGreaterThan(0.5);
    expect(max).not.toEqual(paramImportance(space, synthetic, 'minimize'));
  });

  it('counts a conditional param only where it is active', () => {
    // The value now depends only on momentum, which only tanh trials have.
    const byMomentum = synthetic.map((t) => ({ ...t, value: t.params.act === 'tanh' ? Math.abs((t.params.momentum as number) - 0.5) : 1 }));
    const importance = paramImportance(space, byMomentum, 'minimize');
    expect(importance.momentum).toBeGreaterThan(importance.lr);
    expect(importance.momentum + importance.act).toBeGreaterThan(0.8);
  });

  it('splits equally when there is too little to tell (fewer than two complete trials)', () => {
    expect(paramImportance(space, synthetic.slice(0, 1), 'minimize')).toEqual({ lr: 0.2, layers: 0.2, act: 0.2, noise: 0.2, momentum: 0.2 });
  });
});
