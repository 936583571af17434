// Fused optimizer updates: one pass over a variable instead of a dozen element-wise kernels
// (each of which costs a tfjs dispatch and a full read and write of the tensor).
#include <algorithm>
#include <cmath>
#include "common.h"
#include "parallel.h"

namespace labbook {

// adamUpdate(w, m, v, g, outW, outM, outV, lr, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2,
// oneMinusBeta1, oneMinusBeta2), outputs fresh arrays: tfjs's AdamOptimizer step, term by term in its order:
// m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2, w' = w - lr (m' / c1) / (sqrt(v' / c2) + eps).
// 1 - b comes from the caller, computed in double as tfjs does: in float, 1 - 0.999f is off by 5e-5.
// Every array distinct (the outputs are fresh): restrict lets the compiler vectorize the loop
// (with seven possibly-aliasing pointers it would need more runtime overlap checks than it emits,
// and stays scalar).
static void Adam(const float* __restrict w, const float* __restrict m, const float* __restrict v,
                 const float* __restrict g, float* __restrict outW, float* __restrict outM, float* __restrict outV,
                 size_t n, float lr, float b1, float b2, float eps, float c1, float c2, float k1, float k2) {
  for (size_t i = 0; i < n; ++i) {
    const float mi = m[i] * b1 + g[i] * k1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * k2;
    outM[i] = mi;
    outV[i] = vi;
    outW[i] = ((mi / c1) / (std::sqrt(vi / c2) + eps)) * -lr + w[i];
  }
}

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
  const float lr = Float(info, 7), b1 = Float(info, 8), b2 = Float(info, 9), eps = Float(info, 10), c1 = Float(info, 11),
              c2 = Float(info, 12), k1 = Float(info, 13), k2 = Float(info, 14);
  // Elements are independent: slices over threads give the same bits. A large layer's update
  // (the MLP's 100k-weight kernel) is a few percent of a step, worth halving on two CPUs.
  constexpr size_t kSlice = 32768;
  ParallelFor(static_cast<int64_t>((n + kSlice - 1) / kSlice), [&](int64_t s) {
    const size_t i = static_cast<size_t>(s) * kSlice, len = std::min(kSlice, n - i);
    Adam(w + i, m + i, v + i, g + i, outW + i, outM + i, outV + i, len, lr, b1, b2, eps, c1, c2, k1, k2);
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
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares));
}

}  // namespace labbook
