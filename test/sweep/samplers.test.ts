// Random and TPE proposals are a function of (space, seed, trial number, trial list) alone: same inputs, same params.
import { describe, expect, it } from 'vitest';
import { choice, int, logUniform, randomSampler, tpeSampler, uniform, type Params, type Sampler, type Trial } from '../../kernel-lib/src/sweep';

const space = {
  'opt.name': choice(['sgd', 'adam']),
  'opt.momentum': uniform(0, 0.99, { when: { param: 'opt.name', values: ['sgd'] } }),
  'opt.lr': logUniform(1e-5, 1e-1),
  'model.units': int(16, 256, { step: 16 }),
  batchSize: int(8, 512, { log: true }),
};
const objective = (p: Params) => (Math.log10(p['opt.lr'] as number) + 2) ** 2 + ((p['model.units'] as number) - 128) ** 2 / 1e4 + (p['opt.name'] === 'sgd' ? 0.5 : 0);

/** A sweep of `n` trials run by one sampler, the last `running` of them still running. */
function history(sampler: Sampler, seed: number, n: number, running = 0): Trial[] {
  const trials: Trial[] = [];
  for (let number = 0; number < n; number++) {
    const params = sampler.propose({ space, seed, number, trials, direction: 'minimize' })!;
    const done = number < n - running;
    trials.push({ number, params, state: done ? 'complete' : 'running', value: done ? objective(params) : null, intermediate: [] });
  }
  return trials;
}

function checkInSpace(p: { readonly [name: string]: unknown }): void {
  expect(['sgd', 'adam']).toContain(p['opt.name']);
  expect(Object.hasOwn(p, 'opt.momentum')).toBe(p['opt.name'] === 'sgd');
  const lr = p['opt.lr'] as number, units = p['model.units'] as number, bs = p.batchSize as number;
  expect(lr >= 1e-5 && lr <= 1e-1).toBe(true);
  expect(units >= 16 && units <= 256 && units % 16 === 0).toBe(true);
  expect(Number.isInteger(bs) && bs >= 8 && bs <= 512).toBe(true);
}

describe.each([
  ['random', randomSampler],
  ['tpe', tpeSampler],
] as const)('%s sampler', (_name, make) => {
  // 25 trials: past TPE's 10 random startup trials, so its estimators are what is being checked.
  const trials = history(make(), 11, 25, 2);

  it('proposes params inside the space, conditional ones only when active', () => {
    trials.forEach((t) => checkInSpace(t.params));
  });

  it('proposes the same params for the same seed and history, from a fresh sampler and a shuffled list', () => {
    const input = { space, seed: 11, number: 25, trials, direction: 'minimize' as const };
    const first = make().propose(input);
    expect(make().propose({ ...input, trials: [...trials].reverse() })).toEqual(first);
    expect(history(make(), 11, 25, 2)).toEqual(trials);
  });

  it('proposes different params for a different seed', () => {
    const a = make().propose({ space, seed: 11, number: 25, trials, direction: 'minimize' });
    const b = make().propose({ space, seed: 12, number: 25, trials, direction: 'minimize' });
    expect(b).not.toEqual(a);
    expect(history(make(), 12, 25, 2).map((t) => t.params)).not.toEqual(trials.map((t) => t.params));
  });
});

describe('tpe sampler', () => {
  it('draws its first 10 trials as the random sampler does, then follows the history', () => {
    const tpe = history(tpeSampler(), 5, 12);
    const random = history(randomSampler(), 5, 12);
    expect(tpe.slice(0, 10)).toEqual(random.slice(0, 10));
    expect(tpe[10].params).not.toEqual(random[10].params);
  });

  it('treats running trials as bad ones, so a parallel worker proposes elsewhere (constant liar)', () => {
    const trials = history(tpeSampler(), 5, 20);
    const asRunning = trials.map((t, i) => (i >= 15 ? { ...t, state: 'running' as const, value: null } : t));
    const withoutThem = trials.slice(0, 15);
    const input = { space, seed: 5, number: 20, direction: 'minimize' as const };
    expect(tpeSampler().propose({ ...input, trials: asRunning })).not.toEqual(tpeSampler().propose({ ...input, trials: withoutThem }));
  });

  it('rejects a bad direction with the error template', () => {
    expect(() => tpeSampler().propose({ space, seed: 1, number: 0, trials: [], direction: 'down' as never })).toThrow(
      /Invalid value for `direction`: expected "minimize" or "maximize", received "down"\./,
    );
  });
});
