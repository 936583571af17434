// The grid sampler: every combination once, in declaration order with the last param fastest; continuous params need values or counts.
import { describe, expect, it } from 'vitest';
import { choice, gridPoints, gridSampler, int, logUniform, uniform, type Params, type Trial } from '../../kernel-lib/src/sweep';

describe('grid', () => {
  it('enumerates the product in nested-loop order', () => {
    const points = gridPoints({ act: choice(['relu', 'tanh']), units: int(16, 48, { step: 16 }) });
    expect(points).toEqual([
      { act: 'relu', units: 16 }, { act: 'relu', units: 32 }, { act: 'relu', units: 48 },
      { act: 'tanh', units: 16 }, { act: 'tanh', units: 32 }, { act: 'tanh', units: 48 },
    ]);
  });

  it('multiplies a conditional param only where it is active', () => {
    const points = gridPoints({
      opt: choice(['adam', 'sgd']),
      momentum: choice([0, 0.9], { when: { param: 'opt', values: ['sgd'] } }),
      lr: logUniform(1e-3, 1e-1),
    }, { counts: { lr: 3 } });
    expect(points.map((p) => [p.opt, p.momentum, p.lr])).toEqual([
      ['adam', undefined, 1e-3], ['adam', undefined, expect.closeTo(1e-2, 12)], ['adam', undefined, 1e-1],
      ['sgd', 0, 1e-3], ['sgd', 0, expect.closeTo(1e-2, 12)], ['sgd', 0, 1e-1],
      ['sgd', 0.9, 1e-3], ['sgd', 0.9, expect.closeTo(1e-2, 12)], ['sgd', 0.9, 1e-1],
    ]);
    expect(points[0]).not.toHaveProperty('momentum');
  });

  it('uses explicit values, and evenly spaced counts for uniform', () => {
    expect(gridPoints({ d: uniform(0, 0.5), n: int(1, 100) }, { counts: { d: 3 }, values: { n: [1, 10] } })).toEqual([
      { d: 0, n: 1 }, { d: 0, n: 10 }, { d: 0.25, n: 1 }, { d: 0.25, n: 10 }, { d: 0.5, n: 1 }, { d: 0.5, n: 10 },
    ]);
  });

  it('proposes combination n for trial n, then null when the grid is done', () => {
    const space = { a: choice([1, 2]), b: choice([true, false]) };
    const sampler = gridSampler();
    const trials: Trial[] = [];
    const seen: (Params | null)[] = [];
    for (let number = 0; number < 5; number++) {
      const params = sampler.propose({ space, seed: 3, number, trials, direction: 'minimize' });
      seen.push(params);
      if (params) trials.push({ number, params, state: 'complete', value: 0, intermediate: [] });
    }
    expect(seen).toEqual([{ a: 1, b: true }, { a: 1, b: false }, { a: 2, b: true }, { a: 2, b: false }, null]);
    // A fresh sampler (a restarted worker) continues from the trial number alone.
    expect(gridSampler().propose({ space, seed: 3, number: 2, trials: trials.slice(0, 2), direction: 'minimize' })).toEqual({ a: 2, b: true });
  });

  it.each([
    ['a continuous param without a count', { lr: uniform(0, 1) }, {}, /`grid\.counts\["lr"\]`: expected a number of points for the continuous param lr, received undefined\. Pass counts: \{"lr": 5\}/],
    ['a count of 1', { lr: uniform(0, 1) }, { counts: { lr: 1 } }, /expected an integer >= 2/],
    ['a value outside the range', { lr: uniform(0, 1) }, { values: { lr: [0.5, 2] } }, /`grid\.values\["lr"\]`: expected values inside lr's uniform range \[0, 1\], received 2/],
    ['a value off the int step', { u: int(16, 64, { step: 16 }) }, { values: { u: [20] } }, /inside u's int range \[16, 64\] step 16, received 20/],
    ['values for an unknown param', { a: choice([1]) }, { values: { b: [1] } }, /expected values or counts for params of the space \(a\), received "b"/],
  ])('rejects %s', (_what, space, options, message) => {
    expect(() => gridPoints(space, options)).toThrow(message);
  });
});
