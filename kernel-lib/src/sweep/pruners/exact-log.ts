/** A correctly rounded natural log, so Hyperband counts brackets as Optuna does under glibc (not a general math module). */

// Math.log(3) in V8 is one ulp below the correctly rounded value glibc returns; Optuna's
// floor(log(243) / log(3)) is 4 there and would be 5 here, a different set of brackets.
const BITS = 256n;
const ONE = 1n << BITS;

/** 2 * atanh(z) for a fixed-point z (|z| <= 1/3): the series converges by a factor of 9 per term. */
function twoAtanh(z: bigint): bigint {
  const z2 = (z * z) >> BITS;
  let power = z;
  let sum = 0n;
  for (let n = 1n; power !== 0n; n += 2n) {
    sum += power / n;
    power = (power * z2) >> BITS;
  }
  return 2n * sum;
}

const LN2 = twoAtanh(ONE / 3n);

/** ln(x) for a positive finite double, rounded to the nearest double. */
export function exactLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  let f = x;
  let k = 0;
  while (f >= 2) {
    f /= 2;
    k++;
  }
  while (f < 1) {
    f *= 2;
    k--;
  }
  // f is in [1, 2): f * 2**52 is an exact integer, so f is exact in fixed point.
  const fixed = BigInt(f * 2 ** 52) << (BITS - 52n);
  const z = ((fixed - ONE) << BITS) / (fixed + ONE);
  const ln = twoAtanh(z) + BigInt(k) * LN2;
  // Number(bigint) rounds to nearest; dividing by a power of two is exact.
  return Number(ln) / 2 ** Number(BITS);
}
