// Matrix products: MatMul/BatchMatMul/_FusedMatMul forward and, through them, their gradients,
// on labbook's Gemm (gemm.h).
#include <algorithm>
#include <cmath>
#include "common.h"
#include "gemm.h"
#include "parallel.h"
#include "portable-math.h"

namespace labbook {

void Sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc) {
  Gemm(M, N, K, Operand::Dense(A, lda, transA), Operand::Dense(B, ldb, transB), beta != 0.0f, C, ldc);
}

// matmul(a, b, out, batch, batchA, batchB, M, N, K, transA, transB): out[i] = op(a[i % batchA]) op(b[i % batchB])
// for i < batch; a is [batchA, M, K] (or [batchA, K, M] transposed), b [batchB, K, N] (or [N, K]).
static Napi::Value MatMul(const Napi::CallbackInfo& info) {
  int64_t batch = Int(info, 3), batchA = Int(info, 4), batchB = Int(info, 5);
  int64_t M = Int(info, 6), N = Int(info, 7), K = Int(info, 8);
  bool transA = Int(info, 9) != 0, transB = Int(info, 10) != 0;
  const float* a = F32(info, 0, batchA * M * K);
  if (!a) return info.Env().Undefined();
  const float* b = F32(info, 1, batchB * K * N);
  if (!b) return info.Env().Undefined();
  float* out = F32(info, 2, batch * M * N);
  if (!out) return info.Env().Undefined();
  // Many small products (attention's heads) go one per thread; a large one spreads itself.
  auto one = [&](int64_t i) {
    const float* ai = a + (batchA == 1 ? 0 : i) * M * K;
    const float* bi = b + (batchB == 1 ? 0 : i) * K * N;
    Sgemm(transA, transB, M, N, K, ai, transA ? M : K, bi, transB ? K : N, 0.0f, out + i * M * N, N);
  };
  const int64_t work = M * N * K;
  if (batch > 1 && work < (int64_t{1} << 22) && batch * work >= (int64_t{1} << 22)) {
    ParallelFor(batch, one);
  } else {
    for (int64_t i = 0; i < batch; ++i) one(i);
  }
  return info.Env().Undefined();
}

// The activations of ACTIVATIONS in kernels/matmul.ts, by index, with the cpu kernels' semantics
// (NaN passes through relu, -0 becomes +0; elu uses exp(x) - 1 as tfjs does). A template, so
// that BiasActivation's loops are compiled per activation and vectorize.
template <int Code>
static inline float Act(float x, float alpha) {
  switch (Code) {
    // Math.max(0, x) semantics: NaN stays NaN, -0 becomes +0.
    case 1: return x > 0.0f ? x : (x != x ? x : 0.0f);
    case 2: return x > 0.0f ? (x > 6.0f ? 6.0f : x) : (x != x ? x : 0.0f);
    case 3: return x >= 0.0f ? x : Exp(x) - 1.0f;
    case 4: return Sigmoid(x);
    case 5: return x < 0.0f ? alpha * x : x;
    default: return x;
  }
}

float Activate(float x, int code, float alpha) {
  switch (code) {
    case 1: return Act<1>(x, alpha);
    case 2: return Act<2>(x, alpha);
    case 3: return Act<3>(x, alpha);
    case 4: return Act<4>(x, alpha);
    case 5: return Act<5>(x, alpha);
    default: return x;
  }
}

// out = act(out + bias) over n elements; bias one per column (biasSize > 1), one value (1) or none (0).
template <int Code>
static void BiasAct(float* out, int64_t n, const float* bias, int64_t biasSize, float alpha) {
  if (biasSize > 1) {
    for (int64_t r = 0; r < n; r += biasSize)
      for (int64_t c = 0; c < biasSize; ++c) out[r + c] = Act<Code>(out[r + c] + bias[c], alpha);
  } else if (biasSize == 1) {
    const float b = bias[0];
    for (int64_t i = 0; i < n; ++i) out[i] = Act<Code>(out[i] + b, alpha);
  } else if (Code != 0) {
    for (int64_t i = 0; i < n; ++i) out[i] = Act<Code>(out[i], alpha);
  }
}

// biasActivation(out, bias, biasSize, code, alpha): out = act(out + bias) in place, bias either
// one value (biasSize 1), one per column (biasSize = columns), or none (biasSize 0).
static Napi::Value BiasActivation(const Napi::CallbackInfo& info) {
  int64_t biasSize = Int(info, 2);
  int code = static_cast<int>(Int(info, 3));
  float alpha = Float(info, 4);
  if (info.Length() < 1 || !info[0].IsTypedArray()) return info.Env().Undefined();
  int64_t n = info[0].As<Napi::Float32Array>().ElementLength();
  float* out = F32(info, 0, n);
  if (!out) return info.Env().Undefined();
  const float* bias = F32(info, 1, biasSize);
  if (!bias) return info.Env().Undefined();
  if (biasSize > 0 && n % biasSize != 0) {
    Napi::RangeError::New(info.Env(), "biasActivation: output size is not a multiple of the bias size").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  switch (code) {
    case 1: BiasAct<1>(out, n, bias, biasSize, alpha); break;
    case 2: BiasAct<2>(out, n, bias, biasSize, alpha); break;
    case 3: BiasAct<3>(out, n, bias, biasSize, alpha); break;
    case 4: BiasAct<4>(out, n, bias, biasSize, alpha); break;
    case 5: BiasAct<5>(out, n, bias, biasSize, alpha); break;
    default: BiasAct<0>(out, n, bias, biasSize, alpha);
  }
  return info.Env().Undefined();
}

void RegisterMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("biasActivation", Napi::Function::New(env, BiasActivation));
}

}  // namespace labbook
