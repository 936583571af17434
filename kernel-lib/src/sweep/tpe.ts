/** The TPE sampler: a port of Optuna's univariate TPESampler (optuna/samplers/_tpe/sampler.py) with its documented defaults. */
import { invalidArgument } from '../errors';
import type { Rng } from '../repro/rng';
import { PARZEN_DEFAULTS, ParzenEstimator, type ParzenOptions } from './parzen';
import { drawOne } from './random';
import { checkInput, type Direction, type ProposeInput, type Sampler, trialRng } from './sampler';
import { defineSpace, isActive, type ParamSpec, type Params, type Scalar } from './space';
import type { Trial } from './trial';

export interface TpeOptions extends Partial<ParzenOptions> {
  /** Random trials before TPE takes over (Optuna: n_startup_trials=10). */
  startupTrials?: number;
  /** Candidates drawn from the good trials' estimator, of which the best ratio wins (Optuna: n_ei_candidates=24). */
  eiCandidates?: number;
}

/** Optuna's default_gamma: how many of n finished trials count as "good". */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

export function tpeSampler(options: TpeOptions = {}): Sampler {
  const startup = options.startupTrials ?? 10;
  const candidates = options.eiCandidates ?? 24;
  if (!Number.isSafeInteger(startup) || startup < 0) throw invalidArgument('startupTrials', 'an integer >= 0', startup);
  if (!Number.isSafeInteger(candidates) || candidates < 1) throw invalidArgument('eiCandidates', 'an integer >= 1', candidates);
  const parzen: ParzenOptions = { ...PARZEN_DEFAULTS, ...stripUndefined(options) };
  return {
    name: 'tpe',
    propose(input: ProposeInput): Params {
      checkInput(input);
      const space = defineSpace(input.space);
      const rng = trialRng(input.seed, input.number);
      // Optuna's constant liar (its default): running trials count as bad ones, so parallel workers spread out.
      const others = [...input.trials].filter((t) => t.number !== input.number && isUsable(t)).sort((a, b) => a.number - b.number);
      const finished = others.filter((t) => t.state !== 'running').length;
      const params: Params = {};
      for (const name of Object.keys(space)) {
        if (!isActive(space, name, params)) continue;
        params[name] = finished < startup ? drawOne(space[name], rng) : sampleParam(name, space[name], others, input.direction, rng, candidates, parzen);
      }
      return params;
    },
  };
}

// Failed trials teach nothing; a "complete" trial without a finite value is treated as failed.
function isUsable(t: Trial): boolean {
  if (t.state === 'complete') return typeof t.value === 'number' && Number.isFinite(t.value);
  return t.state === 'pruned' || t.state === 'running';
}

function sampleParam(name: string, spec: ParamSpec, trials: Trial[], direction: Direction, rng: Rng, candidates: number, parzen: ParzenOptions): Scalar {
  const n = trials.filter((t) => t.state !== 'running').length;
  const [below, above] = splitTrials(trials, defaultGamma(n), direction);
  const good = new ParzenEstimator(spec, observations(name, spec, below), parzen);
  const bad = new ParzenEstimator(spec, observations(name, spec, above), parzen);
  const xs = good.sample(rng, candidates);
  let best = 0, bestScore = -Infinity;
  xs.forEach((x, i) => {
    const score = good.logPdf(x) - bad.logPdf(x);
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  return spec.kind === 'choice' ? spec.choices[xs[best]] : spec.kind === 'int' ? Math.round(xs[best]) : xs[best];
}

/** Optuna's _split_trials: the best nBelow complete trials, then the best pruned ones, are "below"; running trials are always above. */
export function splitTrials(trials: readonly Trial[], nBelow: number, direction: Direction): [Trial[], Trial[]] {
  const sign = direction === 'minimize' ? 1 : -1;
  const complete = trials.filter((t) => t.state === 'complete').sort((a, b) => sign * ((a.value as number) - (b.value as number)));
  const pruned = trials.filter((t) => t.state === 'pruned').sort((a, b) => comparePruned(prunedScore(a, sign), prunedScore(b, sign)));
  const nComplete = Math.min(nBelow, complete.length);
  const nPruned = Math.min(Math.max(0, nBelow - nComplete), pruned.length);
  const byNumber = (a: Trial, b: Trial) => a.number - b.number;
  const below = [...complete.slice(0, nComplete), ...pruned.slice(0, nPruned)].sort(byNumber);
  const above = [...complete.slice(nComplete), ...pruned.slice(nPruned), ...trials.filter((t) => t.state === 'running')].sort(byNumber);
  return [below, above];
}

// A pruned trial that got further is better; among equals, the better last intermediate value wins.
function prunedScore(t: Trial, sign: number): [number, number] {
  if (t.intermediate.length === 0) return [1, 0];
  const last = t.intermediate.reduce((a, b) => (b.step > a.step ? b : a));
  return [-last.step, Number.isNaN(last.value) ? Infinity : sign * last.value];
}

function comparePruned(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

// Internal form: the value itself, or the choice's index; trials without this param (inactive, or a value outside the space) are left out.
function observations(name: string, spec: ParamSpec, trials: Trial[]): number[] {
  const out: number[] = [];
  for (const t of trials) {
    if (!Object.hasOwn(t.params, name)) continue;
    const v = t.params[name];
    if (spec.kind === 'choice') {
      const i = spec.choices.findIndex((c) => JSON.stringify(c) === JSON.stringify(v));
      if (i >= 0) out.push(i);
    } else if (typeof v === 'number' && v >= spec.low && v <= spec.high) {
      out.push(v);
    }
  }
  return out;
}

function stripUndefined(o: TpeOptions): Partial<ParzenOptions> {
  const out: Partial<ParzenOptions> = {};
  if (o.priorWeight !== undefined) out.priorWeight = o.priorWeight;
  if (o.magicClip !== undefined) out.magicClip = o.magicClip;
  if (o.endpoints !== undefined) out.endpoints = o.endpoints;
  return out;
}
