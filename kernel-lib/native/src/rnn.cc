// A whole LSTM layer over a sequence, forward and backward (BPTT), in one call each: the tfjs
// layer unrolls into ~100 kernels per time step, and at these sizes the dispatch costs more than
// the arithmetic. Keras's LSTM: gates [i, f, c~, o], sigmoid gates, tanh cell, zero initial state.
// Layouts are batch-major like the layer's input: x [B, T, I], per-step buffers [B, T, *].
// The activations are portable-math-float.h's float ones, applied to whole gate rows so that the
// loops vectorize (the double ones were most of a training step). Every sum is one of Gemm's
// chains, computed by Gemm or by rnn-product.h's tiles, which skip Gemm's per-call packing.
#include <algorithm>
#include <memory>
#include <vector>
#include "common.h"
#include "gemm.h"
#include "parallel.h"
#include "rnn-product.h"
#include "portable-math-float.h"

namespace labbook {
namespace {

Operand Dense(const float* p, int64_t ld) { return Operand::Dense(p, ld, false); }

// The recurrence is sequential in t but independent across batch rows: body(b0, b1) runs the
// whole sequence for rows [b0, b1), one block per thread, with no synchronisation per step.
// Every output is computed by the same operations whatever the blocks (a row's products are
// its own chains), so the thread count changes no bit.
void ForRowBlocks(int64_t B, const std::function<void(int64_t, int64_t)>& body) {
  const int64_t blocks = std::min<int64_t>(Threads(), B);
  if (blocks <= 1) return body(0, B);
  ParallelFor(blocks, [&](int64_t k) { body(B * k / blocks, B * (k + 1) / blocks); });
}

// One step of one batch row: z (the row's 4U pre-activations, bias not yet added) becomes the
// activated gates, and the cell and output follow. cPrev is null at t = 0 (zero initial state).
__attribute__((always_inline)) inline void ForwardRow(float* z, const float* bias, const float* cPrev, float* c, float* h,
                                                     int64_t U) {
  for (int64_t j = 0; j < 2 * U; ++j) z[j] = SigmoidF(z[j] + bias[j]);
  for (int64_t j = 2 * U; j < 3 * U; ++j) z[j] = TanhF(z[j] + bias[j]);
  for (int64_t j = 3 * U; j < 4 * U; ++j) z[j] = SigmoidF(z[j] + bias[j]);
  const float *i = z, *f = z + U, *g = z + 2 * U, *o = z + 3 * U;
  if (cPrev != nullptr) {
    for (int64_t j = 0; j < U; ++j) c[j] = f[j] * cPrev[j] + i[j] * g[j];
  } else {
    for (int64_t j = 0; j < U; ++j) c[j] = 0.0f + i[j] * g[j];
  }
  for (int64_t j = 0; j < U; ++j) h[j] = o[j] * TanhF(c[j]);
}

// One step of one batch row backward: from the gates, the cell, dh (the recurrent gradient) plus
// dy's row (zeros where dy has none) and dc, the row's dz; dc becomes the previous step's. First:
// t = 0, whose previous cell is the zero initial state. Branch-free in j, and __restrict (the
// buffers are distinct) spares GCC more aliasing checks than it will version a loop for: with
// both, the loop vectorizes.
template <bool First>
__attribute__((always_inline)) inline void BackwardRow(const float* __restrict gb, const float* __restrict c, const float* __restrict dh,
                 const float* __restrict dyb, float* __restrict dc, float* __restrict dz, int64_t U) {
  const float *i = gb, *f = gb + U, *g = gb + 2 * U, *o = gb + 3 * U;
  for (int64_t j = 0; j < U; ++j) {
    const float h = dh[j] + dyb[j];
    const float tc = TanhF(c[j]);
    const float dcj = dc[j] + h * o[j] * (1.0f - tc * tc);
    dz[j] = dcj * g[j] * i[j] * (1.0f - i[j]);
    dz[U + j] = (First ? 0.0f : dcj * c[j - U]) * f[j] * (1.0f - f[j]);
    dz[2 * U + j] = dcj * i[j] * (1.0f - g[j] * g[j]);
    dz[3 * U + j] = h * tc * o[j] * (1.0f - o[j]);
    dc[j] = dcj * f[j];
  }
}

// The row functions twice: for x86-64-v3 (8 floats a vector) and, chosen at run time on the
// avx512 path like gemm's tiles, compiled for AVX-512 (16 a vector; ~1.6x faster activations).
// The same IEEE operations lane by lane, so both give the same bits (native-lstm-math.test.ts).
using ForwardFn = void (*)(float*, const float*, const float*, float*, float*, int64_t);
using BackwardFn = void (*)(const float*, const float*, const float*, const float*, float*, float*, int64_t);
void ForwardRowAvx2(float* z, const float* bias, const float* cPrev, float* c, float* h, int64_t U) {
  ForwardRow(z, bias, cPrev, c, h, U);
}
LABBOOK_TARGET_AVX512 void ForwardRowAvx512(float* z, const float* bias, const float* cPrev, float* c, float* h, int64_t U) {
  ForwardRow(z, bias, cPrev, c, h, U);
}
template <bool First>
void BackwardRowAvx2(const float* gb, const float* c, const float* dh, const float* dyb, float* dc, float* dz, int64_t U) {
  BackwardRow<First>(gb, c, dh, dyb, dc, dz, U);
}
template <bool First>
LABBOOK_TARGET_AVX512 void BackwardRowAvx512(const float* gb, const float* c, const float* dh, const float* dyb, float* dc,
                                      float* dz, int64_t U) {
  BackwardRow<First>(gb, c, dh, dyb, dc, dz, U);
}

// lstmForward(x, kernel, recurrentKernel, bias, gates, cells, hs, B, T, I, U):
// gates [B, T, 4U] (activated i, f, c~, o), cells [B, T, U], hs [B, T, U].
Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  const int64_t B = Int(info, 7), T = Int(info, 8), I = Int(info, 9), U = Int(info, 10), G = 4 * U;
  const float* x = F32(info, 0, B * T * I);
  const float* W = x ? F32(info, 1, I * G) : nullptr;
  const float* R = W ? F32(info, 2, U * G) : nullptr;
  const float* bias = R ? F32(info, 3, G) : nullptr;
  float* gates = bias ? F32(info, 4, B * T * G) : nullptr;
  float* cells = gates ? F32(info, 5, B * T * U) : nullptr;
  float* hs = cells ? F32(info, 6, B * T * U) : nullptr;
  if (!hs) return info.Env().Undefined();
  // Each step's pre-activations in one product, [x_t | h_t-1] [kernel; recurrentKernel]: the
  // same chain per output as the input projection continued by the recurrent one (k over I,
  // then U), but one product with a longer k instead of two passes over the gates, and
  // [kernel; recurrentKernel] packed once for all steps (rnn-product.h). At t = 0 the state is
  // zero and only x_t's part runs.
  std::vector<float> WR((I + U) * G);
  std::copy(W, W + I * G, WR.begin());
  std::copy(R, R + U * G, WR.begin() + I * G);
  const StepProduct product(WR.data(), G, I + U, G);
  const ForwardFn forwardRow = Wide() ? ForwardRowAvx512 : ForwardRowAvx2;
  ForRowBlocks(B, [&](int64_t b0, int64_t b1) {
    const int64_t M = b1 - b0;
    std::vector<float> xh(M * (I + U));
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t b = b0; b < b1; ++b) {
        float* row = xh.data() + (b - b0) * (I + U);
        std::copy(x + (b * T + t) * I, x + (b * T + t + 1) * I, row);
        if (t > 0) std::copy(hs + (b * T + t - 1) * U, hs + (b * T + t) * U, row + I);
      }
      float* z = gates + t * G;  // row b at z + b * T * G
      product.Run(M, t > 0 ? I + U : I, xh.data(), I + U, z + b0 * T * G, T * G);
      for (int64_t b = b0; b < b1; ++b) {
        float* c = cells + (b * T + t) * U;
        forwardRow(z + b * T * G, bias, t > 0 ? c - U : nullptr, c, hs + (b * T + t) * U, U);
      }
    }
  });
  return info.Env().Undefined();
}

