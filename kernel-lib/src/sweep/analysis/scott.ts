/** PED-ANOVA's Parzen estimator on a grid (Scott's-rule bandwidth), ported from Optuna's optuna/importance/_ped_anova/scott_parzen_estimator.py. */
import type { ParamSpec } from '../space';
import { logGaussMass } from '../truncnorm';

/** Optuna's `_n_steps`: a continuous domain is read on 50 evenly spaced points. */
export const N_STEPS = 50;

/** How many trials fall on each grid point (numbers) or choice (choices); values are in internal form (the number, or the choice's index). */
export function countOnGrid(spec: ParamSpec, values: readonly number[]): number[] {
  if (spec.kind === 'choice') return bincount(values, spec.choices.length);
  let n = N_STEPS;
  const log = spec.kind === 'logUniform' || (spec.kind === 'int' && spec.log);
  if (spec.kind === 'int' && spec.log) n = Math.min(Math.ceil(Math.log(spec.high - spec.low + 1) / Math.log(2)) + 1, n);
  else if (spec.kind === 'int') n = Math.min(Math.round((spec.high - spec.low) / spec.step) + 1, n);
  const low = log ? Math.log(spec.low) : spec.low;
  const high = log ? Math.log(spec.high) : spec.high;
  const size = (high - low) / (n - 1);
  // Optuna's rounding: a value halfway between two grid points goes to the lower one.
  const idx = values.map((v) => Math.min(Math.max(Math.ceil(((log ? Math.log(v) : v) - low) / size - 0.5), 0), n - 1));
  return bincount(idx, n);
}

function bincount(indices: readonly number[], n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const i of indices) out[i] += 1;
  return out;
}

/**
 * The density on every grid point 0..size-1 of the mixture fitted to `counts` (one kernel per
 * occupied point, weighted by its count, plus a prior), plus Optuna's 1e-12 floor.
 */
export function gridPdf(counts: readonly number[], categorical: boolean, priorWeight: number): number[] {
  const size = counts.length;
  const obs: number[] = [], w: number[] = [];
  counts.forEach((c, i) => c > 0 && (obs.push(i), w.push(c)));
  const mix = obs.length === 0 ? [1] : [...w, priorWeight];
  const total = mix.reduce((s, x) => s + x, 0);
  const weights = mix.map((x) => x / total);
  const grid = Array.from({ length: size }, (_, i) => i);
  const kernelLog = categorical ? categoricalKernels(obs, size, priorWeight) : numericalKernels(obs, w, size);
  return grid.map((x) => {
    const terms = weights.map((wk, k) => Math.log(wk) + kernelLog(k, x));
    let max = Math.max(...terms);
    if (max === -Infinity) max = 0;
    return Math.exp(Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0)) + max) + 1e-12;
  });
}

function categoricalKernels(obs: number[], nChoices: number, priorWeight: number): (k: number, x: number) => number {
  if (obs.length === 0) return () => Math.log(1 / nChoices);
  const nKernels = obs.length + 1;
  const rows = Array.from({ length: nKernels }, () => new Array<number>(nChoices).fill(priorWeight / nKernels));
  obs.forEach((c, k) => (rows[k][c] += 1));
  for (const row of rows) {
    const sum = row.reduce((s, x) => s + x, 0) || 1;
    for (let j = 0; j < row.length; j++) row[j] /= sum;
  }
  return (k, x) => Math.log(rows[k][x]);
}

// Discrete truncated normals on the integer grid [0, size-1]; the TPE bandwidth is too wide here, so Scott's rule (Scott 1992) as Optuna does.
function numericalKernels(obs: number[], w: number[], size: number): (k: number, x: number) => number {
  const low = 0, high = size - 1;
  const cum: number[] = [];
  w.reduce((s, x) => (cum.push(s + x), s + x), 0);
  const wsum = cum[cum.length - 1];
  const mean = obs.reduce((s, o, i) => s + o * w[i], 0) / wsum;
  let sigma = Math.sqrt(obs.reduce((s, o, i) => s + (o - mean) ** 2 * w[i], 0) / Math.max(1, wsum - 1));
  const q1 = searchSorted(cum, Math.floor(wsum / 4), 'left');
  const q3 = searchSorted(cum, Math.floor((wsum * 3) / 4), 'right');
  const iqr = obs[Math.min(obs.length - 1, q3)] - obs[q1];
  sigma = 1.059 * Math.min(iqr / 1.34, sigma) * wsum ** -0.2;
  // Optuna's floor: 1.64 sigma (90% of the mass) fits within half a grid step.
  const sigmaMin = 0.5 / 1.64;
  const mus = [...obs, (low + high) / 2];
  const sigmas = [...obs.map(() => Math.max(sigma, sigmaMin)), high - low + 1];
  return (k, x) => {
    const mu = mus[k], s = sigmas[k];
    return logGaussMass((x - 0.5 - mu) / s, (x + 0.5 - mu) / s) - logGaussMass((low - 0.5 - mu) / s, (high + 0.5 - mu) / s);
  };
}

// numpy's searchsorted on an ascending array: the first index i with a[i] >= v ('left') or a[i] > v ('right').
function searchSorted(a: readonly number[], v: number, side: 'left' | 'right'): number {
  const i = a.findIndex((x) => (side === 'left' ? x >= v : x > v));
  return i === -1 ? a.length : i;
}
