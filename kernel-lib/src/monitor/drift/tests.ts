/** Evidently's drift tests on two cleaned samples (no missing values): chi-squared, Z, normed Wasserstein, Jensen–Shannon, PSI. */

import { chiSquaredSf, normalSf } from './special';

export type Sample = readonly number[] | readonly string[];

export interface TestOutcome {
  statistic: number;
  pValue: number | null;
}

function valueCounts(sample: Sample): Map<number | string, number> {
  const counts = new Map<number | string, number>();
  for (const v of sample) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Categories seen on either side, in first-seen order (the order only changes rounding of sums). */
function categories(reference: Sample, current: Sample): (number | string)[] {
  return [...new Set<number | string>([...reference, ...current])];
}

/**
 * Evidently's chisquare: current counts against reference shares scaled to the current size, scipy.stats.chisquare,
 * df = categories - 1. A category absent from the reference has an expected count of 0, so the statistic is
 * infinite and p = 0, exactly as scipy gives it.
 */
export function chiSquareTest(reference: Sample, current: Sample): TestOutcome {
  const ref = valueCounts(reference);
  const cur = valueCounts(current);
  const keys = categories(reference, current);
  const kNorm = current.length / reference.length;
  let statistic = 0;
  for (const key of keys) {
    const expected = (ref.get(key) ?? 0) * kNorm;
    const observed = cur.get(key) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
  }
  return { statistic, pValue: chiSquaredSf(statistic, keys.length - 1) };
}

function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Evidently's z test for two proportions: the smallest category is 0, every other one 1 (so more than two categories
 * collapse to "first vs rest"), pooled two-sided Z. Both sides holding the same single value gives p = 1.
 */
export function zTest(reference: Sample, current: Sample): TestOutcome {
  const refKeys = new Set<number | string>(reference);
  const curKeys = new Set<number | string>(current);
  if (refKeys.size === 1 && curKeys.size === 1 && reference[0] === current[0]) return { statistic: 0, pValue: 1 };
  const first = categories(reference, current).sort(compareKeys)[0];
  const share = (sample: Sample) => {
    let ones = 0;
    for (const v of sample) if (v !== first) ones += 1;
    return ones / sample.length;
  };
  const n1 = reference.length;
  const n2 = current.length;
  const p1 = share(reference);
  const p2 = share(current);
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // Evidently writes 2 * (1 - cdf(|z|)), which loses every digit below 1e-16; the tail itself keeps them.
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)) };
}

/** First Wasserstein distance (scipy.stats.wasserstein_distance) divided by max(population std of the reference, 0.001). */
export function wassersteinNormed(reference: readonly number[], current: readonly number[]): number {
  const u = Float64Array.from(reference).sort();
  const v = Float64Array.from(current).sort();
  const all = new Float64Array(u.length + v.length);
  all.set(u);
  all.set(v, u.length);
  all.sort();
  let distance = 0;
  let iu = 0;
  let iv = 0;
  for (let i = 0; i < all.length - 1; i++) {
    const x = all[i];
    while (iu < u.length && u[iu] <= x) iu++;
    while (iv < v.length && v[iv] <= x) iv++;
    distance += Math.abs(iu / u.length - iv / v.length) * (all[i + 1] - x);
  }
  return distance / Math.max(populationStd(reference), 0.001);
}

function populationStd(sample: readonly number[]): number {
  let mean = 0;
  for (const x of sample) mean += x;
  mean /= sample.length;
  let ss = 0;
  for (const x of sample) ss += (x - mean) ** 2;
  return Math.sqrt(ss / sample.length);
}

/**
 * Evidently's get_binned_data: a numerical feature with more than 20 distinct reference values is cut into Sturges
 * bins over both samples (numpy's histogram_bin_edges(bins='sturges') and np.histogram); anything else is counted per
 * value. Shares are of each sample's size. With fillZeroes an empty bin gets min(non-zero share)/1e6 when that minimum
 * is ≤ 1e-4, else 1e-4 (PSI's epsilon, which keeps its logarithm finite).
 */
export function binnedShares(
  reference: Sample,
  current: Sample,
  numerical: boolean,
  integerValued: boolean,
  fillZeroes: boolean,
): [Float64Array, Float64Array] {
  let shares: [Float64Array, Float64Array];
  if (numerical && new Set<number | string>(reference).size > 20) {
    const edges = sturgesEdges([...(reference as number[]), ...(current as number[])], integerValued);
    shares = [histogram(reference as number[], edges), histogram(current as number[], edges)];
  } else {
    const keys = categories(reference, current);
    const ref = valueCounts(reference);
    const cur = valueCounts(current);
    shares = [
      Float64Array.from(keys, (k) => (ref.get(k) ?? 0) / reference.length),
      Float64Array.from(keys, (k) => (cur.get(k) ?? 0) / current.length),
    ];
  }
  if (fillZeroes) for (const s of shares) fillEmpty(s);
  return shares;
}

function fillEmpty(shares: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/** numpy's Sturges edges: width = ptp / (log2(n) + 1), ceil(ptp / width) bins, np.linspace's arithmetic. */
function sturgesEdges(values: number[], integerValued: boolean): Float64Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of values) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  let width = (hi - lo) / (Math.log2(values.length) + 1);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  // numpy widens bins of integer data to at least 1.
  if (width && integerValued && width < 1) width = 1;
  const bins = width ? Math.ceil((hi - lo) / width) : 1;
  const delta = hi - lo;
  const step = delta / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = (step === 0 ? (i / bins) * delta : i * step) + lo;
  edges[bins] = hi;
  return edges;
}

/** np.histogram with explicit edges, as shares of the sample: [e_i, e_i+1) with the last bin closed. */
function histogram(sample: readonly number[], edges: Float64Array): Float64Array {
  const sorted = Float64Array.from(sample).sort();
  const bound = (value: number, inclusive: boolean) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < value || (inclusive && sorted[mid] === value)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const bins = edges.length - 1;
  const shares = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    const upper = i === bins - 1 ? bound(edges[i + 1], true) : bound(edges[i + 1], false);
    shares[i] = (upper - bound(edges[i], false)) / sample.length;
  }
  return shares;
}

/** scipy.spatial.distance.jensenshannon(p, q, base=2): the square root of the JS divergence in bits. */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += pi * Math.log(pi / mi);
    if (qi > 0) divergence += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(divergence / Math.LN2, 0) / 2);
}

/** Population stability index: Σ (ref - cur) · ln(ref / cur) over zero-filled shares. */
export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) psi += (reference[i] - current[i]) * Math.log(reference[i] / current[i]);
  return psi;
}
