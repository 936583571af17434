// Fused optimizer updates: one pass over a variable instead of a dozen element-wise kernels
// (each of which costs a tfjs dispatch and a full read and write of the tensor).
#include <algorithm>
#include <cmath>
#include "common.h"
#include "gemm.h"
#include "parallel.h"

namespace labbook {
namespace {

// tfjs's AdamOptimizer step for one element, term by term in its order: m' = b1 m + (1 - b1) g,
// v' = b2 v + (1 - b2) g^2, w' = w - lr (m' / c1) / (sqrt(v' / c2) + eps). 1 - b (k1, k2) comes
// from the caller, computed in double as tfjs does: in float, 1 - 0.999f is off by 5e-5.
struct AdamStep {
  float lr, b1, b2, eps, c1, c2, k1, k2;
  struct Result { float w, m, v; };
  Result operator()(float w, float m, float v, float g) const {
    const float mi = m * b1 + g * k1;
    const float vi = v * b2 + (g * g) * k2;
    return {((mi / c1) / (std::sqrt(vi / c2) + eps)) * -lr + w, mi, vi};
  }
};

// Every array distinct (the outputs are fresh): restrict lets the compiler vectorize the loop
// (with seven possibly-aliasing pointers it would need more runtime overlap checks than it emits,
// and stays scalar).
inline void Adam(const float* __restrict w, const float* __restrict m, const float* __restrict v, const float* __restrict g,
                 float* __restrict outW, float* __restrict outM, float* __restrict outV, size_t n, const AdamStep step) {
  for (size_t i = 0; i < n; ++i) {
    const AdamStep::Result r = step(w[i], m[i], v[i], g[i]);
    outW[i] = r.w;
    outM[i] = r.m;
    outV[i] = r.v;
  }
}

// The same step written over w, m and v: four distinct arrays, each element read before it is written.
inline void AdamInPlace(float* __restrict w, float* __restrict m, float* __restrict v, const float* __restrict g, size_t n,
                        const AdamStep step) {
  for (size_t i = 0; i < n; ++i) {
    const AdamStep::Result r = step(w[i], m[i], v[i], g[i]);
    w[i] = r.w;
    m[i] = r.m;
    v[i] = r.v;
  }
}

// Both loops compiled twice (gemm.h's LABBOOK_TARGET_AVX512): a division, a square root and
// another division per element bound them, and 16 lanes do twice the elements per instruction
// on CPUs with full-width units.
void AdamAvx2(const float* w, const float* m, const float* v, const float* g, float* outW, float* outM, float* outV,
              size_t n, const AdamStep step) {
  Adam(w, m, v, g, outW, outM, outV, n, step);
}
LABBOOK_TARGET_AVX512 void AdamAvx512(const float* w, const float* m, const float* v, const float* g, float* outW,
                                      float* outM, float* outV, size_t n, const AdamStep step) {
  Adam(w, m, v, g, outW, outM, outV, n, step);
}
void AdamInPlaceAvx2(float* w, float* m, float* v, const float* g, size_t n, const AdamStep step) {
  AdamInPlace(w, m, v, g, n, step);
}
LABBOOK_TARGET_AVX512 void AdamInPlaceAvx512(float* w, float* m, float* v, const float* g, size_t n, const AdamStep step) {
  AdamInPlace(w, m, v, g, n, step);
}

// The step's scalars, as both entry points take them from argument `first` on: lr, beta1, beta2,
// epsilon, 1 - beta1^t, 1 - beta2^t, 1 - beta1, 1 - beta2.
AdamStep ReadStep(const Napi::CallbackInfo& info, size_t first) {
  float x[8];
  for (size_t k = 0; k < 8; ++k) x[k] = Float(info, first + k);
  return {x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]};
}

// Elements are independent: slices over threads give the same bits. A large layer's update
// (the MLP's 100k-weight kernel) is a few percent of a step, worth halving on two CPUs.
template <class Body>
void Sliced(size_t n, const Body& body) {
  ParallelSlices(static_cast<int64_t>(n), 32768, [&](int64_t i0, int64_t i1) { body(i0, i1 - i0); });
}

}  // namespace

// adamUpdate(w, m, v, g, outW, outM, outV, lr, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2,
// oneMinusBeta1, oneMinusBeta2): the step into fresh arrays outW, outM and outV.
static Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) return info.Env().Undefined();
  size_t n = info[0].As<Napi::Float32Array>().ElementLength();
  const float* w = F32(info, 0, n);
  const float* m = w ? F32(info, 1, n) : nullptr;
  const float* v = m ? F32(info, 2, n) : nullptr;
  const float* g = v ? F32(info, 3, n) : nullptr;
  float* outW = g ? F32(info, 4, n) : nullptr;
  float* outM = outW ? F32(info, 5, n) : nullptr;
  float* outV = outM ? F32(info, 6, n) : nullptr;
  if (!outV) return info.Env().Undefined();
  const AdamStep step = ReadStep(info, 7);
  const bool wide = Wide();
  Sliced(n, [&](size_t i, size_t len) {
    if (wide) AdamAvx512(w + i, m + i, v + i, g + i, outW + i, outM + i, outV + i, len, step);
    else AdamAvx2(w + i, m + i, v + i, g + i, outW + i, outM + i, outV + i, len, step);
  });
  return info.Env().Undefined();
}

// adamUpdateInPlace(w, m, v, g, lr, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2,
// oneMinusBeta1, oneMinusBeta2): adamUpdate's step into w, m and v themselves, which must be four
// distinct arrays of one length (kernels/optimizer.ts calls it only on storage nothing else sees).
static Napi::Value AdamUpdateInPlace(const Napi::CallbackInfo& info) {
  if (info.Length() < 4 || !info[0].IsTypedArray()) return info.Env().Undefined();
  size_t n = info[0].As<Napi::Float32Array>().ElementLength();
  float* w = F32(info, 0, n);
  float* m = w ? F32(info, 1, n) : nullptr;
  float* v = m ? F32(info, 2, n) : nullptr;
  const float* g = v ? F32(info, 3, n) : nullptr;
  if (!g) return info.Env().Undefined();
  if (w == m || w == v || m == v || g == w || g == m || g == v) {
    Napi::RangeError::New(info.Env(), "adamUpdateInPlace: w, m, v and g must be four distinct arrays").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const AdamStep step = ReadStep(info, 4);
  const bool wide = Wide();
  Sliced(n, [&](size_t i, size_t len) {
    if (wide) AdamInPlaceAvx512(w + i, m + i, v + i, g + i, len, step);
    else AdamInPlaceAvx2(w + i, m + i, v + i, g + i, len, step);
  });
  return info.Env().Undefined();
}

// sumOfSquares(x): the sum of x[i]^2 in double, in index order (the global gradient norm sums
// these over every gradient, in the order given, before one square root).
static Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) return info.Env().Undefined();
  size_t n = info[0].As<Napi::Float32Array>().ElementLength();
  const float* x = F32(info, 0, n);
  if (!x) return info.Env().Undefined();
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return Napi::Number::New(info.Env(), sum);
}

void RegisterOptimizer(Napi::Env env, Napi::Object exports) {
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("adamUpdateInPlace", Napi::Function::New(env, AdamUpdateInPlace));
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares));
}

}  // namespace labbook
