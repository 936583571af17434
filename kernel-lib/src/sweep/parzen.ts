/** TPE's Parzen estimator for one param: a weighted mixture of truncated normals (numbers) or of smoothed one-hots (choices), ported from Optuna's optuna/samplers/_tpe/parzen_estimator.py and probability_distributions.py. */
import type { Rng } from '../repro/rng';
import type { ParamSpec } from './space';
import { logGaussMass, truncnormLogPdf, truncnormPpf } from './truncnorm';

/** Optuna's documented defaults (sampler.py): prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False. */
export interface ParzenOptions {
  priorWeight: number;
  magicClip: boolean;
  endpoints: boolean;
}
export const PARZEN_DEFAULTS: ParzenOptions = { priorWeight: 1.0, magicClip: true, endpoints: false };

const EPS = 1e-12;

/** Optuna's default_weights: flat for the newest 25 observations, a linear ramp down for older ones. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const num = n - 25;
  const start = 1 / n;
  const step = num > 1 ? (1 - start) / (num - 1) : 0;
  const ramp = Array.from({ length: num }, (_, i) => (num > 1 && i === num - 1 ? 1 : start + i * step));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

interface Numerical {
  kind: 'numerical';
  mus: number[];
  sigmas: number[];
  low: number;
  high: number;
  step: number; // 0 for continuous
  log: boolean;
}
interface Categorical {
  kind: 'categorical';
  weights: number[][]; // kernel -> choice -> probability
}

/**
 * The estimator over `observations` (internal form: the value for numbers, the choice's index for choices),
 * given in trial-number order because the weights favour the newest.
 */
export class ParzenEstimator {
  readonly weights: number[];
  private readonly dist: Numerical | Categorical;

  constructor(spec: ParamSpec, observations: number[], options: ParzenOptions = PARZEN_DEFAULTS) {
    const n = observations.length;
    const w = n === 0 ? [1] : [...defaultWeights(n), options.priorWeight];
    const total = w.reduce((s, x) => s + x, 0);
    this.weights = w.map((x) => x / total);
    this.dist = spec.kind === 'choice' ? categorical(spec.choices.length, observations, options) : numerical(spec, observations, options);
  }

  /** log-density (log-mass for ints and choices) of the mixture at x, in internal form. */
  logPdf(x: number): number {
    const d = this.dist;
    const terms = this.weights.map((w, k) => Math.log(w) + (d.kind === 'categorical' ? Math.log(d.weights[k][x]) : kernelLogPdf(d, k, x)));
    let max = Math.max(...terms);
    if (max === -Infinity) max = 0; // avoids (-inf) - (-inf) when every kernel gives zero
    return Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0)) + max;
  }

  /** `size` draws in internal form: pick a kernel by weight, then draw from it. */
  sample(rng: Rng, size: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < size; i++) {
      const k = pick(this.weights, rng.next());
      const d = this.dist;
      if (d.kind === 'categorical') {
        out.push(pick(d.weights[k], rng.next()));
        continue;
      }
      const [lo, hi] = adaptedBounds(d);
      const mu = d.mus[k], sigma = d.sigmas[k];
      let x = truncnormPpf(rng.next(), (lo - mu) / sigma, (hi - mu) / sigma) * sigma + mu;
      if (d.log) x = Math.exp(x);
      if (d.step !== 0) x = Math.min(Math.max(d.low + roundHalfEven((x - d.low) / d.step) * d.step, d.low), d.high);
      out.push(x);
    }
    return out;
  }
}

function categorical(nChoices: number, observations: number[], options: ParzenOptions): Categorical {
  if (observations.length === 0) return { kind: 'categorical', weights: [new Array<number>(nChoices).fill(1 / nChoices)] };
  const nKernels = observations.length + 1; // +1 for the prior
  const weights = Array.from({ length: nKernels }, () => new Array<number>(nChoices).fill(options.priorWeight / nKernels));
  observations.forEach((c, k) => (weights[k][c] += 1));
  for (const row of weights) {
    const sum = row.reduce((s, x) => s + x, 0) || 1;
    for (let j = 0; j < row.length; j++) row[j] /= sum;
  }
  return { kind: 'categorical', weights };
}

function numerical(spec: ParamSpec, observations: number[], options: ParzenOptions): Numerical {
  if (spec.kind === 'choice') throw new Error('unreachable: choices use the categorical estimator');
  const step = spec.kind === 'int' ? spec.step : 0;
  const log = spec.kind === 'logUniform' || (spec.kind === 'int' && spec.log);
  let low = spec.low - step / 2, high = spec.high + step / 2;
  let mus = observations;
  if (log) {
    mus = observations.map(Math.log);
    low = Math.log(low);
    high = Math.log(high);
  }
  const sigmas = kernelWidths(mus, low, high, observations.length, options);
  return { kind: 'numerical', mus: [...mus, 0.5 * (low + high)], sigmas: [...sigmas, high - low], low: spec.low, high: spec.high, step, log };
}

// Each kernel is as wide as the larger gap to its sorted neighbours (the bounds count as neighbours), clipped.
function kernelWidths(mus: number[], low: number, high: number, nObs: number, options: ParzenOptions): number[] {
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const s = [low, ...order.map((i) => mus[i]), high];
  const sorted = order.map((_, j) => Math.max(s[j + 1] - s[j], s[j + 2] - s[j + 1]));
  if (!options.endpoints && s.length >= 4) {
    sorted[0] = s[2] - s[1];
    sorted[sorted.length - 1] = s[s.length - 2] - s[s.length - 3];
  }
  const maxSigma = high - low;
  // The "magic clip": no kernel narrower than the range over (number of kernels + 1), at most 100.
  const minSigma = options.magicClip ? (high - low) / Math.min(100, 1 + (nObs + 1)) : EPS;
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, j) => (sigmas[i] = Math.min(Math.max(sorted[j], minSigma), maxSigma)));
  return sigmas;
}

function adaptedBounds(d: Numerical): [number, number] {
  const lo = d.low - d.step / 2, hi = d.high + d.step / 2;
  return d.log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
}

function kernelLogPdf(d: Numerical, k: number, x: number): number {
  const mu = d.mus[k], sigma = d.sigmas[k];
  const [lo, hi] = adaptedBounds(d);
  if (d.step === 0) return truncnormLogPdf(d.log ? Math.log(x) : x, (lo - mu) / sigma, (hi - mu) / sigma, mu, sigma);
  // A discrete value owns the interval of width `step` around it: its mass, renormalised to the bounds.
  const left = d.log ? Math.log(x - d.step / 2) : x - d.step / 2;
  const right = d.log ? Math.log(x + d.step / 2) : x + d.step / 2;
  return logGaussMass((left - mu) / sigma, (right - mu) / sigma) - logGaussMass((lo - mu) / sigma, (hi - mu) / sigma);
}

// The index whose cumulative probability first exceeds u (as numpy's choice with p= and the categorical draw do).
function pick(probs: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < probs.length - 1; i++) {
    acc += probs[i];
    if (u < acc) return i;
  }
  return probs.length - 1;
}

// numpy's round: halves go to the even neighbour.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
