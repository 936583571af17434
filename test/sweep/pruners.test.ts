// Pruners explain each decision, answer the same way every time from the trial list alone, honour the direction and reject bad options.
import { describe, expect, it } from 'vitest';
import { LabbookError } from '../../kernel-lib/src/errors';
import { HyperbandPruner, MedianPruner, NopPruner, SuccessiveHalvingPruner, type Pruner } from '../../kernel-lib/src/sweep/pruners';
import type { Trial, TrialState } from '../../kernel-lib/src/sweep/trial';

const trial = (number: number, values: number[], state: TrialState = 'complete'): Trial => ({
  number,
  params: {},
  state,
  value: state === 'complete' ? values[values.length - 1] : null,
  intermediate: values.map((value, step) => ({ step, value })),
});

/** Five completed trials whose values at step 2 are 0.5, 0.55, 0.61, 0.7, 0.9 (median 0.61). */
const completed = [0.5, 0.55, 0.61, 0.7, 0.9].map((v, i) => trial(i, [v + 0.2, v + 0.1, v]));

describe('MedianPruner', () => {
  it("prunes a minimizing trial whose best value is above the completed trials' median, and says why", () => {
    const current = trial(5, [1.0, 0.9, 0.84], 'running');
    const decision = new MedianPruner({ metric: 'val_loss' }).shouldPrune(current, [...completed, current], 'minimize');
    expect(decision).toEqual({
      prune: true,
      reason: 'pruned at step 2: val_loss 0.84 (its best so far) is worse than the median 0.61 of 5 completed trials at step 2',
      step: 2,
    });
  });

  it('keeps the same trial when the sweep maximizes, and prunes the low one instead', () => {
    const high = trial(5, [1.0, 0.9, 0.84], 'running');
    const low = trial(5, [0.3, 0.35, 0.4], 'running');
    const pruner = new MedianPruner({ metric: 'accuracy' });
    const kept = pruner.shouldPrune(high, completed, 'maximize');
    expect(kept.prune).toBe(false);
    expect(kept.reason).toBe('kept at step 2: accuracy 1 (its best so far) is no worse than the median 0.61 of 5 completed trials at step 2');
    const pruned = pruner.shouldPrune(low, completed, 'maximize');
    expect(pruned.prune).toBe(true);
    expect(pruned.reason).toBe('pruned at step 2: accuracy 0.4 (its best so far) is worse than the median 0.61 of 5 completed trials at step 2');
    expect(pruner.shouldPrune(low, completed, 'minimize').prune).toBe(false);
  });

  it('waits for 5 completed trials by default, and counts only completed ones', () => {
    const current = trial(9, [5, 5, 5], 'running');
    const others = [...completed.slice(0, 4), trial(4, [0.1, 0.1, 0.1], 'pruned'), trial(6, [0.1, 0.1, 0.1], 'failed'), trial(7, [0.1], 'running')];
    const decision = new MedianPruner().shouldPrune(current, others, 'minimize');
    expect(decision).toEqual({ prune: false, reason: 'kept at step 2: only 4 of the 5 startup trials have completed', step: 2 });
  });

  it('prunes a trial that reported only NaN', () => {
    const current = trial(5, [NaN, NaN], 'running');
    expect(new MedianPruner().shouldPrune(current, completed, 'minimize')).toEqual({
      prune: true,
      reason: 'pruned at step 1: every value it reported is NaN',
      step: 1,
    });
  });
});

describe('SuccessiveHalvingPruner', () => {
  it('prunes a trial outside the best 1/reductionFactor at a rung, naming the rung and its rank', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2, metric: 'loss' });
    const others = [trial(0, [0.9, 0.4, 0.3]), trial(1, [0.8, 0.5, 0.4]), trial(2, [0.7, 0.6], 'pruned')];
    const current = trial(3, [0.9, 0.55], 'running');
    expect(pruner.shouldPrune(current, [...others, current], 'minimize')).toEqual({
      prune: true,
      reason: 'pruned at step 1: loss 0.55 ranks 3rd of 4 trials at rung 0 (step 1); only the best 2 go on (reduction factor 2)',
      step: 1,
    });
    expect(pruner.shouldPrune(trial(3, [0.9, 0.45], 'running'), others, 'minimize')).toMatchObject({ prune: false, step: 1 });
    expect(pruner.shouldPrune(current, others, 'maximize')).toMatchObject({ prune: false, step: 1 });
  });

  it("does not prune before a trial has completed when minResource is 'auto'", () => {
    const current = trial(1, [5, 5, 5], 'running');
    const decision = new SuccessiveHalvingPruner().shouldPrune(current, [trial(0, [1, 1], 'running'), current], 'minimize');
    expect(decision.prune).toBe(false);
    expect(decision.reason).toBe("kept at step 2: no trial with intermediate values has completed, so minResource 'auto' is not known yet");
  });
});

