// Element-wise kernels: broadcasting binary ops, unary ops and AddN in float32, with the tfjs cpu
// kernels' semantics (they compute in JS doubles and round to float32): where float arithmetic
// rounds the same way (+ - * /, sqrt) it is used directly, elsewhere the edge cases (NaN, signed
// zeros, JS Math.pow/max/min) are spelled out. Each op is a template argument, so the loops
// below are instantiated per op and the op switch runs once per call, not per element.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include "common.h"
#include "parallel.h"
#include "portable-math.h"

namespace labbook {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
// More elements than any typed array holds; a larger product of dims is refused before it overflows.
constexpr int64_t kMaxElements = int64_t{1} << 40;

using pm::Bits;
inline float FromBits(uint32_t u) { return pm::FromBits32(u); }

// Element-wise loops are sliced over threads every kSlice elements (each element is its own
// computation, so the bits never depend on it).
constexpr int64_t kSlice = kElementwiseSlice;
// Broadcasts sliced by their outermost dim have at most this rank (tfjs's stop at 6); a deeper
// one is walked on the calling thread.
constexpr int kMaxSlicedRank = 8;

// Binary ops, in the order of BINARY_OPS in kernels/elementwise.ts.
struct Add { static float F(float a, float b) { return a + b; } };
struct Sub { static float F(float a, float b) { return a - b; } };
struct Mul { static float F(float a, float b) { return a * b; } };
struct Div { static float F(float a, float b) { return a / b; } };
// Math.max: NaN when either is NaN; of equal values the bits AND'ed, so +0 wins over -0.
struct Max {
  static float F(float a, float b) {
    if (a != a || b != b) return kNaN;
    return a == b ? FromBits(Bits(a) & Bits(b)) : (a > b ? a : b);
  }
};
// Math.min: the bits OR'ed, so -0 wins over +0.
struct Min {
  static float F(float a, float b) {
    if (a != a || b != b) return kNaN;
    return a == b ? FromBits(Bits(a) | Bits(b)) : (a < b ? a : b);
  }
};
// (a - b)^2 in double as JS does: rounding the difference to float first could change the last bit.
struct SquaredDifference {
  static float F(float a, float b) {
    double d = static_cast<double>(a) - b;
    return static_cast<float>(d * d);
  }
};
// Math.pow's special values (not C's) are labbook::Pow's own.
struct Pow { static float F(float a, float b) { return labbook::Pow(a, b); } };
struct Prelu { static float F(float x, float alpha) { return x < 0.0f ? alpha * x : x; } };

// One run of the innermost collapsed dim, where a and b each advance by 0 or 1 element: those
// stride pairs get loops of their own, which the compiler vectorizes; any other pair (a scalar
// result's (0, 0)) takes the plain loop.
template <class Op>
void Row(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::F(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Op::F(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Op::F(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = Op::F(a[i * sa], b[i * sb]);
  }
}

// out (row-major over dims) = Op(a, b); dims holds (size, aStride, bStride) per collapsed dim,
// outermost first. The outer dims are walked with an odometer, the innermost one by Row.
template <class Op>
void Walk(const float* a, const float* b, float* out, const int32_t* dims, int rank) {
  const int last = rank - 1;
  const int64_t inner = dims[3 * last];
  std::vector<int64_t> index(rank, 0);
  int64_t ao = 0, bo = 0;
  for (float* o = out;; o += inner) {
    Row<Op>(a + ao, dims[3 * last + 1], b + bo, dims[3 * last + 2], o, inner);
    int d = last - 1;
    for (; d >= 0; --d) {
      const int32_t* dim = dims + 3 * d;
      ao += dim[1];
      bo += dim[2];
      if (++index[d] < dim[0]) break;
      ao -= static_cast<int64_t>(dim[1]) * dim[0];
      bo -= static_cast<int64_t>(dim[2]) * dim[0];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

// Walk, sliced over threads by the outermost dim (by elements when there is only one).
template <class Op>
void Broadcast(const float* a, const float* b, float* out, const int32_t* dims, int rank) {
  if (rank == 1) {
    return ParallelSlices(dims[0], kSlice, [&](int64_t i0, int64_t i1) {
      Row<Op>(a + i0 * dims[1], dims[1], b + i0 * dims[2], dims[2], out + i0, i1 - i0);
    });
  }
  if (rank > kMaxSlicedRank) return Walk<Op>(a, b, out, dims, rank);
  int64_t inner = 1;  // elements of out per index of the outermost dim
  for (int d = 1; d < rank; ++d) inner *= dims[3 * d];
  ParallelSlices(dims[0], std::max<int64_t>(1, kSlice / inner), [&](int64_t i0, int64_t i1) {
    int32_t part[3 * kMaxSlicedRank];
    std::copy(dims, dims + 3 * rank, part);
    part[0] = static_cast<int32_t>(i1 - i0);
    Walk<Op>(a + i0 * dims[1], b + i0 * dims[2], out + i0 * inner, part, rank);
  });
}

// binary(op, a, b, out, dims): dims as for Broadcast (from collapse() in kernels/elementwise.ts).
// Every index it implies is checked against the arrays' lengths before anything is written.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(Int(info, 0));
  if (info.Length() < 5 || !info[4].IsTypedArray()) {
    Napi::TypeError::New(env, "binary: argument 4: expected an Int32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t dimsLength = info[4].As<Napi::TypedArray>().ElementLength();
  const int32_t* dims = I32(info, 4, dimsLength);
  if (!dims) return env.Undefined();
  const int rank = static_cast<int>(dimsLength / 3);
  int64_t n = 1, aLast = 0, bLast = 0;
  bool bad = rank == 0 || dimsLength % 3 != 0;
  for (int d = 0; d < rank && !bad; ++d) {
    const int32_t* dim = dims + 3 * d;
    bad = dim[0] < 1 || dim[1] < 0 || dim[2] < 0 || n > kMaxElements / dim[0];
    n *= dim[0];
    aLast += static_cast<int64_t>(dim[0] - 1) * dim[1];
    bLast += static_cast<int64_t>(dim[0] - 1) * dim[2];
  }
  if (bad) {
    Napi::RangeError::New(env, "binary: dims must be (size >= 1, stride >= 0, stride >= 0) triples of a real size")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* a = F32(info, 1, aLast + 1);
  if (!a) return env.Undefined();
  const float* b = F32(info, 2, bLast + 1);
  if (!b) return env.Undefined();
  float* out = F32(info, 3, n);
  if (!out) return env.Undefined();
  switch (op) {
    case 0: Broadcast<Add>(a, b, out, dims, rank); break;
    case 1: Broadcast<Sub>(a, b, out, dims, rank); break;
    case 2: Broadcast<Mul>(a, b, out, dims, rank); break;
    case 3: Broadcast<Div>(a, b, out, dims, rank); break;
    case 4: Broadcast<Max>(a, b, out, dims, rank); break;
    case 5: Broadcast<Min>(a, b, out, dims, rank); break;
    case 6: Broadcast<SquaredDifference>(a, b, out, dims, rank); break;
    case 7: Broadcast<Pow>(a, b, out, dims, rank); break;
    case 8: Broadcast<Prelu>(a, b, out, dims, rank); break;
    default: Napi::RangeError::New(env, "binary: unknown op " + std::to_string(op)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// Unary ops, in the order of UNARY_OPS in kernels/elementwise.ts. lo/hi: the op's attrs (LeakyRelu's
// and Step's alpha in lo; ClipByValue's min and max), in double as the cpu kernels use them, and
// rounded to float as they end up in the output.
struct Params {
  double lo, hi;
  float loF, hiF;
};

// Math.max(0, x): NaN stays NaN and -0 becomes +0.
struct Relu { static float F(float x, const Params&) { return x > 0.0f ? x : (x != x ? x : 0.0f); } };
struct Relu6 {
  static float F(float x, const Params&) { return x > 0.0f ? (x > 6.0f ? 6.0f : x) : (x != x ? x : 0.0f); }
};
// exp(x) - 1 in double, the cpu kernel's formula: it rounds tiny negative x to 0 where a float
// expm1 would not.
struct Elu {
  static float F(float x, const Params&) { return x >= 0.0f ? x : static_cast<float>(ExpD(x) - 1.0); }
};
struct Exp { static float F(float x, const Params&) { return labbook::Exp(x); } };
struct Log { static float F(float x, const Params&) { return labbook::Log(x); } };
struct Log1p { static float F(float x, const Params&) { return labbook::Log1p(x); } };
struct Sqrt { static float F(float x, const Params&) { return std::sqrt(x); } };
// 1 / sqrt(x) rounded once, as the double computation is.
struct Rsqrt { static float F(float x, const Params&) { return static_cast<float>(1.0 / std::sqrt(static_cast<double>(x))); } };
struct Square { static float F(float x, const Params&) { return x * x; } };
struct Neg { static float F(float x, const Params&) { return -x; } };
struct Abs { static float F(float x, const Params&) { return std::fabs(x); } };
// 1 / (1 + exp(-x)) in double, as the cpu kernel computes it (no float overflow of exp(-x)).
struct Sigmoid { static float F(float x, const Params&) { return labbook::Sigmoid(x); } };
struct Tanh { static float F(float x, const Params&) { return labbook::Tanh(x); } };
// tf.nn.softplus's thresholds, log(float epsilon) + 2 and its negation: JS's
// Math.log(1.1920928955078125e-7) + 2.0 written out, so no libm runs even at load.
constexpr double kSoftplusThreshold = -13.942385152878742;
// The cpu kernel's formula in double: exp(x), x, or log(1 + exp(x)), rounded once.
struct Softplus {
  static float F(float x, const Params&) {
    if (x != x) return kNaN;  // canonical, like labbook::Exp and friends
    if (x < kSoftplusThreshold) return labbook::Exp(x);
    if (x > -kSoftplusThreshold) return x;
    return static_cast<float>(LogD(1.0 + ExpD(x)));
  }
};
struct Step {
  static float F(float x, const Params& p) { return x != x ? x : (x > 0.0f ? 1.0f : p.loF); }
};
// tfjs's erf approximation (Abramowitz-Stegun 7.1.26, backend_util.ERF_*), in double like the cpu kernel.
struct Erf {
  static float F(float xf, const Params&) {
    const double x = xf, v = std::fabs(x);
    const double sign = x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
    const double t = 1.0 / (1.0 + 0.3275911 * v);
    const double poly = ((((1.061405429 * t + -1.453152027) * t + 1.421413741) * t + -0.284496736) * t + 0.254829592) * t;
    return static_cast<float>(sign * (1.0 - poly * ExpD(-v * v)));
  }
};
struct Reciprocal { static float F(float x, const Params&) { return 1.0f / x; } };
struct LeakyRelu {
  static float F(float x, const Params& p) { return x < 0.0f ? static_cast<float>(p.lo * x) : x; }
};
struct ClipByValue {
  static float F(float x, const Params& p) {
    return x > p.hi ? p.hiF : (x < p.lo ? p.loF : x);
  }
};

template <class Op>
void Map(const float* x, float* out, int64_t n, const Params& p) {
  ParallelSlices(n, kSlice, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = Op::F(x[i], p);
  });
}

// unary(op, x, out, lo, hi): out[i] = op(x[i]) for every element of out.
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int op = static_cast<int>(Int(info, 0));
  if (info.Length() < 3 || !info[2].IsTypedArray()) {
    Napi::TypeError::New(env, "unary: argument 2: expected a Float32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t n = info[2].As<Napi::TypedArray>().ElementLength();
  const float* x = F32(info, 1, n);
  if (!x) return env.Undefined();
  float* out = F32(info, 2, n);
  if (!out) return env.Undefined();
  const double lo = Double(info, 3), hi = Double(info, 4);
  const Params p{lo, hi, static_cast<float>(lo), static_cast<float>(hi)};
  switch (op) {
    case 0: Map<Relu>(x, out, n, p); break;
    case 1: Map<Relu6>(x, out, n, p); break;
    case 2: Map<Elu>(x, out, n, p); break;
    case 3: Map<Exp>(x, out, n, p); break;
    case 4: Map<Log>(x, out, n, p); break;
    case 5: Map<Log1p>(x, out, n, p); break;
    case 6: Map<Sqrt>(x, out, n, p); break;
    case 7: Map<Rsqrt>(x, out, n, p); break;
    case 8: Map<Square>(x, out, n, p); break;
    case 9: Map<Neg>(x, out, n, p); break;
    case 10: Map<Abs>(x, out, n, p); break;
    case 11: Map<Sigmoid>(x, out, n, p); break;
    case 12: Map<Tanh>(x, out, n, p); break;
    case 13: Map<Softplus>(x, out, n, p); break;
    case 14: Map<Step>(x, out, n, p); break;
    case 15: Map<Erf>(x, out, n, p); break;
    case 16: Map<Reciprocal>(x, out, n, p); break;
    case 17: Map<LeakyRelu>(x, out, n, p); break;
    case 18: Map<ClipByValue>(x, out, n, p); break;
    default: Napi::RangeError::New(env, "unary: unknown op " + std::to_string(op)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// addN(inputs, out): out = ((0 + inputs[0]) + inputs[1]) + ..., rounded to float after every
// addition like the cpu kernel's Float32Array accumulator (so a lone -0 becomes +0 as there).
Napi::Value AddN(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsTypedArray()) {
    Napi::TypeError::New(env, "addN: expected (Float32Array[], Float32Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t n = info[1].As<Napi::TypedArray>().ElementLength();
  float* out = F32(info, 1, n);
  if (!out) return env.Undefined();
  Napi::Array inputs = info[0].As<Napi::Array>();
  std::vector<const float*> xs;
  for (uint32_t k = 0; k < inputs.Length(); ++k) {
    Napi::Value v = inputs.Get(k);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength()) < n) {
      Napi::TypeError::New(env, "addN: input " + std::to_string(k) + ": expected a Float32Array of " + std::to_string(n) + " elements")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    xs.push_back(v.As<Napi::Float32Array>().Data());
  }
  // Block by block, so the partial sums stay in cache across the inputs; each element still sees
  // the inputs in order.
  constexpr int64_t kBlock = 4096;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    std::fill(out + start, out + end, 0.0f);
    for (const float* x : xs)
      for (int64_t i = start; i < end; ++i) out[i] += x[i];
  }
  return env.Undefined();
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("addN", Napi::Function::New(env, AddN));
}

}  // namespace labbook
