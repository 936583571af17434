// A whole LSTM layer over a sequence, forward and backward (BPTT), in one call each: the tfjs
// layer unrolls into ~100 kernels per time step, and at these sizes the dispatch costs more than
// the arithmetic. Keras's LSTM: gates [i, f, c~, o], sigmoid gates, tanh cell, zero initial state.
// Layouts are batch-major like the layer's input: x [B, T, I], per-step buffers [B, T, *].
#include <cmath>
#include <vector>
#include "common.h"
#include "portable-math.h"

namespace labbook {

// lstmForward(x, kernel, recurrentKernel, bias, gates, cells, hs, B, T, I, U):
// gates [B, T, 4U] (activated i, f, c~, o), cells [B, T, U], hs [B, T, U].
static Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  const int64_t B = Int(info, 7), T = Int(info, 8), I = Int(info, 9), U = Int(info, 10), G = 4 * U;
  const float* x = F32(info, 0, B * T * I);
  const float* W = x ? F32(info, 1, I * G) : nullptr;
  const float* R = W ? F32(info, 2, U * G) : nullptr;
  const float* bias = R ? F32(info, 3, G) : nullptr;
  float* gates = bias ? F32(info, 4, B * T * G) : nullptr;
  float* cells = gates ? F32(info, 5, B * T * U) : nullptr;
  float* hs = cells ? F32(info, 6, B * T * U) : nullptr;
  if (!hs) return info.Env().Undefined();
  // Every step's input projection at once: [B*T, I] x [I, 4U].
  Sgemm(false, false, B * T, G, I, x, I, W, G, 0.0f, gates, G);
  for (int64_t t = 0; t < T; ++t) {
    float* z = gates + t * G;  // row b at z + b * T * G
    if (t > 0) Sgemm(false, false, B, G, U, hs + (t - 1) * U, T * U, R, G, 1.0f, z, T * G);
    for (int64_t b = 0; b < B; ++b) {
      float* zb = z + b * T * G;
      float* c = cells + (b * T + t) * U;
      float* h = hs + (b * T + t) * U;
      const float* cPrev = t > 0 ? c - U : nullptr;
      for (int64_t j = 0; j < U; ++j) {
        const float i = Sigmoid(zb[j] + bias[j]);
        const float f = Sigmoid(zb[U + j] + bias[U + j]);
        const float g = Tanh(zb[2 * U + j] + bias[2 * U + j]);
        const float o = Sigmoid(zb[3 * U + j] + bias[3 * U + j]);
        zb[j] = i;
        zb[U + j] = f;
        zb[2 * U + j] = g;
        zb[3 * U + j] = o;
        c[j] = (cPrev ? f * cPrev[j] : 0.0f) + i * g;
        h[j] = o * Tanh(c[j]);
      }
    }
  }
  return info.Env().Undefined();
}

// lstmBackward(dy, x, kernel, recurrentKernel, gates, cells, hs, dx, dKernel, dRecurrentKernel, dBias,
// B, T, I, U, returnSequences): dy is [B, T, U] with returnSequences, else [B, U] (last step only).
static Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
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
  std::vector<float> dz(B * T * G), dh(B * U, 0.0f), dc(B * U, 0.0f), hPrev(B * T * U, 0.0f);
  for (int64_t t = T - 1; t >= 0; --t) {
    for (int64_t b = 0; b < B; ++b) {
      const float* gb = gates + (b * T + t) * G;
      float* dzb = dz.data() + (b * T + t) * G;
      const float* c = cells + (b * T + t) * U;
      const float* cPrev = t > 0 ? c - U : nullptr;
      const float* dyb = sequences ? dy + (b * T + t) * U : (t == T - 1 ? dy + b * U : nullptr);
      float* dhb = dh.data() + b * U;
      float* dcb = dc.data() + b * U;
      for (int64_t j = 0; j < U; ++j) {
        const float i = gb[j], f = gb[U + j], g = gb[2 * U + j], o = gb[3 * U + j];
        const float h = dhb[j] + (dyb ? dyb[j] : 0.0f);
        const float tc = Tanh(c[j]);
        const float dcj = dcb[j] + h * o * (1.0f - tc * tc);
        dzb[j] = dcj * g * i * (1.0f - i);
        dzb[U + j] = (cPrev ? dcj * cPrev[j] : 0.0f) * f * (1.0f - f);
        dzb[2 * U + j] = dcj * i * (1.0f - g * g);
        dzb[3 * U + j] = h * tc * o * (1.0f - o);
        dcb[j] = dcj * f;
      }
    }
    // dh for step t-1 = dz_t R^T.
    if (t > 0) Sgemm(false, true, B, U, G, dz.data() + t * G, T * G, R, G, 0.0f, dh.data(), U);
  }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 1; t < T; ++t)
      for (int64_t j = 0; j < U; ++j) hPrev[(b * T + t) * U + j] = hs[(b * T + t - 1) * U + j];
  Sgemm(true, false, I, G, B * T, x, I, dz.data(), G, 0.0f, dW, G);
  Sgemm(true, false, U, G, B * T, hPrev.data(), U, dz.data(), G, 0.0f, dR, G);
  Sgemm(false, true, B * T, I, G, dz.data(), G, W, G, 0.0f, dx, I);
  std::vector<double> sum(G, 0.0);
  for (int64_t r = 0; r < B * T; ++r)
    for (int64_t k = 0; k < G; ++k) sum[k] += dz[r * G + k];
  for (int64_t k = 0; k < G; ++k) db[k] = static_cast<float>(sum[k]);
  return info.Env().Undefined();
}

void RegisterRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("lstmForward", Napi::Function::New(env, LstmForward));
  exports.Set("lstmBackward", Napi::Function::New(env, LstmBackward));
}

}  // namespace labbook
