/** The exact one-sided Smirnov tail P(D_n^+ ≥ x) (scipy.special.smirnov), which the two-sided KS p-value uses in its far tail. */

import { logGamma } from './special';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Birnbaum–Tingey: x Σ_{j ≤ n(1-x)} C(n, j) p_j^(j-1) q_j^(n-j) with p_j = x + j/n, q_j = 1 - p_j. Each term is a
 * binomial probability divided by p_j; those are taken in Loader's saddle-point form, because the plain logarithms of
 * C(n, j), p^j and q^(n-j) are each near n in size and cancel, losing 1e-10 of relative accuracy at n = 200,000.
 */
export function smirnovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const last = Math.floor(n * (1 - x));
  const logTerms: number[] = [];
  for (let j = 0; j <= last; j++) {
    const np = n * x + j;
    const nq = n * (1 - x) - j;
    if (nq <= 0) continue;
    logTerms.push(logBinomialPmf(j, n, np, nq) - Math.log(np / n));
  }
  let top = Number.NEGATIVE_INFINITY;
  for (const lt of logTerms) if (lt > top) top = lt;
  let sum = 0;
  for (const lt of logTerms) sum += Math.exp(lt - top);
  return x * sum * Math.exp(top);
}

/** log P(X = k) for X ~ Binomial(n, p), given n·p and n·q (Loader 2000, as R's dbinom). */
function logBinomialPmf(k: number, n: number, np: number, nq: number): number {
  if (k === 0) return n * Math.log(nq / n);
  if (k === n) return n * Math.log(np / n);
  const lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, np) - deviance(n - k, nq);
  const lf = LOG_2PI + Math.log(k) + Math.log1p(-k / n);
  return lc - 0.5 * lf;
}

/** log(n!) - log(√(2πn) (n/e)^n). */
function stirlingError(n: number): number {
  if (n <= 15) return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - 0.5 * LOG_2PI;
  const nn = n * n;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x log(x / m) + m - x without cancellation when x is near m. */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}
