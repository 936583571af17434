// Conv2D (with FusedConv2D's bias and activation) and both backprops, NHWC, as im2col + GEMM:
// each output pixel's receptive field becomes one row of a patch matrix whose columns follow the
// filter's own [fh, fw, inC] layout, so the filter [fh*fw*inC, outC] is the GEMM's other operand.
#include <algorithm>
#include <cstring>
#include <vector>
#include "common.h"

namespace labbook {

namespace {

// Geometry from backend_util.computeConv2DInfo, in the order kernels/conv.ts writes it.
struct Geometry {
  int64_t batch, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft;

  int64_t Pixels() const { return batch * outH * outW; }  // rows of the patch matrix
  int64_t Taps() const { return fH * fW * inC; }          // its columns
  int64_t InSize() const { return batch * inH * inW * inC; }
  int64_t FilterSize() const { return Taps() * outC; }
  // 1x1, stride 1, no padding: the input already is the patch matrix.
  bool Pointwise() const {
    return fH == 1 && fW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
  }
};

constexpr int kGeometrySize = 15;

// Reads the geometry argument; false (after throwing) when it is short or not a convolution.
bool ReadGeometry(const Napi::CallbackInfo& info, size_t i, Geometry* g) {
  const int32_t* v = I32(info, i, kGeometrySize);
  if (!v) return false;
  int64_t* fields[kGeometrySize] = {&g->batch, &g->inH,     &g->inW,     &g->inC,  &g->outH, &g->outW,   &g->outC,   &g->fH,
                                    &g->fW,    &g->strideH, &g->strideW, &g->dilH, &g->dilW, &g->padTop, &g->padLeft};
  for (int k = 0; k < kGeometrySize; ++k) *fields[k] = v[k];
  bool sizes = g->batch >= 0 && g->inH >= 0 && g->inW >= 0 && g->inC >= 0 && g->outH >= 0 && g->outW >= 0 && g->outC >= 0 &&
               g->fH >= 0 && g->fW >= 0;
  if (sizes && g->strideH > 0 && g->strideW > 0 && g->dilH > 0 && g->dilW > 0) return true;
  Napi::RangeError::New(info.Env(), "conv: invalid geometry").ThrowAsJavaScriptException();
  return false;
}

// Pixel rows per GEMM block: the patch matrix stays under ~16M floats (64 MB). The split depends
// on the shapes only, so the sums, and the bits, are the same every run.
int64_t BlockRows(const Geometry& g) {
  constexpr int64_t kBlockFloats = int64_t{16} << 20;
  return std::max<int64_t>(1, kBlockFloats / std::max<int64_t>(1, g.Taps()));
}

// Patch and column buffers, grown once per thread instead of allocated per call.
float* Scratch(int64_t n) {
  thread_local std::vector<float> scratch;
  if (static_cast<int64_t>(scratch.size()) < n) scratch.resize(n);
  return scratch.data();
}

// The filter columns [wc0, wc1) whose input column xC0 + wC * dilW lies inside the image.
void ValidColumns(const Geometry& g, int64_t xC0, int64_t* wc0, int64_t* wc1) {
  // How many taps wC (at most fW) have wC * dilW < d: ceil(d / dilW), with no division when undilated.
  auto ceilTaps = [&](int64_t d) { return d <= 0 ? 0 : std::min(g.fW, g.dilW == 1 ? d : (d + g.dilW - 1) / g.dilW); };
  *wc0 = ceilTaps(-xC0);                          // taps left of the image
  *wc1 = std::max(*wc0, ceilTaps(g.inW - xC0));  // taps left of its right edge
}

// Walks the taps of output pixels [p0, p1) that fall inside the image: for each filter row of each
// pixel, `run(tapOffset, inputOffset, count)` names `count` floats contiguous in both the patch
// row and the input (a whole filter row when undilated, one pixel's channels otherwise);
// `outside(tapOffset, count)` names those in padding.
template <typename Run, typename Outside>
void ForEachTap(const Geometry& g, int64_t p0, int64_t p1, Run run, Outside outside) {
  const int64_t taps = g.Taps(), rowTaps = g.fW * g.inC, C = g.inC;
  // Pixel p0's coordinates once; then counters (a division per pixel costs more than its copies).
  int64_t b = p0 / (g.outH * g.outW), yR = p0 / g.outW % g.outH, yC = p0 % g.outW;
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t xC0 = yC * g.strideW - g.padLeft;
    int64_t wc0, wc1;
    ValidColumns(g, xC0, &wc0, &wc1);
    for (int64_t wR = 0; wR < g.fH; ++wR) {
      const int64_t tap = (p - p0) * taps + wR * rowTaps;
      const int64_t xR = yR * g.strideH - g.padTop + wR * g.dilH;
      if (xR < 0 || xR >= g.inH) {
        outside(tap, rowTaps);
        continue;
      }
      const int64_t row = ((b * g.inH + xR) * g.inW + xC0) * C;
      outside(tap, wc0 * C);
      if (g.dilW == 1) {
        run(tap + wc0 * C, row + wc0 * C, (wc1 - wc0) * C);
      } else {
        for (int64_t wC = wc0; wC < wc1; ++wC) run(tap + wC * C, row + wC * g.dilW * C, C);
      }
      outside(tap + wc1 * C, rowTaps - wc1 * C);
    }
    if (++yC == g.outW) {
      yC = 0;
      if (++yR == g.outH) yR = 0, ++b;
    }
  }
}

// Copies n floats; short runs (one-channel images give 3-float rows) inline, where a memcpy call
// would cost more than the copy.
inline void CopyFloats(float* dst, const float* src, int64_t n) {
  if (n > 16) {
    std::memcpy(dst, src, n * sizeof(float));
    return;
  }
  for (int64_t k = 0; k < n; ++k) dst[k] = src[k];
}

// patches[p - p0] = the receptive field of output pixel p, zeros where it lies in padding.
void Im2Col(const Geometry& g, const float* x, int64_t p0, int64_t p1, float* patches) {
  ForEachTap(
      g, p0, p1, [&](int64_t t, int64_t i, int64_t n) { CopyFloats(patches + t, x + i, n); },
      [&](int64_t t, int64_t n) { std::fill(patches + t, patches + t + n, 0.0f); });
}

// The adjoint of Im2Col: dx += each patch row at its receptive field, pixels in ascending order.
void Col2Im(const Geometry& g, const float* cols, int64_t p0, int64_t p1, float* dx) {
  ForEachTap(
      g, p0, p1,
      [&](int64_t t, int64_t i, int64_t n) {
        for (int64_t k = 0; k < n; ++k) dx[i + k] += cols[t + k];
      },
      [](int64_t, int64_t) {});
}

// conv2d(x, filter, out, geometry, bias, biasSize, activation, leakyreluAlpha):
// out = act(conv(x, filter) + bias); bias one value (biasSize 1), one per out channel, or none (0).
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 3, &g)) return env.Undefined();
  const int64_t biasSize = Int(info, 5);
  const int code = static_cast<int>(Int(info, 6));
  const float alpha = Float(info, 7);
  const float* x = F32(info, 0, g.InSize());
  if (!x) return env.Undefined();
  const float* w = F32(info, 1, g.FilterSize());
  if (!w) return env.Undefined();
  float* out = F32(info, 2, g.Pixels() * g.outC);
  if (!out) return env.Undefined();
  // An empty Float32Array has no data pointer, so the bias is read only when there is one.
  const float* bias = biasSize > 0 ? F32(info, 4, biasSize) : nullptr;
  if (biasSize > 0 && !bias) return env.Undefined();
  if (biasSize < 0 || (biasSize > 1 && biasSize != g.outC)) {
    Napi::RangeError::New(env, "conv2d: bias must have 1 or outChannels values").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t K = g.Taps(), N = g.outC, pixels = g.Pixels();
  const bool pointwise = g.Pointwise();
  const int64_t block = pointwise ? std::max<int64_t>(1, pixels) : BlockRows(g);
  float* patches = pointwise ? nullptr : Scratch(std::min(block, pixels) * K);
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t p1 = std::min(pixels, p0 + block);
    const float* a = pointwise ? x : patches;
    if (!pointwise) Im2Col(g, x, p0, p1, patches);
    float* o = out + p0 * N;
    Sgemm(false, false, p1 - p0, N, K, 1.0f, a, K, w, N, 0.0f, o, N);
    // Bias and activation while the block is still in cache.
    if (biasSize == 0 && code == 0) continue;
    for (int64_t r = 0; r < p1 - p0; ++r)
      for (int64_t c = 0; c < N; ++c) {
        float v = o[r * N + c] + (biasSize == 0 ? 0.0f : bias[biasSize == 1 ? 0 : c]);
        o[r * N + c] = Activate(v, code, alpha);
      }
  }
  return env.Undefined();
}

