// Activation gradients in one pass (tfjs composes Relu's from Step and Multiply: two passes and a
// multi-MB temporary per layer and step).
#include <algorithm>
#include "common.h"
#include "parallel.h"

namespace labbook {

// reluGrad(dy, x, out, n): out = dy * step(x), as tfjs's mul(dy, step(x)): step(x) is 1 for
// x > 0, NaN for NaN x and 0 otherwise, so a NaN x gives NaN and a non-finite dy at x <= 0 gives
// NaN (inf * 0) where a select would give 0. Branch-free, so it vectorizes.
static Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  const int64_t n = Int(info, 3);
  const float* dy = F32(info, 0, n);
  const float* x = dy ? F32(info, 1, n) : nullptr;
  float* out = x ? F32(info, 2, n) : nullptr;
  if (!out) return info.Env().Undefined();
  // Threads split the elements in fixed slices (each element's formula is its own).
  ParallelSlices(n, kElementwiseSlice, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float s = x[i] > 0.0f ? 1.0f : (x[i] != x[i] ? x[i] : 0.0f);
      out[i] = dy[i] * s;
    }
  });
  return info.Env().Undefined();
}

void RegisterActivationGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
}

}  // namespace labbook
