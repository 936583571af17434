// MaxPool, AvgPool and their gradients, NHWC, with the tfjs cpu kernels' exact semantics: windows
// scanned row by row, the first strict maximum wins (NaN never does), averages over the window's
// in-image pixels, and gradients summed in double in the cpu kernels' order before rounding.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>
#include "common.h"
#include "parallel.h"

namespace labbook {

namespace {

// Geometry from backend_util.computePool2DInfo (dilation 1), in the order kernels/pool.ts writes it.
struct Geometry {
  int64_t batch, inH, inW, C, outH, outW, fH, fW, strideH, strideW, padTop, padLeft;

  int64_t InSize() const { return batch * inH * inW * C; }
  int64_t OutSize() const { return batch * outH * outW * C; }
};

constexpr int kGeometrySize = 12;

bool ReadGeometry(const Napi::CallbackInfo& info, size_t i, Geometry* g) {
  const int32_t* v = I32(info, i, kGeometrySize);
  if (!v) return false;
  int64_t* fields[kGeometrySize] = {&g->batch, &g->inH, &g->inW,     &g->C,       &g->outH,   &g->outW,
                                    &g->fH,    &g->fW,  &g->strideH, &g->strideW, &g->padTop, &g->padLeft};
  for (int k = 0; k < kGeometrySize; ++k) *fields[k] = v[k];
  bool sizes = g->batch >= 0 && g->inH >= 0 && g->inW >= 0 && g->C >= 0 && g->outH >= 0 && g->outW >= 0 && g->fH >= 0 && g->fW >= 0;
  if (sizes && g->strideH > 0 && g->strideW > 0) return true;
  Napi::RangeError::New(info.Env(), "pool: invalid geometry").ThrowAsJavaScriptException();
  return false;
}

// The window of output pixel (yR, yC) clipped to the image: rows [r0, r1), columns [c0, c1).
struct Window {
  int64_t r0, r1, c0, c1;
};

Window WindowAt(const Geometry& g, int64_t yR, int64_t yC) {
  const int64_t top = yR * g.strideH - g.padTop, left = yC * g.strideW - g.padLeft;
  return {std::max<int64_t>(0, top), std::min(g.inH, top + g.fH), std::max<int64_t>(0, left), std::min(g.inW, left + g.fW)};
}

template <typename T>
T* Scratch(std::vector<T>* v, int64_t n) {
  if (static_cast<int64_t>(v->size()) < n) v->resize(n);
  return v->data();
}

// For every output pixel of images [b0, b1) in order, `visit(window, inputBatchOffset, outputOffset)`.
template <typename Visit>
void ForEachWindow(const Geometry& g, Visit visit, int64_t b0 = 0, int64_t b1 = -1) {
  for (int64_t b = b0; b < (b1 < 0 ? g.batch : b1); ++b)
    for (int64_t yR = 0; yR < g.outH; ++yR)
      for (int64_t yC = 0; yC < g.outW; ++yC)
        visit(WindowAt(g, yR, yC), b * g.inH * g.inW * g.C, ((b * g.outH + yR) * g.outW + yC) * g.C);
}

// body(b0, b1) over blocks of whole images, spread over the threads when the input is large:
// windows never reach across images, so each image's outputs are its own computation.
void ForEachImageBlock(const Geometry& g, const std::function<void(int64_t, int64_t)>& body) {
  const int64_t image = std::max<int64_t>(1, g.inH * g.inW * g.C);
  ParallelSlices(g.batch, std::max<int64_t>(1, kElementwiseSlice / image), body);
}

// Channels are taken 8 at a time in GCC vector types, one AVX2 register (the x86-64-v3
// baseline), so that a window's running maxima and taps stay in registers. (16 lanes, wider than
// any baseline register, made gcc keep every vector on the stack and update it one float at a
// time: 4x slower than the memory traffic.) The last C % 8 channels run the same formula on
// scalars, so every channel computes exactly what the scalar formula does.
constexpr int64_t kLanes = 8;
using Vf = float __attribute__((vector_size(4 * kLanes)));
using Vi = int32_t __attribute__((vector_size(4 * kLanes)));

inline Vf Load(const float* p) {
  Vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void Store(float* p, Vf v) { std::memcpy(p, &v, sizeof v); }

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

// out[0..C) = each channel's largest value in the window (first strict maximum; NaN never
// wins); -inf when it has none. x points at the batch's image.
void MaxWindow(const Geometry& g, const Window& w, const float* x, float* out) {
  int64_t d = 0;
  for (; d + kLanes <= g.C; d += kLanes) {
    Vf m = Vf{} + kMinusInf;
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c) {
        const Vf px = Load(x + (r * g.inW + c) * g.C + d);
        m = px > m ? px : m;
      }
    Store(out + d, m);
  }
  for (; d < g.C; ++d) {
    float m = kMinusInf;
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c) {
        const float px = x[(r * g.inW + c) * g.C + d];
        m = px > m ? px : m;
      }
    out[d] = m;
  }
}

// maxPool(x, out, geometry): each channel's largest value in the window; -inf when it has none.
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 2, &g)) return env.Undefined();
  const float* x = F32(info, 0, g.InSize());
  if (!x) return env.Undefined();
  float* out = F32(info, 1, g.OutSize());
  if (!out) return env.Undefined();
  ForEachImageBlock(g, [&](int64_t b0, int64_t b1) {
    ForEachWindow(g, [&](const Window& w, int64_t xb, int64_t o) { MaxWindow(g, w, x + xb, out + o); }, b0, b1);
  });
  return env.Undefined();
}