// conv2dBackpropFilter(x, dy, dw, geometry): dw = patches(x)^T dy, summed over pixel blocks in order.
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 3, &g)) return env.Undefined();
  const float* x = F32(info, 0, g.InSize());
  if (!x) return env.Undefined();
  const float* dy = F32(info, 1, g.Pixels() * g.outC);
  if (!dy) return env.Undefined();
  float* dw = F32(info, 2, g.FilterSize());
  if (!dw) return env.Undefined();
  const int64_t K = g.Taps(), N = g.outC, pixels = g.Pixels();
  std::fill(dw, dw + K * N, 0.0f);
  if (g.Pointwise()) {
    Sgemm(true, false, K, N, pixels, 1.0f, x, K, dy, N, 0.0f, dw, N);
    return env.Undefined();
  }
  const int64_t block = BlockRows(g);
  float* patches = Scratch(std::min(block, pixels) * K);
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t p1 = std::min(pixels, p0 + block);
    Im2Col(g, x, p0, p1, patches);
    Sgemm(true, false, K, N, p1 - p0, 1.0f, patches, K, dy + p0 * N, N, 1.0f, dw, N);
  }
  return env.Undefined();
}

// conv2dBackpropInput(dy, filter, dx, geometry): dx = col2im(dy filter^T).
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Geometry g;
  if (!ReadGeometry(info, 3, &g)) return env.Undefined();
  const float* dy = F32(info, 0, g.Pixels() * g.outC);
  if (!dy) return env.Undefined();
  const float* w = F32(info, 1, g.FilterSize());
  if (!w) return env.Undefined();
  float* dx = F32(info, 2, g.InSize());
  if (!dx) return env.Undefined();
  const int64_t K = g.Taps(), N = g.outC, pixels = g.Pixels();
  if (g.Pointwise()) {
    Sgemm(false, true, pixels, K, N, 1.0f, dy, N, w, N, 0.0f, dx, K);
    return env.Undefined();
  }
  std::fill(dx, dx + g.InSize(), 0.0f);
  const int64_t block = BlockRows(g);
  float* cols = Scratch(std::min(block, pixels) * K);
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t p1 = std::min(pixels, p0 + block);
    Sgemm(false, true, p1 - p0, K, N, 1.0f, dy + p0 * N, N, w, N, 0.0f, cols, K);
    Col2Im(g, cols, p0, p1, dx);
  }
  return env.Undefined();
}

}  // namespace

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
}

}  // namespace labbook
