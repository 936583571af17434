/** Parameter importance by PED-ANOVA, ported from Optuna 5's default evaluator (optuna/importance/_ped_anova/evaluator.py). */
import type { Json } from '../../registry/types';
import type { Direction } from '../sampler';
import { defineSpace, type ParamSpec, type SearchSpace } from '../space';
import type { Trial } from '../trial';
import { checkDirection, checkTrials } from './leaderboard';
import { countOnGrid, gridPdf } from './scott';

/** Optuna's defaults: importance of reaching the top 10% (target_quantile), measured over all trials (region_quantile=1, evaluate_on_local). */
const TARGET_QUANTILE = 0.1;
const PRIOR_WEIGHT = 1.0;
/** A regime (the trials where a conditional param is active, or where it is not) needs this many trials to count. */
const MIN_TRIALS_IN_REGIME = 2;

/**
 * How much each param of `space` matters for reaching the best 10% of complete trials, summing to 1.
 *
 * PED-ANOVA (Watanabe et al., IJCAI 2023; conditional params as in condPED-ANOVA, KDD 2026), as
 * Optuna 5's get_param_importances computes by default: for each param, the Pearson divergence
 * between a Parzen estimate of its values among the top-10% trials and among all complete trials
 * (numbers read on a 50-point grid, log params in log space). Deterministic: no random forest, no
 * seed. A conditional param counts only in the trials where it is active, weighted by how often
 * it is. Only complete trials with a finite value count; with fewer than two, or when no param
 * separates the top from the rest, every param gets an equal share (as Optuna). Params that no
 * complete trial has get 0 (Optuna leaves them out).
 */
export function paramImportance(space: SearchSpace, trials: readonly Trial[], direction: Direction): { [param: string]: number } {
  const names = Object.keys(defineSpace(space));
  const raw = pedAnovaRaw(space, trials, direction);
  const total = names.reduce((s, n) => s + raw[n], 0);
  return Object.fromEntries(names.map((n) => [n, total === 0 ? 1 / names.length : raw[n] / total]));
}

/** The unnormalised importances (Optuna's `PedAnovaImportanceEvaluator().evaluate(study)`), for checking the port. */
export function pedAnovaRaw(space: SearchSpace, trials: readonly Trial[], direction: Direction): { [param: string]: number } {
  defineSpace(space);
  checkTrials(trials);
  const sign = checkDirection(direction) === 'minimize' ? 1 : -1;
  const names = Object.keys(space);
  const complete = trials.filter((t) => t.state === 'complete' && typeof t.value === 'number' && Number.isFinite(t.value));
  const raw: { [param: string]: number } = Object.fromEntries(names.map((n) => [n, 0]));
  if (complete.length > 1) {
    const target = topQuantile(complete, sign);
    const quantile = target.size / complete.length;
    for (const name of names) raw[name] = importanceOf(name, space[name], complete, target) * quantile ** 2;
  }
  return raw;
}

// Optuna's _QuantileFilter: the trials at or better than the ceil(0.1 n)-th best value (ties all kept).
function topQuantile(trials: Trial[], sign: number): Set<Trial> {
  const losses = trials.map((t) => sign * (t.value as number));
  const cutoff = [...losses].sort((a, b) => a - b)[Math.ceil(TARGET_QUANTILE * losses.length) - 1];
  return new Set(trials.filter((_, i) => losses[i] <= cutoff));
}

function importanceOf(name: string, spec: ParamSpec, region: Trial[], target: Set<Trial>): number {
  if (isSingle(spec)) return 0;
  // Two regimes: where the param is active (its one distribution) and where it is not, which adds nothing.
  const active: { trial: Trial; x: number }[] = [];
  for (const trial of region) {
    const x = internal(spec, trial.params[name]);
    if (x !== null) active.push({ trial, x });
  }
  if (active.length < MIN_TRIALS_IN_REGIME) return 0;
  const top = active.filter((a) => target.has(a.trial));
  if (top.length === 0) return 0;
  const alpha = top.length / target.size;
  const beta = active.length / region.length;
  return (alpha ** 2 / beta) * pearsonDivergence(spec, top.map((a) => a.x), active.map((a) => a.x));
}

function pearsonDivergence(spec: ParamSpec, top: number[], region: number[]): number {
  const categorical = spec.kind === 'choice';
  const pTop = gridPdf(countOnGrid(spec, top), categorical, PRIOR_WEIGHT);
  const pRegion = gridPdf(countOnGrid(spec, region), categorical, PRIOR_WEIGHT);
  return pRegion.reduce((s, p, i) => s + p * (pTop[i] / p - 1) ** 2, 0);
}

function isSingle(spec: ParamSpec): boolean {
  return spec.kind === 'choice' ? spec.choices.length === 1 : spec.low === spec.high;
}

/** The value's internal form (a choice's index), or null when absent or not a value of this spec (the trial then counts as inactive). */
function internal(spec: ParamSpec, value: Json | undefined): number | null {
  if (value === undefined) return null;
  if (spec.kind === 'choice') {
    const key = JSON.stringify(value);
    const i = spec.choices.findIndex((c) => JSON.stringify(c) === key);
    return i === -1 ? null : i;
  }
  return typeof value === 'number' && Number.isFinite(value) && value >= spec.low && value <= spec.high ? value : null;
}
