// Float-precision exp, tanh and sigmoid for the LSTM kernels' gates, where portable-math.h's
// double versions (correctly rounded) cost most of a training step: ~4M of them per LSTM step.
// Same rules as there: one fixed sequence of IEEE float operations (+ - * /, std::fma, bit
// moves, selects; no libm, no contraction since the addon is built with -ffp-contract=off), so
// every x86-64 CPU gives the same bits, and written without branches so that a loop over an
// array vectorizes and its vector body and scalar tail agree bit for bit. std::fma is exact by
// definition (one rounding), so a build that lacked the instruction would still match.
// Error, measured over all 2^32 floats against glibc's double functions rounded to float
// (kernel-lib/native/test/portable-math-check.cc): ExpF and TanhF within 1 ulp, SigmoidF within
// 2 (97% of inputs exact); the same bits from x86-64-v2, v3 and AVX-512 builds.
// Special values follow JS Math: NaN gives the canonical quiet NaN, -0 stays -0 through tanh.
#pragma once
#include <cmath>
#include <cstdint>
#include "portable-math.h"

namespace labbook {
namespace pmf {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// Adding 1.5 * 2^23 rounds a float of magnitude < 2^22 to an integer (ties to even) and leaves it
// in the low mantissa bits: Bits(t) - kShiftBits is that integer.
constexpr float kShift = 0x1.8p23f;
constexpr int32_t kShiftBits = 0x4b400000;

inline float Pow2(int32_t n) { return pm::FromBits32(static_cast<uint32_t>(n + 127) << 23); }

}  // namespace pmf

// e^x. n = round(x log2 e), r = x - n ln2 in two fma steps (Cephes's split of ln 2: C1 * n is
// exact), e^r by Cephes's expf minimax polynomial, then 2^n applied in two halves so that results
// down in the subnormals round once and correctly from the normal y. x is clamped to [-104, 89]
// first: e^-104 rounds to 0 and e^89 overflows to inf, which the product then gives by itself.
inline float ExpF(float x) {
  const float xc = x > 89.0f ? 89.0f : (x < -104.0f ? -104.0f : (x == x ? x : 0.0f));
  const float t = xc * 0x1.715476p0f + pmf::kShift;
  const float n = t - pmf::kShift;
  const int32_t ni = static_cast<int32_t>(pm::Bits(t)) - pmf::kShiftBits;
  float r = std::fma(n, -0.693359375f, xc);
  r = std::fma(n, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  const float y = std::fma(p, r * r, r) + 1.0f;
  const int32_t n1 = ni >> 1;
  const float e = (y * pmf::Pow2(n1)) * pmf::Pow2(ni - n1);
  return x == x ? e : pmf::kNaN;
}

// tanh: below |x| = 0.625 Cephes's tanhf odd polynomial (no cancellation near 0), above it
// 1 - 2 / (e^2|x| + 1), which is 1 once e^2|x| is large (inf included). The sign is put back
// last, so -0 stays -0.
inline float TanhF(float x) {
  const uint32_t sign = pm::Bits(x) & 0x80000000u;
  const float a = pm::FromBits32(pm::Bits(x) & 0x7fffffffu);
  const float z = a * a;
  float p = -5.70498872745e-3f;
  p = std::fma(p, z, 2.06390887954e-2f);
  p = std::fma(p, z, -5.37397155531e-2f);
  p = std::fma(p, z, 1.33314422036e-1f);
  p = std::fma(p, z, -3.33332819422e-1f);
  const float small = std::fma(p * z, a, a);
  const float large = 1.0f - 2.0f / (ExpF(2.0f * a) + 1.0f);
  const float t = a < 0.625f ? small : large;
  return a == a ? pm::FromBits32(pm::Bits(t) | sign) : pmf::kNaN;
}

// 1 / (1 + e^-x), as e^-|x| (never overflows) over 1 + e^-|x| with numerator 1 for x >= 0 and
// e^x for x < 0: one division either way, and tiny results keep their relative accuracy.
inline float SigmoidF(float x) {
  const float a = pm::FromBits32(pm::Bits(x) & 0x7fffffffu);
  const float e = ExpF(-a);
  const float s = (x < 0.0f ? e : 1.0f) / (1.0f + e);
  return x == x ? s : pmf::kNaN;
}

}  // namespace labbook
