// Conv2D (with FusedConv2D's bias and activation) and both backprops, NHWC, as implicit GEMMs:
// each output pixel's receptive field is one row of a patch matrix whose columns follow the
// filter's own [fh, fw, inC] layout, so the filter [fh*fw*inC, outC] is the GEMM's other operand.
// The product reads the patches from the (padded) image through pixel and tap offset tables.
#include <algorithm>
#include <cstring>
#include <vector>
#include "common.h"
#include "conv-winograd.h"
#include "gemm.h"
#include "parallel.h"

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
  // Conv2D and its filter gradient, 3x3, stride 1, undilated, with channels enough for the product to dominate:
  // Winograd's F(4x4, 3x3) (conv-winograd.cc), 1/4 of the multiply-adds. Summed differently
  // from the direct product, so it is chosen by shape alone, never by ISA or threads. (The input
  // gradient, the same correlation of dy with the turned filter, stays direct: there the
  // transformed tiles outnumber the patches the direct product packs, and transposing them into
  // the product's layout cost more than the multiply-adds saved: with F(2x2, 3x3) the CNN's
  // conv2 took 2.7 ms against 2.1 direct.)
  bool Winograd() const { return fH == 3 && fW == 3 && strideH == 1 && strideW == 1 && dilH == 1 && dilW == 1 && inC >= 8; }
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

// The column buffer, grown once per thread instead of allocated per call.
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

// dx += each patch row at its receptive field (the adjoint of reading patches), pixels in ascending order.
void Col2Im(const Geometry& g, const float* cols, int64_t p0, int64_t p1, float* dx) {
  ForEachTap(
      g, p0, p1,
      [&](int64_t t, int64_t i, int64_t n) {
        for (int64_t k = 0; k < n; ++k) dx[i + k] += cols[t + k];
      },
      [](int64_t, int64_t) {});
}

// cols[(p - p0) * Taps() + tap] = each output pixel's patch, zero where it lies in padding.
void Im2Col(const Geometry& g, const float* x, int64_t p0, int64_t p1, float* cols) {
  ForEachTap(
      g, p0, p1, [&](int64_t t, int64_t i, int64_t n) { std::memcpy(cols + t, x + i, n * sizeof(float)); },
      [&](int64_t t, int64_t n) { std::fill(cols + t, cols + t + n, 0.0f); });
}

// The image as the implicit GEMM reads it: x itself when the windows stay inside it, else a
// zero-padded copy; `pixels` gets each output pixel's offset, `taps` each filter tap's.
struct PaddedImage {
  const float* x;
  std::vector<int64_t> pixels, taps;
};

PaddedImage Pad(const Geometry& g, const float* x) {
  const int64_t needH = (g.outH - 1) * g.strideH + (g.fH - 1) * g.dilH + 1;
  const int64_t needW = (g.outW - 1) * g.strideW + (g.fW - 1) * g.dilW + 1;
  const bool inside = g.padTop == 0 && g.padLeft == 0 && needH <= g.inH && needW <= g.inW;
  const int64_t H = inside ? g.inH : needH, W = inside ? g.inW : needW, C = g.inC;
  PaddedImage p{x, {}, {}};
  if (!inside) {
    thread_local std::vector<float> padded;
    padded.assign(g.batch * H * W * C, 0.0f);
    for (int64_t b = 0; b < g.batch; ++b)
      for (int64_t r = 0; r < H; ++r) {
        const int64_t xr = r - g.padTop;
        if (xr < 0 || xr >= g.inH) continue;
        const int64_t c0 = std::max<int64_t>(0, g.padLeft), c1 = std::min(W, g.inW + g.padLeft);
        if (c1 > c0)
          std::memcpy(&padded[((b * H + r) * W + c0) * C], x + ((b * g.inH + xr) * g.inW + c0 - g.padLeft) * C,
                      (c1 - c0) * C * sizeof(float));
      }
    p.x = padded.data();
  }
  p.pixels.reserve(g.Pixels());
  for (int64_t b = 0; b < g.batch; ++b)
    for (int64_t r = 0; r < g.outH; ++r)
      for (int64_t c = 0; c < g.outW; ++c) p.pixels.push_back(((b * H + r * g.strideH) * W + c * g.strideW) * C);
  p.taps.reserve(g.Taps());
  for (int64_t r = 0; r < g.fH; ++r)
    for (int64_t c = 0; c < g.fW; ++c)
      for (int64_t d = 0; d < C; ++d) p.taps.push_back((r * g.dilH * W + c * g.dilW) * C + d);
  return p;
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
  // Bias and activation on each block of rows while it is still in cache, threads splitting the
  // rows when a whole output is finished at once (nested in a parallel loop, it runs inline).
  auto finish = [&](float* o, int64_t rows) {
    if (biasSize == 0 && code == 0) return;
    constexpr int64_t kSlice = 1024;
    ParallelFor((rows + kSlice - 1) / kSlice, [&](int64_t i) {
      for (int64_t r = i * kSlice; r < std::min(rows, (i + 1) * kSlice); ++r)
        for (int64_t c = 0; c < N; ++c) {
          float v = o[r * N + c] + (biasSize == 0 ? 0.0f : bias[biasSize == 1 ? 0 : c]);
          o[r * N + c] = Activate(v, code, alpha);
        }
    });
  };
  if (g.Pointwise()) {
    Gemm(pixels, N, K, Operand::Dense(x, K, false), Operand::Dense(w, N, false), false, out, N);
    finish(out, pixels);
    return env.Undefined();
  }
  if (g.Winograd()) {
    WinogradConv3x3({g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.padTop, g.padLeft}, x, w, out);
    finish(out, pixels);
    return env.Undefined();
  }
  // The implicit GEMM: patches read from the (padded) image by pixel and tap offsets, in blocks
  // of rows that stay in cache for the bias and activation.
  // Threads split the blocks (a thin product such as conv1's K = 9 is too small for Gemm to split).
  const PaddedImage image = Pad(g, x);
  constexpr int64_t kRows = 512;
  ParallelFor((pixels + kRows - 1) / kRows, [&](int64_t i) {
    const int64_t p0 = i * kRows, rows = std::min(kRows, pixels - p0);
    Gemm(rows, N, K, Operand::Offsets(image.x, image.pixels.data() + p0, image.taps.data()), Operand::Dense(w, N, false), false,
         out + p0 * N, N);
    finish(out + p0 * N, rows);
  });
  return env.Undefined();
}

