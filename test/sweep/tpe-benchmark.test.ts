// TPE finds better values than random search on known objectives with the same budget (60 trials, 10 seeds).
import { describe, expect, it } from 'vitest';
import { choice, defineSpace, logUniform, randomSampler, tpeSampler, uniform, type Params, type Sampler, type SearchSpace, type Trial } from '../../kernel-lib/src/sweep';

function bestAfter(sampler: Sampler, space: SearchSpace, f: (p: Params) => number, seed: number, budget: number): number {
  const trials: Trial[] = [];
  for (let number = 0; number < budget; number++) {
    const params = sampler.propose({ space, seed, number, trials, direction: 'minimize' })!;
    trials.push({ number, params, state: 'complete', value: f(params), intermediate: [] });
  }
  return Math.min(...trials.map((t) => t.value as number));
}

function meanBest(sampler: Sampler, space: SearchSpace, f: (p: Params) => number): number {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  return seeds.reduce((s, seed) => s + bestAfter(sampler, space, f, seed, 60), 0) / seeds.length;
}

const quadratic = {
  space: defineSpace({ x: uniform(-10, 10), y: uniform(-10, 10), z: uniform(-10, 10) }),
  f: (p: Params) => ((p.x as number) - 1.3) ** 2 + ((p.y as number) + 0.7) ** 2 + ((p.z as number) - 2.1) ** 2,
};
const offsets: { [k: string]: number } = { sgd: 3, adam: 0, rmsprop: 1.5 };
const mixed = {
  space: defineSpace({ 'opt.name': choice(['sgd', 'adam', 'rmsprop']), 'opt.lr': logUniform(1e-6, 1), 'model.dropout': uniform(0, 1) }),
  f: (p: Params) => offsets[p['opt.name'] as string] + (Math.log10(p['opt.lr'] as number) + 3) ** 2 + 4 * ((p['model.dropout'] as number) - 0.2) ** 2,
};

describe('TPE against random search (mean best of 60 trials over 10 seeds; printed, not timed)', () => {
  it.each([
    ['a shifted quadratic in 3 dims', quadratic],
    ['a choice, a log-uniform and a uniform param', mixed],
  ] as const)('%s', (_name, { space, f }) => {
    const tpe = meanBest(tpeSampler(), space, f);
    const random = meanBest(randomSampler(), space, f);
    console.log(`${_name}: TPE ${tpe.toFixed(4)}, random ${random.toFixed(4)}`);
    // Every draw is seeded, so this cannot flake; the margin is wide so that an honest change to either
    // sampler keeps it (over 200 seeds: quadratic TPE ~1.7, random ~9.1; here 1.5 and 6.0, mixed 0.005 and 0.26).
    expect(tpe).toBeLessThan(random / 2);
  });
});
