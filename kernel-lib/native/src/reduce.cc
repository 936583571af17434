// Reductions (Sum, Prod, Mean, Max, Min, ArgMax, ArgMin) and Softmax with the cpu kernels' arithmetic:
// sums and products accumulate in double (JS numbers) and round once to float32, each output's
// terms are taken in the order the cpu kernel takes them, and a NaN wins Max/Min as it does there.
#include <cmath>
#include <vector>
#include "common.h"
#include "portable-math.h"

namespace labbook {

namespace {

// One reduction: Init(first term) starts an accumulator, Step adds a term, Finish rounds it.
struct SumOp {
  using T = double;
  T Init(float) const { return 0.0; }
  T Step(T a, float v) const { return a + v; }
  float Finish(T a) const { return static_cast<float>(a); }
};

// The cpu Mean divides every term by the count in float32 first, then sums.
struct MeanOp {
  float count;
  using T = double;
  T Init(float) const { return 0.0; }
  T Step(T a, float v) const { return a + (v / count); }
  float Finish(T a) const { return static_cast<float>(a); }
};

struct ProdOp {
  using T = double;
  T Init(float) const { return 1.0; }
  T Step(T a, float v) const { return a * v; }
  float Finish(T a) const { return static_cast<float>(a); }
};

// Comparisons with NaN are false, so NaN is tested first: once seen it stays (as in the cpu kernels).
struct MaxOp {
  using T = float;
  T Init(float first) const { return first; }
  T Step(T a, float v) const { return std::isnan(v) || v > a ? v : a; }
  float Finish(T a) const { return a; }
};

struct MinOp {
  using T = float;
  T Init(float first) const { return first; }
  T Step(T a, float v) const { return std::isnan(v) || v < a ? v : a; }
  float Finish(T a) const { return a; }
};

// x is [outer, n, inner]; out[o, c] reduces x[o, 0..n, c] in increasing j. With inner > 1 the
// loop runs over a row of inner accumulators, so memory is read in order either way. n >= 1.
template <class R>
void Reduce(const float* x, float* out, int64_t outer, int64_t n, int64_t inner, const R& r) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = x + o * n;
      typename R::T a = r.Init(row[0]);
      for (int64_t j = 0; j < n; ++j) a = r.Step(a, row[j]);
      out[o] = r.Finish(a);
    }
    return;
  }
  std::vector<typename R::T> acc(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const float* block = x + o * n * inner;
    for (int64_t c = 0; c < inner; ++c) acc[c] = r.Init(block[c]);
    for (int64_t j = 0; j < n; ++j) {
      const float* row = block + j * inner;
      for (int64_t c = 0; c < inner; ++c) acc[c] = r.Step(acc[c], row[c]);
    }
    for (int64_t c = 0; c < inner; ++c) out[o * inner + c] = r.Finish(acc[c]);
  }
}

// The first index of the largest (Greater) or smallest value along j; a NaN counts only at j = 0,
// where it starts the search and no comparison ever beats it (the cpu kernels' rule).
template <bool Greater>
void ArgReduce(const float* x, int32_t* out, int64_t outer, int64_t n, int64_t inner) {
  std::vector<float> best(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const float* block = x + o * n * inner;
    int32_t* index = out + o * inner;
    for (int64_t c = 0; c < inner; ++c) best[c] = block[c], index[c] = 0;
    for (int64_t j = 1; j < n; ++j) {
      const float* row = block + j * inner;
      for (int64_t c = 0; c < inner; ++c) {
        if (Greater ? row[c] > best[c] : row[c] < best[c]) best[c] = row[c], index[c] = static_cast<int32_t>(j);
      }
    }
  }
}

}  // namespace

// reduce(x, out, outer, n, inner, op): out[o, c] = op over j of x[o, j, c]; op 0 sum, 1 prod,
// 2 max, 3 min, 4 mean. n >= 1.
static Napi::Value ReduceFn(const Napi::CallbackInfo& info) {
  int64_t outer = Int(info, 2), n = Int(info, 3), inner = Int(info, 4), op = Int(info, 5);
  const float* x = F32(info, 0, outer * n * inner);
  if (!x) return info.Env().Undefined();
  float* out = F32(info, 1, outer * inner);
  if (!out) return info.Env().Undefined();
  if (n < 1) {
    Napi::RangeError::New(info.Env(), "reduce: empty reduction").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  switch (op) {
    case 0: Reduce(x, out, outer, n, inner, SumOp{}); break;
    case 1: Reduce(x, out, outer, n, inner, ProdOp{}); break;
    case 2: Reduce(x, out, outer, n, inner, MaxOp{}); break;
    case 3: Reduce(x, out, outer, n, inner, MinOp{}); break;
    case 4: Reduce(x, out, outer, n, inner, MeanOp{static_cast<float>(n)}); break;
    default: Napi::RangeError::New(info.Env(), "reduce: unknown op").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// argReduce(x, out, outer, n, inner, greater): out[o, c] = the first j with the largest (greater 1)
// or smallest x[o, j, c]; out is an Int32Array. n >= 1.
static Napi::Value ArgReduceFn(const Napi::CallbackInfo& info) {
  int64_t outer = Int(info, 2), n = Int(info, 3), inner = Int(info, 4);
  bool greater = Int(info, 5) != 0;
  const float* x = F32(info, 0, outer * n * inner);
  if (!x) return info.Env().Undefined();
  int32_t* out = I32(info, 1, outer * inner);
  if (!out) return info.Env().Undefined();
  if (n < 1) {
    Napi::RangeError::New(info.Env(), "argReduce: empty reduction").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  if (greater) ArgReduce<true>(x, out, outer, n, inner);
  else ArgReduce<false>(x, out, outer, n, inner);
  return info.Env().Undefined();
}

// softmax(x, out, rows, n): each row of n, as the cpu kernel composes it: e = exp(x - max) in
// float32, the sum of e in double rounded to float32, then e / sum in float32.
static Napi::Value Softmax(const Napi::CallbackInfo& info) {
  int64_t rows = Int(info, 2), n = Int(info, 3);
  const float* x = F32(info, 0, rows * n);
  if (!x) return info.Env().Undefined();
  float* out = F32(info, 1, rows * n);
  if (!out) return info.Env().Undefined();
  if (n == 0) return info.Env().Undefined();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * n;
    float* y = out + r * n;
    float m = row[0];
    for (int64_t j = 0; j < n; ++j) m = MaxOp{}.Step(m, row[j]);
    // The exps in a loop of their own, so they vectorize (the in-order double sum would keep
    // the fused loop scalar); the same operations per element, so the same bits.
    for (int64_t j = 0; j < n; ++j) y[j] = Exp(row[j] - m);
    double sum = 0.0;
    for (int64_t j = 0; j < n; ++j) sum += y[j];
    float total = static_cast<float>(sum);
    for (int64_t j = 0; j < n; ++j) y[j] = y[j] / total;
  }
  return info.Env().Undefined();
}

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, ReduceFn));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduceFn));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
}

}  // namespace labbook