// avgPool(x, out, geometry): the mean over the window's in-image pixels (padding not counted),
// summed in double as the cpu kernel does.
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 2, &g)) return env.Undefined();
  const float* x = F32(info, 0, g.InSize());
  if (!x) return env.Undefined();
  float* out = F32(info, 1, g.OutSize());
  if (!out) return env.Undefined();
  thread_local std::vector<double> sums;
  double* s = Scratch(&sums, g.C);
  ForEachWindow(g, [&](const Window& w, int64_t xb, int64_t o) {
    std::fill(s, s + g.C, 0.0);
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c) {
        const float* px = x + xb + (r * g.inW + c) * g.C;
        for (int64_t d = 0; d < g.C; ++d) s[d] += px[d];
      }
    // Counted like the cpu kernel: an empty window gives 0 / 0 = NaN.
    const double count = static_cast<double>(std::max<int64_t>(0, w.r1 - w.r0) * std::max<int64_t>(0, w.c1 - w.c0));
    for (int64_t d = 0; d < g.C; ++d) out[o + d] = static_cast<float>(s[d] / count);
  });
  return env.Undefined();
}

// dx[argmax of each window] += dy, windows in output order, in double (windows may overlap, so an
// input can collect several terms; rounded once afterwards like the cpu kernel).
void ScatterMax(const Geometry& g, const float* x, const float* dy, double* dx) {
  thread_local std::vector<float> best;
  thread_local std::vector<int64_t> where;
  float* m = Scratch(&best, g.C);
  int64_t* at = Scratch(&where, g.C);
  ForEachWindow(g, [&](const Window& w, int64_t xb, int64_t o) {
    std::fill(m, m + g.C, -std::numeric_limits<float>::infinity());
    std::fill(at, at + g.C, -1);
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c) {
        const int64_t p = xb + (r * g.inW + c) * g.C;
        for (int64_t d = 0; d < g.C; ++d)
          if (x[p + d] > m[d]) {
            m[d] = x[p + d];
            at[d] = p + d;
          }
      }
    // A window whose values are all -inf or NaN has no maximum and passes no gradient.
    for (int64_t d = 0; d < g.C; ++d)
      if (at[d] >= 0) dx[at[d]] += dy[o + d];
  });
}