describe('HyperbandPruner', () => {
  const history = Array.from({ length: 30 }, (_, n) => trial(n, Array.from({ length: 27 }, (_, s) => ((n * 7919) % 13) / 10 + 1 / (s + 1))));

  it('puts each trial in a bracket from the seed and its number, and decides inside it', () => {
    const current = trial(30, Array.from({ length: 10 }, () => 2), 'running');
    const decision = new HyperbandPruner({ seed: 7 }).shouldPrune(current, [...history, current], 'minimize');
    expect(decision.reason).toMatch(/^(pruned|kept) at step 9: bracket \d of 4: /);
    const brackets = (seed: number) => history.map((t) => new HyperbandPruner({ seed }).bracketOf(t.number, [9, 5, 3, 4]));
    expect(brackets(7)).toEqual(brackets(7));
    expect(brackets(7)).not.toEqual(brackets(8));
  });
});

describe('every pruner', () => {
  const pruners: [string, () => Pruner][] = [
    ['median', () => new MedianPruner()],
    ['successive halving', () => new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 })],
    ['hyperband', () => new HyperbandPruner({ seed: 42 })],
    ['nop', () => new NopPruner()],
  ];
  const study = Array.from({ length: 12 }, (_, n) => trial(n, Array.from({ length: 10 }, (_, s) => ((n * 37) % 11) / 10 + 1 / (s + 1)), n % 4 === 3 ? 'pruned' : 'complete'));

  it.each(pruners)('%s answers the same from the same trial list, in any order and after a restart', (_name, make) => {
    for (let n = 0; n < 12; n++) {
      const current = { ...study[n], state: 'running' as const, value: null, intermediate: study[n].intermediate.slice(0, 1 + (n % 9)) };
      const all = [...study.slice(0, n), current];
      const first = make().shouldPrune(current, all, 'minimize');
      const pruner = make();
      expect(pruner.shouldPrune(current, [...all].reverse(), 'minimize')).toEqual(first);
      expect(pruner.shouldPrune(current, all, 'minimize')).toEqual(first);
    }
  });

  it.each(pruners)('%s rejects a direction other than minimize or maximize', (_name, make) => {
    expect(() => make().shouldPrune(study[0], study, 'lower' as never)).toThrow(
      'Invalid value for `direction`: expected "minimize" or "maximize", received "lower".',
    );
  });

  it('never prunes with NopPruner', () => {
    const current = trial(12, [NaN, 99], 'running');
    expect(new NopPruner().shouldPrune(current, study, 'minimize')).toEqual({ prune: false, reason: 'kept at step 1: pruning is off (NopPruner)', step: 1 });
  });
});

describe('bad options', () => {
  const cases: [string, () => unknown, string][] = [
    ['median nStartupTrials', () => new MedianPruner({ nStartupTrials: -1 }), 'Invalid value for `nStartupTrials`: expected a non-negative integer, received -1.'],
    ['median intervalSteps', () => new MedianPruner({ intervalSteps: 0 }), 'Invalid value for `intervalSteps`: expected a positive integer, received 0.'],
    ['median typo', () => new MedianPruner({ nStartup: 3 } as never), 'Unknown option `nStartup` for MedianPruner: expected one of nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials, metric, received `nStartup`. Remove it.'],
    ['halving reductionFactor', () => new SuccessiveHalvingPruner({ reductionFactor: 1 }), 'Invalid value for `reductionFactor`: expected an integer >= 2, received 1.'],
    ['halving minResource', () => new SuccessiveHalvingPruner({ minResource: 'big' as never }), "Invalid value for `minResource`: expected a positive integer number of steps or 'auto', received \"big\"."],
    ['halving bootstrap with auto', () => new SuccessiveHalvingPruner({ bootstrapCount: 2 }), "Invalid value for `bootstrapCount`: expected 0 when minResource is 'auto', received 2."],
    ['hyperband without seed', () => new HyperbandPruner({} as never), "Invalid value for `seed`: expected an integer (the sweep's seed), received undefined."],
    ['hyperband max below min', () => new HyperbandPruner({ seed: 1, minResource: 10, maxResource: 5 }), 'Invalid value for `maxResource`: expected at least minResource (10), received 5.'],
    ['hyperband bootstrap with auto', () => new HyperbandPruner({ seed: 1, bootstrapCount: 1 }), "Invalid value for `bootstrapCount`: expected 0 when maxResource is 'auto', received 1."],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabbookError);
    expect((error as LabbookError).code).toBe('INVALID_ARGUMENT');
    expect((error as LabbookError).message.startsWith(message), (error as LabbookError).message).toBe(true);
  });
});
