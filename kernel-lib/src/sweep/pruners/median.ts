/** The median stopping rule: a port of Optuna's MedianPruner (optuna/pruners/_median.py, _percentile.py), not its other pruners. */
import type { Trial } from '../trial';
import {
  checkDirection,
  checkInt,
  checkOptions,
  fmt,
  lastStep,
  metricName,
  stepsOf,
  valueAt,
  type Direction,
  type PruneDecision,
  type Pruner,
  type PrunerNaming,
} from './types';

export interface MedianPrunerOptions extends PrunerNaming {
  /** Pruning is off until this many trials have completed (Optuna's n_startup_trials, default 5). */
  nStartupTrials?: number;
  /** No pruning before this step (n_warmup_steps, default 0). */
  nWarmupSteps?: number;
  /** Check every this many steps after the warmup (interval_steps, default 1). */
  intervalSteps?: number;
  /** Fewer completed trials than this at the step: no pruning (n_min_trials, default 1). */
  nMinTrials?: number;
}

const KNOWN = ['nStartupTrials', 'nWarmupSteps', 'intervalSteps', 'nMinTrials', 'metric'] as const;

/**
 * Prunes a trial whose best intermediate value so far is worse than the median of the completed trials'
 * values at the same step. Only completed trials count: pruned, failed and running ones do not.
 */
export class MedianPruner implements Pruner {
  readonly name = 'median';
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly nMinTrials: number;
  private readonly metric: string;

  constructor(options?: MedianPrunerOptions) {
    const o = checkOptions('MedianPruner', options, KNOWN);
    this.nStartupTrials = checkInt('nStartupTrials', o.nStartupTrials ?? 5, 0);
    this.nWarmupSteps = checkInt('nWarmupSteps', o.nWarmupSteps ?? 0, 0);
    this.intervalSteps = checkInt('intervalSteps', o.intervalSteps ?? 1, 1);
    this.nMinTrials = checkInt('nMinTrials', o.nMinTrials ?? 1, 1);
    this.metric = metricName(o);
  }

  shouldPrune(trial: Trial, allTrials: readonly Trial[], direction: Direction): PruneDecision {
    checkDirection(direction);
    const step = lastStep(trial);
    const at = step === null ? 'before any step' : `at step ${step}`;
    const keep = (why: string): PruneDecision => ({ prune: false, reason: `kept ${at}: ${why}`, step });
    const completed = allTrials.filter((t) => t.state === 'complete' && t.number !== trial.number);
    if (completed.length === 0) return keep('no trial has completed yet');
    if (completed.length < this.nStartupTrials) {
      return keep(`only ${completed.length} of the ${this.nStartupTrials} startup trials have completed`);
    }
    if (step === null) return keep('the trial has reported no intermediate value yet');
    if (step < this.nWarmupSteps) return keep(`warming up until step ${this.nWarmupSteps}`);
    if (!isFirstInIntervalStep(step, trial, this.nWarmupSteps, this.intervalSteps)) {
      return keep(`not a pruning step (every ${this.intervalSteps} steps from step ${this.nWarmupSteps})`);
    }
    // Optuna compares the trial's best value over all its steps, so one bad step does not prune a good trial.
    const best = nanBest(stepsOf(trial).map((p) => p.value), direction);
    if (Number.isNaN(best)) {
      return { prune: true, reason: `pruned ${at}: every ${this.metric} it reported is NaN`, step };
    }
    const others = completed.map((t) => valueAt(t, step)).filter((v): v is number => v !== undefined);
    if (others.length < this.nMinTrials) {
      return keep(`only ${others.length} completed trials reported step ${step}, at least ${this.nMinTrials} are needed`);
    }
    // For maximize Optuna takes the (100 - p)th percentile; for the median both are the 50th.
    const median = nanPercentile(others, direction === 'maximize' ? 100 - 50 : 50);
    if (Number.isNaN(median)) return keep(`every completed trial's ${this.metric} at step ${step} is NaN`);
    const n = others.filter((v) => !Number.isNaN(v)).length;
    const against = `the median ${fmt(median, best)} of ${n} completed trials at step ${step}`;
    const worse = direction === 'maximize' ? best < median : best > median;
    const yours = `${this.metric} ${fmt(best, median)} (its best so far)`;
    if (worse) return { prune: true, reason: `pruned ${at}: ${yours} is worse than ${against}`, step };
    return keep(`${yours} is no worse than ${against}`);
  }
}

/** Optuna's _is_first_in_interval_step: the first report at or after the latest pruning step. */
function isFirstInIntervalStep(step: number, trial: Trial, warmup: number, interval: number): boolean {
  const nearestLowerPruningStep = Math.floor((step - warmup) / interval) * interval + warmup;
  let secondLast = -1;
  for (const p of trial.intermediate) if (p.step > secondLast && p.step !== step) secondLast = p.step;
  return secondLast < nearestLowerPruningStep;
}

function nanBest(values: number[], direction: Direction): number {
  let best = NaN;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(best) || (direction === 'maximize' ? v > best : v < best)) best = v;
  }
  return best;
}

/** numpy.nanpercentile with its default 'linear' method, down to numpy's _lerp, so ties land where Optuna's do. */
export function nanPercentile(values: readonly number[], percentile: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const virtual = (sorted.length - 1) * (percentile / 100);
  const lo = Math.floor(virtual);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = virtual - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