// lstmBackward(dy, x, kernel, recurrentKernel, gates, cells, hs, dx, dKernel, dRecurrentKernel, dBias,
// B, T, I, U, returnSequences): dy is [B, T, U] with returnSequences, else [B, U] (last step only).
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  const int64_t B = Int(info, 11), T = Int(info, 12), I = Int(info, 13), U = Int(info, 14), G = 4 * U;
  const bool sequences = Int(info, 15) != 0;
  const float* dy = F32(info, 0, sequences ? B * T * U : B * U);
  const float* x = dy ? F32(info, 1, B * T * I) : nullptr;
  const float* W = x ? F32(info, 2, I * G) : nullptr;
  const float* R = W ? F32(info, 3, U * G) : nullptr;
  const float* gates = R ? F32(info, 4, B * T * G) : nullptr;
  const float* cells = gates ? F32(info, 5, B * T * U) : nullptr;
  const float* hs = cells ? F32(info, 6, B * T * U) : nullptr;
  float* dx = hs ? F32(info, 7, B * T * I) : nullptr;
  float* dW = dx ? F32(info, 8, I * G) : nullptr;
  float* dR = dW ? F32(info, 9, U * G) : nullptr;
  float* db = dR ? F32(info, 10, G) : nullptr;
  if (!db) return info.Env().Undefined();
  // dz: every element is written before it is read, so it skips the zeroing (6 MB at the zoo's size).
  std::unique_ptr<float[]> dz(new float[B * T * G]);
  std::vector<float> dh(B * U, 0.0f), dc(B * U, 0.0f), RT(G * U), zeros(U, 0.0f);
  // The steps' products dh = dz_t R^T (rnn-product.h): R^T written out once, then packed once.
  for (int64_t k = 0; k < U; ++k)
    for (int64_t j = 0; j < G; ++j) RT[j * U + k] = R[k * G + j];
  const StepProduct product(RT.data(), U, G, U);
  const BackwardFn rowNext = Wide() ? BackwardRowAvx512<false> : BackwardRowAvx2<false>;
  const BackwardFn rowFirst = Wide() ? BackwardRowAvx512<true> : BackwardRowAvx2<true>;
  ForRowBlocks(B, [&](int64_t b0, int64_t b1) {
    for (int64_t t = T - 1; t >= 0; --t) {
      for (int64_t b = b0; b < b1; ++b) {
        const float* c = cells + (b * T + t) * U;
        const float* dyb = sequences ? dy + (b * T + t) * U : (t == T - 1 ? dy + b * U : zeros.data());
        float* dzb = dz.get() + (b * T + t) * G;
        (t > 0 ? rowNext : rowFirst)(gates + (b * T + t) * G, c, dh.data() + b * U, dyb, dc.data() + b * U, dzb, U);
      }
      // dh for step t-1 = dz_t R^T.
      if (t > 0) product.Run(b1 - b0, G, dz.get() + (b0 * T + t) * G, T * G, dh.data() + b0 * U, U);
    }
  });
  // dKernel and dRecurrentKernel in one product, [x | h_t-1]^T dz (h_-1 = 0): each output's chain
  // runs over the rows in order as in two products, and dz is packed once instead of twice.
  std::vector<float> xh(B * T * (I + U), 0.0f), dWR((I + U) * G);
  for (int64_t r = 0; r < B * T; ++r) {
    std::copy(x + r * I, x + (r + 1) * I, xh.begin() + r * (I + U));
    if (r % T > 0) std::copy(hs + (r - 1) * U, hs + r * U, xh.begin() + r * (I + U) + I);
  }
  ProductTransA(I + U, G, B * T, xh.data(), I + U, dz.get(), G, dWR.data());
  std::copy(dWR.begin(), dWR.begin() + I * G, dW);
  std::copy(dWR.begin() + I * G, dWR.end(), dR);
  // dx = dz kernel^T, on the step tiles (kernel^T written out and packed once) when I fills them.
  std::vector<float> WT(G * I);
  for (int64_t i = 0; i < I; ++i)
    for (int64_t k = 0; k < G; ++k) WT[k * I + i] = W[i * G + k];
  const StepProduct transposed(WT.data(), I, G, I);
  if (transposed.Whole()) transposed.RunRows(B * T, dz.get(), G, dx, I);
  else Gemm(B * T, I, G, Dense(dz.get(), G), Operand::Dense(W, G, true), false, dx, I);
  std::vector<double> sum(G, 0.0);
  for (int64_t r = 0; r < B * T; ++r)
    for (int64_t k = 0; k < G; ++k) sum[k] += dz[r * G + k];
  for (int64_t k = 0; k < G; ++k) db[k] = static_cast<float>(sum[k]);
  return info.Env().Undefined();
}

}  // namespace

void RegisterRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("lstmForward", Napi::Function::New(env, LstmForward));
  exports.Set("lstmBackward", Napi::Function::New(env, LstmBackward));
}

}  // namespace labbook
