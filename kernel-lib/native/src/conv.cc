// Conv2D (with FusedConv2D's bias and activation) and both backprops, NHWC, as im2col + GEMM:
// each output pixel's receptive field becomes one row of a patch matrix whose columns follow the
// filter's own [fh, fw, inC] layout, so the filter [fh*fw*inC, outC] is the GEMM's other operand.
#include <algorithm>
#include <cstring>
#include <immintrin.h>
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

#ifdef __AVX512F__
// An implicit GEMM for the convolutions' narrow shapes (N = outC, a few dozen columns), where
// OpenBLAS spends more on packing than on arithmetic: C[M x N] (+)= A B with
// A(m, k) = a[rowOff[m] + colOff[k]], so one kernel reads a patch matrix straight from the
// (padded) image -- pixel offsets times tap offsets -- for the forward pass and, with the tables
// swapped, for the filter gradient. Each output is one FMA chain over k in ascending order (blocks
// of k continue the chain through C), so the bits depend on the shapes only.
constexpr int64_t kKBlock = 256;  // k per pass: the B block (<= 64 KB) stays in L1/L2

// R rows x NV vectors of C from k in [0, K), added to C's values when accumulating. B is read
// unmasked (masked loads stall the loop several-fold), so callers keep N a multiple of 16.
template <int R, int NV>
void Tile(const float* a, const int64_t* rowOff, const int64_t* colOff, int64_t K, const float* B, int64_t ldb, float* C,
          int64_t ldc, bool accumulate) {
  __m512 acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  const float* rows[R];
  for (int r = 0; r < R; ++r) rows[r] = a + rowOff[r];
  for (int64_t k = 0; k < K; ++k) {
    __m512 b[NV];
    for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(B + k * ldb + 16 * v);
    const int64_t off = colOff[k];
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(rows[r][off]);
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(x, b[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) {
      float* c = C + r * ldc + 16 * v;
      _mm512_storeu_ps(c, accumulate ? _mm512_add_ps(_mm512_loadu_ps(c), acc[r][v]) : acc[r][v]);
    }
}

// Rows of C per tile: as many as the 32 vector registers hold beside the NV of B.
template <int NV>
constexpr int TileRows() {
  return NV == 1 ? 16 : NV == 2 ? 12 : NV == 3 ? 8 : 6;
}

template <int NV>
void Panel(int64_t M, const float* a, const int64_t* rowOff, const int64_t* colOff, int64_t K, const float* B, int64_t ldb,
           float* C, int64_t ldc, bool accumulate) {
  constexpr int R = TileRows<NV>();
  int64_t m = 0;
  for (; m + R <= M; m += R) Tile<R, NV>(a, rowOff + m, colOff, K, B, ldb, C + m * ldc, ldc, accumulate);
  for (; m < M; ++m) Tile<1, NV>(a, rowOff + m, colOff, K, B, ldb, C + m * ldc, ldc, accumulate);
}

// N must be a multiple of 16 (Tile's unmasked loads).
void OffsetGemm(int64_t M, int64_t N, int64_t K, const float* a, const int64_t* rowOff, const int64_t* colOff, const float* B,
                int64_t ldb, float* C, int64_t ldc) {
  if (K == 0) {
    for (int64_t m = 0; m < M; ++m) std::fill(C + m * ldc, C + m * ldc + N, 0.0f);
    return;
  }
  for (int64_t k0 = 0; k0 < K; k0 += kKBlock) {
    const int64_t kn = std::min(kKBlock, K - k0);
    for (int64_t n0 = 0; n0 < N; n0 += 64) {
      const int64_t n = std::min<int64_t>(64, N - n0);
      const float* b = B + k0 * ldb + n0;
      float* c = C + n0;
      switch (n / 16) {
        case 1: Panel<1>(M, a, rowOff, colOff + k0, kn, b, ldb, c, ldc, k0 > 0); break;
        case 2: Panel<2>(M, a, rowOff, colOff + k0, kn, b, ldb, c, ldc, k0 > 0); break;
        case 3: Panel<3>(M, a, rowOff, colOff + k0, kn, b, ldb, c, ldc, k0 > 0); break;
        default: Panel<4>(M, a, rowOff, colOff + k0, kn, b, ldb, c, ldc, k0 > 0); break;
      }
    }
  }
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
#endif

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
  // Bias and activation on each block of rows while it is still in cache.
  auto finish = [&](float* o, int64_t rows) {
    if (biasSize == 0 && code == 0) return;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < N; ++c) {
        float v = o[r * N + c] + (biasSize == 0 ? 0.0f : bias[biasSize == 1 ? 0 : c]);
        o[r * N + c] = Activate(v, code, alpha);
      }
  };
#ifdef __AVX512F__
  if (N % 16 == 0) {
    const PaddedImage image = Pad(g, x);
    constexpr int64_t kRows = 1024;
    for (int64_t p0 = 0; p0 < pixels; p0 += kRows) {
      const int64_t rows = std::min(kRows, pixels - p0);
      OffsetGemm(rows, N, K, image.x, image.pixels.data() + p0, image.taps.data(), w, N, out + p0 * N, N);
      finish(out + p0 * N, rows);
    }
    return env.Undefined();
  }
#endif
  const bool pointwise = g.Pointwise();
  const int64_t block = pointwise ? std::max<int64_t>(1, pixels) : BlockRows(g);
  float* patches = pointwise ? nullptr : Scratch(std::min(block, pixels) * K);
  for (int64_t p0 = 0; p0 < pixels; p0 += block) {
    const int64_t p1 = std::min(pixels, p0 + block);
    const float* a = pointwise ? x : patches;
    if (!pointwise) Im2Col(g, x, p0, p1, patches);
    float* o = out + p0 * N;
    Sgemm(false, false, p1 - p0, N, K, 1.0f, a, K, w, N, 0.0f, o, N);
    finish(o, p1 - p0);
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
#ifdef __AVX512F__
  // dw rows are taps, summed over pixels: the forward's tables with their roles swapped.
  if (N % 16 == 0) {
    const PaddedImage image = Pad(g, x);
    OffsetGemm(K, N, pixels, image.x, image.taps.data(), image.pixels.data(), dy, N, dw, N);
    return env.Undefined();
  }
#endif
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
#ifdef __AVX512F__
  // cols = dy filter^T on the implicit GEMM: filter^T [outC, taps] as B, dy's rows as A, in
  // blocks of 240 pixels (whole tiles of 6, 8, 12 or 16 rows) that stay in L2 for Col2Im.
  if (K % 16 == 0) {
    constexpr int64_t kPixels = 240;
    float* cols = Scratch(kPixels * K);
    thread_local std::vector<float> wt;
    wt.resize(K * N);
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) wt[n * K + k] = w[k * N + n];
    std::vector<int64_t> rowOff(kPixels), colOff(N);
    for (int64_t n = 0; n < N; ++n) colOff[n] = n;
    for (int64_t p0 = 0; p0 < pixels; p0 += kPixels) {
      const int64_t p1 = std::min(pixels, p0 + kPixels);
      for (int64_t p = p0; p < p1; ++p) rowOff[p - p0] = p * N;
      OffsetGemm(p1 - p0, K, N, dy, rowOff.data(), colOff.data(), wt.data(), K, cols, K);
      Col2Im(g, cols, p0, p1, dx);
    }
    return env.Undefined();
  }
#endif
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
