// Layer normalization over the last axis, forward and backward in one call each
// (models/layers/layer-norm.ts). tfjs composes the forward from ~10 kernels and its gradient from
// ~30 (moments, rsqrt and their gradients through Pow, broadcasts, sums), each a pass over the
// activation and a dispatch.
//
// The forward is the composition's arithmetic as the native backend runs it: mean and variance as
// the Mean kernel takes them (each term divided by the width in float32, summed in double in
// order, rounded once), rsqrt as the Rsqrt kernel, then (x - mean) * rstd * gamma + beta in
// float32. So the forward gives the composition's bits. The gradient is the closed form
//   dx = rstd * ((g - mean(g)) - xhat * mean(g * xhat)),  g = dy * gamma, xhat = (x - mean) * rstd
// with its row sums in double in order; its bits differ from the composition's (same value to
// float rounding). Rows are split over threads; the column sums (dgamma, dbeta) run over rows in
// order on one thread, so no sum is ever split.
#include <algorithm>
#include <cmath>
#include <vector>
#include "common.h"
#include "parallel.h"

namespace labbook {

namespace {

// Rows are taken this many at a time: their sums are independent chains that overlap in the
// pipeline, while each row's own sum keeps its order.
constexpr int64_t kGroup = 8;
// Rows per thread task.
constexpr int64_t kRowsPerTask = 64;

// out[r] = float(sum over j of f(r, j) / width) in double, j ascending, for rows r0..r0+n-1 (n <= kGroup).
template <class F>
void RowMeans(int64_t n, int64_t width, float* out, const F& f) {
  double acc[kGroup] = {0, 0, 0, 0, 0, 0, 0, 0};
  const float w = static_cast<float>(width);
  for (int64_t j = 0; j < width; ++j)
    for (int64_t r = 0; r < n; ++r) acc[r] += f(r, j) / w;
  for (int64_t r = 0; r < n; ++r) out[r] = static_cast<float>(acc[r]);
}

// Runs body(first, count) over row groups of at most kGroup, spread over the pool in tasks.
template <class F>
void ForRowGroups(int64_t rows, const F& body) {
  const int64_t tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  ParallelFor(tasks, [&](int64_t t) {
    const int64_t end = std::min(rows, (t + 1) * kRowsPerTask);
    for (int64_t r = t * kRowsPerTask; r < end; r += kGroup) body(r, std::min(kGroup, end - r));
  });
}

}  // namespace

// layerNormForward(x, gamma, beta, y, mean, rstd, rows, width, epsilon): x, y [rows, width];
// mean and rstd [rows] are kept for the backward pass.
static Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  const int64_t rows = Int(info, 6), D = Int(info, 7);
  const float eps = Float(info, 8);
  const float* x = F32(info, 0, rows * D);
  const float* gamma = x ? F32(info, 1, D) : nullptr;
  const float* beta = gamma ? F32(info, 2, D) : nullptr;
  float* y = beta ? F32(info, 3, rows * D) : nullptr;
  float* mean = y ? F32(info, 4, rows) : nullptr;
  float* rstd = mean ? F32(info, 5, rows) : nullptr;
  if (!rstd) return info.Env().Undefined();
  if (D < 1) return info.Env().Undefined();
  ForRowGroups(rows, [&](int64_t r0, int64_t n) {
    const float* xs = x + r0 * D;
    RowMeans(n, D, mean + r0, [&](int64_t r, int64_t j) { return xs[r * D + j]; });
    float var[kGroup];
    RowMeans(n, D, var, [&](int64_t r, int64_t j) {
      const float dev = xs[r * D + j] - mean[r0 + r];
      return dev * dev;
    });
    for (int64_t r = 0; r < n; ++r) {
      const float s = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var[r] + eps)));
      rstd[r0 + r] = s;
      const float m = mean[r0 + r];
      float* yr = y + (r0 + r) * D;
      const float* xr = xs + r * D;
      for (int64_t j = 0; j < D; ++j) yr[j] = (xr[j] - m) * s * gamma[j] + beta[j];
    }
  });
  return info.Env().Undefined();
}

// layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, width).
static Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  const int64_t rows = Int(info, 8), D = Int(info, 9);
  const float* dy = F32(info, 0, rows * D);
  const float* x = dy ? F32(info, 1, rows * D) : nullptr;
  const float* gamma = x ? F32(info, 2, D) : nullptr;
  const float* mean = gamma ? F32(info, 3, rows) : nullptr;
  const float* rstd = mean ? F32(info, 4, rows) : nullptr;
  float* dx = rstd ? F32(info, 5, rows * D) : nullptr;
  float* dgamma = dx ? F32(info, 6, D) : nullptr;
  float* dbeta = dgamma ? F32(info, 7, D) : nullptr;
  if (!dbeta) return info.Env().Undefined();
  if (D < 1) return info.Env().Undefined();
  // xhat = (x - mean) * rstd is recomputed where it is needed (the same float ops, so the same
  // bits each time) instead of kept in a buffer the size of x.
  auto xhat = [&](int64_t r, int64_t j) { return (x[r * D + j] - mean[r]) * rstd[r]; };
  ForRowGroups(rows, [&](int64_t r0, int64_t n) {
    const float* dys = dy + r0 * D;
    float mg[kGroup], mgx[kGroup];
    RowMeans(n, D, mg, [&](int64_t r, int64_t j) { return dys[r * D + j] * gamma[j]; });
    RowMeans(n, D, mgx, [&](int64_t r, int64_t j) { return dys[r * D + j] * gamma[j] * xhat(r0 + r, j); });
    for (int64_t r = 0; r < n; ++r) {
      const float s = rstd[r0 + r];
      float* dxr = dx + (r0 + r) * D;
      for (int64_t j = 0; j < D; ++j) {
        const float g = dys[r * D + j] * gamma[j];
        dxr[j] = s * ((g - mg[r]) - xhat(r0 + r, j) * mgx[r]);
      }
    }
  });
  // Column sums over rows in order, every column its own double accumulator.
  std::vector<double> sg(D, 0.0), sb(D, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < D; ++j) {
      sg[j] += dy[r * D + j] * xhat(r, j);
      sb[j] += dy[r * D + j];
    }
  }
  for (int64_t j = 0; j < D; ++j) {
    dgamma[j] = static_cast<float>(sg[j]);
    dbeta[j] = static_cast<float>(sb[j]);
  }
  return info.Env().Undefined();
}

void RegisterLayerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("layerNormForward", Napi::Function::New(env, LayerNormForward));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
}

}  // namespace labbook
