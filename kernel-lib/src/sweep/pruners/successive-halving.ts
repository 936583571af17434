/** Asynchronous successive halving: a port of Optuna's SuccessiveHalvingPruner (optuna/pruners/_successive_halving.py). */
import { invalidArgument } from '../../errors';
import type { Trial } from '../trial';
import { halvingDecision, type Ladder } from './rungs';
import { checkDirection, checkInt, checkOptions, lastStep, metricName, type Direction, type PruneDecision, type Pruner, type PrunerNaming } from './types';

export interface SuccessiveHalvingPrunerOptions extends PrunerNaming {
  /** Steps before the first rung, or 'auto' (default): 1% of the first completed trial's last step, at least 1. */
  minResource?: number | 'auto';
  /** Each rung keeps the best 1/reductionFactor of the trials that reached it (default 4). */
  reductionFactor?: number;
  /** The first rung is at minResource * reductionFactor ** minEarlyStoppingRate (default 0). */
  minEarlyStoppingRate?: number;
  /** A trial is pruned at a rung until more than this many trials reached it (default 0; needs a number minResource). */
  bootstrapCount?: number;
}

const KNOWN = ['minResource', 'reductionFactor', 'minEarlyStoppingRate', 'bootstrapCount', 'metric'] as const;

/**
 * At each rung (steps minResource * reductionFactor ** (minEarlyStoppingRate + rung)) a trial goes on only if
 * it ranks in the best 1/reductionFactor of the trials that reached that rung, whatever their state now.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name = 'successiveHalving';
  private readonly minResource: number | 'auto';
  private readonly ladder: Omit<Ladder, 'minResource'>;
  private readonly metric: string;

  constructor(options?: SuccessiveHalvingPrunerOptions) {
    const o = checkOptions('SuccessiveHalvingPruner', options, KNOWN);
    const minResource = o.minResource ?? 'auto';
    this.minResource = minResource === 'auto' ? 'auto' : checkResource('minResource', minResource);
    this.ladder = {
      reductionFactor: checkInt('reductionFactor', o.reductionFactor ?? 4, 2),
      minEarlyStoppingRate: checkInt('minEarlyStoppingRate', o.minEarlyStoppingRate ?? 0, 0),
      bootstrapCount: checkInt('bootstrapCount', o.bootstrapCount ?? 0, 0),
    };
    if (this.ladder.bootstrapCount > 0 && this.minResource === 'auto') {
      throw invalidArgument(
        'bootstrapCount',
        "0 when minResource is 'auto'",
        this.ladder.bootstrapCount,
        'Give minResource a number of steps, or leave bootstrapCount at 0.',
      );
    }
    this.metric = metricName(o);
  }

  shouldPrune(trial: Trial, allTrials: readonly Trial[], direction: Direction): PruneDecision {
    checkDirection(direction);
    const peers = allTrials.filter((t) => t.number !== trial.number);
    let minResource = this.minResource;
    let recordsAfter = -1;
    if (minResource === 'auto') {
      const first = firstCompleted(peers);
      if (first === undefined) {
        const step = lastStep(trial);
        const at = step === null ? 'before any step' : `at step ${step}`;
        return { prune: false, reason: `kept ${at}: no trial with intermediate values has completed, so minResource 'auto' is not known yet`, step };
      }
      minResource = Math.max(Math.floor(first.steps / 100), 1);
      recordsAfter = first.number;
    }
    // Optuna fixes 'auto' when a trial first completes and only records rungs from then on: trials numbered
    // up to that one ran before it (exactly so in a sequential sweep), so they hold no rung.
    const competing = peers.filter((t) => t.number > recordsAfter);
    return halvingDecision({ ...this.ladder, minResource }, trial, competing, direction, this.metric);
  }
}

/** The lowest-numbered completed trial that reported a step, with its last step: the one Optuna's 'auto' rules read. */
export function firstCompleted(trials: readonly Trial[]): { number: number; steps: number } | undefined {
  let first: { number: number; steps: number } | undefined;
  for (const t of trials) {
    const last = lastStep(t);
    if (t.state !== 'complete' || last === null) continue;
    if (first === undefined || t.number < first.number) first = { number: t.number, steps: last };
  }
  return first;
}

export function checkResource(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgument(name, "a positive integer number of steps or 'auto'", value, `Pass ${name}: 'auto' or a step count such as 1.`);
  }
  return value;
}
