/** Hyperband: brackets of successive halving, a port of Optuna's HyperbandPruner (optuna/pruners/_hyperband.py). */
import { invalidArgument } from '../../errors';
import type { Trial } from '../trial';
import { crc32 } from './crc32';
import { exactLog } from './exact-log';
import { halvingDecision } from './rungs';
import { checkResource, firstCompleted } from './successive-halving';
import { checkDirection, checkInt, checkOptions, lastStep, metricName, type Direction, type PruneDecision, type Pruner, type PrunerNaming } from './types';

export interface HyperbandPrunerOptions extends PrunerNaming {
  /** The sweep's seed: with the trial's number it picks the trial's bracket. Required, so brackets never depend on chance. */
  seed: number;
  /** Steps before the first rung of the most aggressive bracket (default 1). */
  minResource?: number;
  /** The most steps a trial runs, or 'auto' (default): the first completed trial's last step + 1. */
  maxResource?: number | 'auto';
  /** Each rung keeps the best 1/reductionFactor (default 3). */
  reductionFactor?: number;
  /** As in successive halving (default 0; needs a number maxResource). */
  bootstrapCount?: number;
}

const KNOWN = ['seed', 'minResource', 'maxResource', 'reductionFactor', 'bootstrapCount', 'metric'] as const;

/**
 * Runs several successive-halving brackets side by side, from aggressive (first rung at minResource) to
 * lenient; each trial belongs to one bracket, chosen as Optuna does: crc32(`${seed}_${number}`) spread
 * over the brackets in proportion to their trial budgets. A trial only competes with its own bracket.
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  private readonly seed: number;
  private readonly minResource: number;
  private readonly maxResource: number | 'auto';
  private readonly reductionFactor: number;
  private readonly bootstrapCount: number;
  private readonly metric: string;

  constructor(options: HyperbandPrunerOptions) {
    const o = checkOptions('HyperbandPruner', options, KNOWN);
    if (options === undefined || o.seed === undefined || !Number.isSafeInteger(o.seed)) {
      throw invalidArgument('seed', 'an integer (the sweep\'s seed)', o.seed, 'Pass {seed}: the same seed gives every trial the same bracket.');
    }
    this.seed = o.seed;
    this.minResource = checkResource('minResource', o.minResource ?? 1);
    const maxResource = o.maxResource ?? 'auto';
    this.maxResource = maxResource === 'auto' ? 'auto' : checkResource('maxResource', maxResource);
    if (this.maxResource !== 'auto' && this.maxResource < this.minResource) {
      throw invalidArgument('maxResource', `at least minResource (${this.minResource})`, this.maxResource, 'Raise maxResource or lower minResource.');
    }
    this.reductionFactor = checkInt('reductionFactor', o.reductionFactor ?? 3, 2);
    this.bootstrapCount = checkInt('bootstrapCount', o.bootstrapCount ?? 0, 0);
    if (this.bootstrapCount > 0 && this.maxResource === 'auto') {
      throw invalidArgument('bootstrapCount', "0 when maxResource is 'auto'", this.bootstrapCount, 'Give maxResource a number of steps, or leave bootstrapCount at 0.');
    }
    this.metric = metricName(o);
  }

  /** The trial budgets of the brackets for this max resource (Optuna's _calculate_trial_allocation_budget). */
  budgets(maxResource: number): number[] {
    // Optuna: n_brackets = floor(log_eta(max / min)) + 1, in doubles, so exact powers of eta land as they do there.
    const nBrackets = Math.floor(exactLog(maxResource / this.minResource) / exactLog(this.reductionFactor)) + 1;
    const budgets: number[] = [];
    for (let bracket = 0; bracket < nBrackets; bracket++) {
      const s = nBrackets - 1 - bracket;
      budgets.push(Math.ceil((nBrackets * this.reductionFactor ** s) / (s + 1)));
    }
    return budgets;
  }

  /** The bracket of trial `number` (Optuna's _get_bracket_id, with the seed where Optuna has the study's name). */
  bracketOf(number: number, budgets: readonly number[]): number {
    const total = budgets.reduce((a, b) => a + b, 0);
    let n = crc32(`${this.seed}_${number}`) % total;
    for (let bracket = 0; bracket < budgets.length; bracket++) {
      n -= budgets[bracket];
      if (n < 0) return bracket;
    }
    throw new Error('unreachable: n < total');
  }

  shouldPrune(trial: Trial, allTrials: readonly Trial[], direction: Direction): PruneDecision {
    checkDirection(direction);
    const peers = allTrials.filter((t) => t.number !== trial.number);
    let maxResource = this.maxResource;
    let recordsAfter = -1;
    const step = lastStep(trial);
    const at = step === null ? 'before any step' : `at step ${step}`;
    if (maxResource === 'auto') {
      const first = firstCompleted(peers);
      if (first === undefined) {
        return { prune: false, reason: `kept ${at}: no trial with intermediate values has completed, so maxResource 'auto' is not known yet`, step };
      }
      maxResource = first.steps + 1;
      // As in successive halving: Optuna starts its brackets when a trial first completes; earlier trials hold no rung.
      recordsAfter = first.number;
    }
    const budgets = this.budgets(maxResource);
    if (budgets.length === 0) {
      return { prune: false, reason: `kept ${at}: maxResource ${maxResource} is below minResource ${this.minResource}, so there is no bracket`, step };
    }
    const bracket = this.bracketOf(trial.number, budgets);
    const ladder = { minResource: this.minResource, reductionFactor: this.reductionFactor, minEarlyStoppingRate: bracket, bootstrapCount: this.bootstrapCount };
    const same = peers.filter((t) => t.number > recordsAfter && this.bracketOf(t.number, budgets) === bracket);
    return halvingDecision(ladder, trial, same, direction, this.metric, `bracket ${bracket} of ${budgets.length}: `);
  }
}