// conv2dBackpropFilter(x, dy, dw, geometry): dw = patches(x)^T dy, summed over pixels in order.
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
  if (g.Pointwise()) {
    Gemm(K, N, pixels, Operand::Dense(x, K, true), Operand::Dense(dy, N, false), false, dw, N);
    return env.Undefined();
  }
  if (g.Winograd()) {
    WinogradFilterGrad3x3({g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.padTop, g.padLeft}, x, dy, dw);
    return env.Undefined();
  }
  // Where a filter row spans a few floats (conv1's 3x3x1: K = 9), copying patches costs more
  // than gathering them: the product reads them through offset tables.
  if (g.fW * g.inC < 16) {
    // (One thread: split by rows or by 16-column panels of dw, each thread packed the patches or
    // read dy again, and the product took 40% longer on two threads than on one.)
    const PaddedImage image = Pad(g, x);
    Gemm(K, N, pixels, Operand::Offsets(image.x, image.taps.data(), image.pixels.data()), Operand::Dense(dy, N, false), false, dw, N);
    return env.Undefined();
  }
  // Else patches copied out a block of pixels at a time (dense rows the product packs with plain
  // copies; gathering them through offset tables made conv2's 3x3x32 product 20% slower), each
  // block's product continuing every output's chain through dw: the sums are the same either way.
  constexpr int64_t block = 512;
  float* cols = Scratch(std::min(block, pixels) * K);
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t p1 = std::min(pixels, p0 + block);
    Im2Col(g, x, p0, p1, cols);
    Gemm(K, N, p1 - p0, Operand::Dense(cols, K, true), Operand::Dense(dy + p0 * N, N, false), p0 > 0, dw, N);
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
    Gemm(pixels, K, N, Operand::Dense(dy, N, false), Operand::Dense(w, N, true), false, dx, K);
    return env.Undefined();
  }
  // Blocks of whole images, about 480 pixels, whose columns stay in L2 between the product and
  // Col2Im: an image's pixels write only its own dx, so threads split the blocks and each input
  // still sums its terms in ascending pixel order.
  const int64_t image = g.outH * g.outW, images = std::max<int64_t>(1, 480 / std::max<int64_t>(1, image));
  const int64_t inImage = g.inH * g.inW * g.inC;
  ParallelFor((g.batch + images - 1) / images, [&](int64_t i) {
    const int64_t b0 = i * images, b1 = std::min(g.batch, b0 + images), p0 = b0 * image, p1 = b1 * image;
    std::fill(dx + b0 * inImage, dx + b1 * inImage, 0.0f);
    float* cols = Scratch((p1 - p0) * K);
    Gemm(p1 - p0, K, N, Operand::Dense(dy + p0 * N, N, false), Operand::Dense(w, N, true), false, cols, K);
    Col2Im(g, cols, p0, p1, dx);
  });
  return env.Undefined();
}

}  // namespace

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2D));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2DBackpropFilter));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2DBackpropInput));
}

}  // namespace labbook
