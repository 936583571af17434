// labbook's own exp, log, log1p, tanh, pow and sigmoid for the native kernels (not a general libm).
// Why not the C library's: glibc picks its float versions by CPU (ifunc FMA variants) and changes
// them between releases, so a checkpoint's bits would depend on the machine. These run one fixed
// sequence of IEEE double + - * / (and sqrt), with no libm call and no FMA (the addon is built with
// -ffp-contract=off), then round to float once: every x86-64 CPU computes the same bits, scalar or
// vectorized. Error: under 1e-15 relative before that rounding, so each float result is within
// 1 ulp of the correctly rounded one. Measured against glibc's double functions rounded to float
// (kernel-lib/native/test/portable-math-check.cc): over all 2^32 floats, Exp, Log, Tanh and
// Sigmoid equal for every input, Log1p for all but one (1 ulp); Pow equal on 2^26 sampled pairs.
// Special values follow JS: Math.fn(x) then Math.fround. Branches are written as selects where
// it is cheap, so the element-wise loops stay vectorizable.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace labbook {
namespace pm {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kLog2e = 0x1.71547652b82fep0;
// ln 2 split so that n * kLn2Hi is exact for |n| < 2^20 (fdlibm's split).
constexpr double kLn2Hi = 0x1.62e42feep-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
constexpr double kSqrt2 = 0x1.6a09e667f3bcdp0;
// Adding 1.5 * 2^52 rounds a double of magnitude < 2^51 to an integer (ties to even) and leaves
// that integer in the low bits: no float-to-int conversion, which would not vectorize everywhere.
constexpr double kShift = 0x1.8p52;
constexpr uint64_t kShiftBits = 0x4338000000000000ull;

inline uint64_t Bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline double FromBits64(uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
inline uint32_t Bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline float FromBits32(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// e^r - 1 for |r| <= ln2 / 2: Taylor series to r^13 (truncation < 4e-18 relative), r kept exact
// as the leading term so that tiny r keeps its relative accuracy.
inline double Expm1Reduced(double r) {
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  return r + (r * r) * p;
}

// y = n ln2 + r with |r| <= ln2 / 2 (plus rounding); returns r and 2^n (n within [-1022, 1023]).
inline double Reduce(double y, double* scale) {
  const double t = y * kLog2e + kShift;
  const double n = t - kShift;
  *scale = FromBits64((Bits(t) - kShiftBits + 1023) << 52);
  return (y - n * kLn2Hi) - n * kLn2Lo;
}

// log((1 + s) / (1 - s)) = 2 atanh(s) for |s| <= 3 - 2 sqrt(2) (0.1716): the odd series to s^21.
inline double Atanh2(double s) {
  const double z = s * s;
  double p = 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  const double s2 = 2.0 * s;
  return s2 + s2 * (z * p);
}

}  // namespace pm

// e^y in double for y in [-700, 709]; 0 below, +inf above (every float-rounded use saturates
// there anyway), NaN for NaN. Every NaN result is the one canonical quiet NaN, never the input's:
// whether a float NaN keeps its payload or signalling bit through float -> double -> float is
// the compiler's choice (an -O3 AVX-512 build folds the round trip away), so those bits would vary.
inline double ExpD(double y) {
  const double yc = y > 709.0 ? 709.0 : (y < -700.0 ? -700.0 : (y == y ? y : 0.0));
  double scale;
  const double r = pm::Reduce(yc, &scale);
  const double e = (1.0 + pm::Expm1Reduced(r)) * scale;
  return y != y ? pm::kNaN : (y > 709.0 ? pm::kInf : (y < -700.0 ? 0.0 : e));
}

// log(u) in double for a positive finite normal double u (callers handle the rest).
inline double LogD(double u) {
  const uint64_t b = pm::Bits(u);
  double m = pm::FromBits64((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
  // The biased exponent as a double without an int conversion (see kShift).
  double e = pm::FromBits64(pm::kShiftBits + (b >> 52)) - (pm::kShift + 1023.0);
  const bool high = m > pm::kSqrt2;
  m = high ? m * 0.5 : m;
  e = high ? e + 1.0 : e;
  const double lm = pm::Atanh2((m - 1.0) / (m + 1.0));  // m - 1 is exact (Sterbenz)
  return e * pm::kLn2Hi + (lm + e * pm::kLn2Lo);
}

inline float Exp(float x) { return static_cast<float>(ExpD(x)); }

inline float Log(float x) {
  const double d = x;
  const bool ok = d > 0.0 && d < pm::kInf;
  const double l = LogD(ok ? d : 1.0);
  // Math.log: NaN -> NaN, negative -> NaN, +-0 -> -inf, +inf -> +inf.
  const double special = d != d || d < 0.0 ? pm::kNaN : (d == 0.0 ? -pm::kInf : d);
  return static_cast<float>(ok ? l : special);
}

inline float Log1p(float x) {
  const double d = x;
  // Near 0, log1p(d) = 2 atanh(d / (2 + d)) keeps the relative accuracy that 1 + d would lose;
  // elsewhere 1 + d is exact (d <= -0.29) or its rounding costs < 1e-16 relative (d >= 0.41).
  const bool near = d > -0.2928932188134524 && d < 0.41421356237309515;
  const bool ok = d > -1.0 && d < pm::kInf;
  const double l = near ? pm::Atanh2(d / (2.0 + d)) : LogD(ok ? 1.0 + d : 1.0);
  // Math.log1p: NaN -> NaN, < -1 -> NaN, -1 -> -inf, +inf -> +inf, +-0 -> +-0 (the series gives it).
  const double special = d != d || d < -1.0 ? pm::kNaN : (d == -1.0 ? -pm::kInf : d);
  return static_cast<float>(ok ? l : special);
}

// tanh |x| = (e^2|x| - 1) / (e^2|x| + 1) with e^2|x| - 1 computed without cancellation; the sign
// bit of x is put back last, so -0 stays -0. Above 10 the float result is 1.
inline float Tanh(float x) {
  const uint32_t sign = pm::Bits(x) & 0x80000000u;
  const double a = static_cast<double>(pm::FromBits32(pm::Bits(x) & 0x7fffffffu));
  const double y = 2.0 * (a < 10.0 ? a : 10.0);
  double scale;
  const double q = pm::Expm1Reduced(pm::Reduce(y, &scale));
  const double em1 = scale * q + (scale - 1.0);  // exact e^y - 1 for n = 0, mild cancellation above
  const double t = a < 10.0 ? em1 / (em1 + 2.0) : 1.0;
  return a != a ? static_cast<float>(pm::kNaN) : pm::FromBits32(pm::Bits(static_cast<float>(t)) | sign);
}

// 1 / (1 + e^-x) in double rounded once (tfjs's formula in JS doubles): no float overflow of e^-x.
inline float Sigmoid(float x) {
  const double e = ExpD(-static_cast<double>(x));
  return x != x ? static_cast<float>(pm::kNaN) : static_cast<float>(1.0 / (1.0 + e));
}

namespace pm {
// For a finite float b: whether it is an integer and whether an odd one (|b| >= 2^24 is even).
inline void IntegerKind(float b, bool* integer, bool* odd) {
  const double d = b, a = d < 0.0 ? -d : d;
  if (a >= 0x1p24) {
    *integer = true;
    *odd = false;
    return;
  }
  const double t = a + kShift;
  *integer = t - kShift == a;
  *odd = *integer && (Bits(t) & 1u) != 0;
}
}  // namespace pm

// Math.pow(a, b) rounded to float, with ECMAScript's special values (which differ from C's: a NaN
// exponent always gives NaN, and (+-1)^(+-inf) is NaN). Like fdlibm, which V8's Math.pow is, the
// exact cases stay exact: integer exponents up to 64 multiply in double (exact while the powers fit
// in 53 bits), 0.5 is sqrt; the rest is exp(b log |a|).
inline float Pow(float a, float b) {
  const double inf = pm::kInf;
  if (b != b) return static_cast<float>(pm::kNaN);
  if (b == 0.0f) return 1.0f;
  if (a != a) return static_cast<float>(pm::kNaN);
  const double ad = a, bd = b;
  if (bd == inf || bd == -inf) {
    const double m = ad < 0.0 ? -ad : ad;
    if (m == 1.0) return static_cast<float>(pm::kNaN);
    return static_cast<float>((m > 1.0) == (bd > 0.0) ? inf : 0.0);
  }
  bool integer, odd;
  pm::IntegerKind(b, &integer, &odd);
  const bool negative = pm::Bits(a) >> 31 != 0;  // includes -0
  if (ad == 0.0 || ad == inf || ad == -inf) {
    // 0^b and inf^b: +inf/+0 by the sign of b (inverted for zeros), negative for -0/-inf and odd b.
    const bool big = (ad != 0.0) == (bd > 0.0);
    const double r = big ? inf : 0.0;
    return static_cast<float>(negative && odd ? -r : r);
  }
  if (negative && !integer) return static_cast<float>(pm::kNaN);
  const double m = negative ? -ad : ad;
  double r;
  if (bd == 0.5) {
    r = std::sqrt(m);  // IEEE-exact, unlike exp(log(m) / 2)
  } else if (integer && bd <= 64.0 && bd >= -64.0) {
    // Binary powering, most significant bit first: a fixed sequence of exact-or-rounded products.
    const int k = static_cast<int>(bd < 0.0 ? -bd : bd);
    r = 1.0;
    for (int bit = 6; bit >= 0; --bit) {
      r = r * r;
      if ((k >> bit) & 1) r = r * m;
    }
    r = bd < 0.0 ? 1.0 / r : r;
  } else {
    r = ExpD(bd * LogD(m));
  }
  return static_cast<float>(negative && odd ? -r : r);
}

}  // namespace labbook