// One window for ScatterMaxDisjoint: each channel's first strict maximum's tap (NaN never
// wins), then every in-window input written, 0 + dy at the tap (so -0 becomes +0 as in the
// accumulating path) and 0 elsewhere. Vectors of channels, then the rest one by one.
void MaxGradWindow(const Geometry& g, const Window& w, const float* x, const float* dy, float* dx) {
  int64_t d = 0;
  for (; d + kLanes <= g.C; d += kLanes) {
    Vf m = Vf{} + kMinusInf;
    Vi tap = Vi{} - 1;
    int32_t t = 0;
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c, ++t) {
        const Vf px = Load(x + (r * g.inW + c) * g.C + d);
        const Vi more = px > m;
        m = more ? px : m;
        tap = more ? Vi{} + t : tap;
      }
    const Vf grad = 0.0f + Load(dy + d);
    t = 0;
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c, ++t) Store(dx + (r * g.inW + c) * g.C + d, tap == t ? grad : Vf{});
  }
  for (; d < g.C; ++d) {
    float m = kMinusInf;
    int32_t tap = -1, t = 0;
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c, ++t) {
        const float px = x[(r * g.inW + c) * g.C + d];
        if (px > m) m = px, tap = t;
      }
    const float grad = 0.0f + dy[d];
    t = 0;
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c, ++t) dx[(r * g.inW + c) * g.C + d] = tap == t ? grad : 0.0f;
  }
}

// Windows that cannot overlap: each input gets at most one term and every in-window input is
// written, not accumulated. Inputs outside every window are zeroed first unless the windows tile
// the image.
void ScatterMaxDisjoint(const Geometry& g, const float* x, const float* dy, float* dx) {
  const bool tiles = g.fH == g.strideH && g.fW == g.strideW && g.padTop == 0 && g.padLeft == 0 &&
                     g.outH * g.strideH == g.inH && g.outW * g.strideW == g.inW;
  const int64_t image = g.inH * g.inW * g.C;
  ForEachImageBlock(g, [&](int64_t b0, int64_t b1) {
    if (!tiles) std::fill(dx + b0 * image, dx + b1 * image, 0.0f);
    ForEachWindow(g, [&](const Window& w, int64_t xb, int64_t o) { MaxGradWindow(g, w, x + xb, dy + o, dx + xb); }, b0, b1);
  });
}

// maxPoolGrad(dy, x, dx, geometry): dy routed to each window's first maximum.
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 3, &g)) return env.Undefined();
  const float* dy = F32(info, 0, g.OutSize());
  if (!dy) return env.Undefined();
  const float* x = F32(info, 1, g.InSize());
  if (!x) return env.Undefined();
  float* dx = F32(info, 2, g.InSize());
  if (!dx) return env.Undefined();
  if (g.fH <= g.strideH && g.fW <= g.strideW) {
    ScatterMaxDisjoint(g, x, dy, dx);
    return env.Undefined();
  }
  thread_local std::vector<double> sums;
  double* acc = Scratch(&sums, g.InSize());
  std::fill(acc, acc + g.InSize(), 0.0);
  ScatterMax(g, x, dy, acc);
  for (int64_t i = 0; i < g.InSize(); ++i) dx[i] = static_cast<float>(acc[i]);
  return env.Undefined();
}

// avgPoolGrad(dy, dx, geometry): each input sums dy over the windows that hold it, times
// 1 / (fh * fw) -- the full window, padding included, exactly as the cpu kernel (unlike avgPool).
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 2, &g)) return env.Undefined();
  const float* dy = F32(info, 0, g.OutSize());
  if (!dy) return env.Undefined();
  float* dx = F32(info, 1, g.InSize());
  if (!dx) return env.Undefined();
  thread_local std::vector<double> sums;
  double* acc = Scratch(&sums, g.InSize());
  std::fill(acc, acc + g.InSize(), 0.0);
  ForEachWindow(g, [&](const Window& w, int64_t xb, int64_t o) {
    for (int64_t r = w.r0; r < w.r1; ++r)
      for (int64_t c = w.c0; c < w.c1; ++c) {
        double* a = acc + xb + (r * g.inW + c) * g.C;
        for (int64_t d = 0; d < g.C; ++d) a[d] += dy[o + d];
      }
  });
  const double scale = 1.0 / static_cast<double>(g.fH * g.fW);
  for (int64_t i = 0; i < g.InSize(); ++i) dx[i] = static_cast<float>(acc[i] * scale);
  return env.Undefined();
}

}  // namespace

void RegisterPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace labbook
