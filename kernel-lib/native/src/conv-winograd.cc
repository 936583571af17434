// 3x3 stride-1 convolutions by Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray, 2016):
// each 4x4 block of outputs comes from a 6x6 block of inputs with 36 products per pair of input
// and output channels instead of 144. The products over channels are 36 GEMMs, one per point of
// the transformed tile; Gemm already runs them at the core's peak, so fewer of them is what is
// left to win (the CNN's conv2, 11x11 outputs in 3x3 tiles: 0.30x the direct multiply-adds;
// F(2x2, 3x3) did 0.53x and ran 10% slower forward, 35% slower for the filter gradient). The
// transforms are fixed sequences of float operations (Combine), the same in vector lanes and
// scalars, and the products go through Gemm: results are the same on every path and thread
// count, though not a direct sum's bits (for the CNN's conv2, 4e-6 of the largest output off
// the cpu kernel's, against 8e-7 with F(2x2, 3x3) and 1e-6 for the direct filter gradient).
#include "conv-winograd.h"
#include <algorithm>
#include <cstring>
#include <vector>
#include "gemm.h"
#include "parallel.h"

namespace labbook {

namespace {

// Channels 8 at a time, one AVX2 register (as in pool.cc), the rest one by one.
constexpr int64_t kLanes = 8;
using Vf = float __attribute__((vector_size(4 * kLanes)));

template <typename T>
T LoadAt(const float* p);
template <>
inline float LoadAt<float>(const float* p) { return *p; }
template <>
inline Vf LoadAt<Vf>(const float* p) {
  Vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void StoreAt(float* p, float v) { *p = v; }
inline void StoreAt(float* p, Vf v) { std::memcpy(p, &v, sizeof v); }

// body(T{}, c) for channels c in [0, n): T = Vf for whole vectors, then float for the rest.
template <typename Body>
void OverChannels(int64_t n, Body body) {
  int64_t c = 0;
  for (; c + kLanes <= n; c += kLanes) body(Vf{}, c);
  for (; c < n; ++c) body(0.0f, c);
}

// Winograd's F(4x4, 3x3): each 4x4 block of outputs from a 6x6 block of inputs (Lavin & Gray's
// matrices). kN = the transformed tile's side, kPoints = its points, one GEMM each.
constexpr int kM = 4, kN = kM + 2, kPoints = kN * kN;
constexpr float kBT[kN][kN] = {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                               {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr float kG[kN][3] = {{1.0f / 4, 0, 0},           {-1.0f / 6, -1.0f / 6, -1.0f / 6}, {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                             {1.0f / 24, 1.0f / 12, 1.0f / 6}, {1.0f / 24, -1.0f / 12, 1.0f / 6}, {0, 0, 1}};
constexpr float kAT[kM][kN] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

// out[i][j] = sum over k of coef(i, k) * x[k][j] (x: Inner x Cols), the terms added in k order
// from the first nonzero one: one fixed sequence of float operations per element, whatever T.
template <int Rows, int Inner, int Cols, typename T, typename Coef>
inline void Combine(Coef coef, const T* x, T* out) {
#pragma GCC unroll 8
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < Cols; ++j) {
      T acc{};
      bool first = true;
#pragma GCC unroll 8
      for (int k = 0; k < Inner; ++k) {
        const float c = coef(i, k);
        if (c == 0) continue;
        const T term = c == 1 ? x[k * Cols + j] : c == -1 ? -x[k * Cols + j] : x[k * Cols + j] * c;
        acc = first ? term : acc + term;
        first = false;
      }
      out[i * Cols + j] = acc;
    }
}

// out = L x R^T for x Inner x Inner2 (L: Rows x Inner, R: Cols x Inner2), through x's transpose
// so both passes are Combine's.
template <int Rows, int Inner, int Cols, int Inner2, typename T, typename Left, typename Right>
inline void Sandwich(Left left, Right right, const T* x, T* out) {
  T lx[Rows * Inner2], t[Inner2 * Rows], o[Cols * Rows];
  Combine<Rows, Inner, Inner2>(left, x, lx);  // L x
#pragma GCC unroll 8
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < Inner2; ++j) t[j * Rows + i] = lx[i * Inner2 + j];
  Combine<Cols, Inner2, Rows>(right, t, o);  // R (L x)^T
#pragma GCC unroll 8
  for (int i = 0; i < Rows; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < Cols; ++j) out[i * Cols + j] = o[j * Rows + i];
}

// The per-tile transforms written out with their shared terms (Combine would take half again
// as many operations); each a fixed sequence of float operations, powers of two exact. One
// dimension: d (stride ds) to o (stride os).
template <typename T>
inline void Input1(const T* d, int ds, T* o, int os) {  // B^T d
  const T d0 = d[0], d1 = d[ds], d2 = d[2 * ds], d3 = d[3 * ds], d4 = d[4 * ds], d5 = d[5 * ds];
  o[0] = (d0 * 4.0f - d2 * 5.0f) + d4;
  o[os] = (d3 + d4) - (d1 + d2) * 4.0f;
  o[2 * os] = (d4 - d3) + (d1 - d2) * 4.0f;
  o[3 * os] = (d4 - d2) - (d1 - d3) * 2.0f;
  o[4 * os] = (d4 - d2) + (d1 - d3) * 2.0f;
  o[5 * os] = (d1 * 4.0f - d3 * 5.0f) + d5;
}

template <typename T>
inline void Output1(const T* m, int ms, T* y, int ys) {  // A^T m
  const T s12 = m[ms] + m[2 * ms], d12 = m[ms] - m[2 * ms], s34 = m[3 * ms] + m[4 * ms], d34 = m[3 * ms] - m[4 * ms];
  y[0] = (m[0] + s12) + s34;
  y[ys] = d12 + d34 * 2.0f;
  y[2 * ys] = s12 + s34 * 4.0f;
  y[3 * ys] = (d12 + d34 * 8.0f) + m[5 * ms];
}

template <typename T>
inline void Grad1(const T* g, int gs, T* o, int os) {  // A g, the adjoint of Output1
  const T g0 = g[0], g1 = g[gs], g2 = g[2 * gs], g3 = g[3 * gs];
  const T even = g0 + g2, odd = g1 + g3, even4 = g0 + g2 * 4.0f, odd8 = g1 * 2.0f + g3 * 8.0f;
  o[0] = g0;
  o[os] = even + odd;
  o[2 * os] = even - odd;
  o[3 * os] = even4 + odd8;
  o[4 * os] = even4 - odd8;
  o[5 * os] = g3;
}

// v = B^T d B (input tile, kN x kN); y = A^T m A (products to outputs, kM x kM); A dy A^T, the
// filter gradient's (kM x kM to kN x kN): columns first, then rows.
template <typename T>
inline void InputTransform(const T* d, T* v) {
  T r[kPoints];
#pragma GCC unroll 6
  for (int j = 0; j < kN; ++j) Input1(d + j, kN, r + j, kN);
#pragma GCC unroll 6
  for (int i = 0; i < kN; ++i) Input1(r + kN * i, 1, v + kN * i, 1);
}
template <typename T>
inline void OutputTransform(const T* m, T* y) {
  T r[kM * kN];
#pragma GCC unroll 6
  for (int j = 0; j < kN; ++j) Output1(m + j, kN, r + j, kN);
#pragma GCC unroll 4
  for (int i = 0; i < kM; ++i) Output1(r + kN * i, 1, y + kM * i, 1);
}
template <typename T>
inline void GradTransform(const T* dy, T* y) {
  T r[kN * kM];
#pragma GCC unroll 4
  for (int j = 0; j < kM; ++j) Grad1(dy + j, kM, r + j, kM);
#pragma GCC unroll 6
  for (int i = 0; i < kN; ++i) Grad1(r + kM * i, 1, y + kN * i, 1);
}

// u = G g G^T (3x3 filter to kN x kN) and G^T w G (kN x kN to 3x3), once a call: Combine's.
template <typename T>
inline void FilterTransform(const T* g, T* u) {
  auto gm = [](int i, int k) { return kG[i][k]; };
  Sandwich<kN, 3, kN, 3>(gm, gm, g, u);
}
template <typename T>
inline void FilterGradTransform(const T* w, T* g) {
  auto gt = [](int i, int k) { return kG[k][i]; };
  Sandwich<3, kN, 3, kN>(gt, gt, w, g);
}

float* Scratch(std::vector<float>* v, int64_t n) {
  if (static_cast<int64_t>(v->size()) < n) v->resize(n);
  return v->data();
}

// Tiles per block: its transformed inputs and products (kPoints x (inC + outC) floats a tile)
// in about 512 KB, so they stay in L2 between the transforms and the products; a multiple of
// 12, the AVX-512 tile's rows.
int64_t TilesPerBlock(int64_t C, int64_t N) {
  return std::max<int64_t>(12, (512 * 1024 / (4 * kPoints * (C + N))) / 12 * 12);
}

// The kM x kM output tiles, numbered image by image, row by row.
struct Tiles {
  const WinogradShape& s;
  int64_t rows = (s.outH + kM - 1) / kM, cols = (s.outW + kM - 1) / kM, count = s.batch * rows * cols;

  // Tile t's kN x kN input pixels, `none` (C zeros) where in padding.
  void Inputs(int64_t t, const float* in, const float* none, const float* src[kPoints]) const {
    const int64_t b = t / (rows * cols), ty = t / cols % rows, tx = t % cols;
    for (int64_t i = 0; i < kN; ++i)
      for (int64_t j = 0; j < kN; ++j) {
        const int64_t y = kM * ty - s.padTop + i, x = kM * tx - s.padLeft + j;
        const bool inside = y >= 0 && y < s.inH && x >= 0 && x < s.inW;
        src[kN * i + j] = inside ? in + ((b * s.inH + y) * s.inW + x) * s.inC : none;
      }
  }

  // Tile t's kM x kM output pixels (indices into the output's pixels), -1 past the image's edge.
  void Outputs(int64_t t, int64_t pixel[kM * kM]) const {
    const int64_t b = t / (rows * cols), ty = t / cols % rows, tx = t % cols;
    for (int64_t i = 0; i < kM; ++i)
      for (int64_t j = 0; j < kM; ++j) {
        const int64_t y = kM * ty + i, x = kM * tx + j;
        pixel[kM * i + j] = y < s.outH && x < s.outW ? (b * s.outH + y) * s.outW + x : -1;
      }
  }
};

// Zeros for the padding's pixels (never written).
const float* Zeros(int64_t n) {
  thread_local std::vector<float> zeros;
  return Scratch(&zeros, n);
}

// V[k][t][c] = point k of tile t0 + t's transformed inputs, for t < bt.
void TransformInputs(const Tiles& tiles, const float* in, int64_t t0, int64_t bt, float* V) {
  const int64_t C = tiles.s.inC;
  const float* none = Zeros(C);
  for (int64_t t = 0; t < bt; ++t) {
    const float* src[kPoints];
    tiles.Inputs(t0 + t, in, none, src);
    OverChannels(C, [&](auto lane, int64_t c) {
      using T = decltype(lane);
      T d[kPoints], v[kPoints];
      for (int k = 0; k < kPoints; ++k) d[k] = LoadAt<T>(src[k] + c);
      InputTransform(d, v);
      for (int k = 0; k < kPoints; ++k) StoreAt(V + (k * bt + t) * C + c, v[k]);
    });
  }
}

}  // namespace

void WinogradConv3x3(const WinogradShape& s, const float* in, const float* filter, float* out) {
  const int64_t C = s.inC, N = s.outC;
  const Tiles tiles{s};
  if (tiles.count == 0 || N == 0) return;
  // U[k][c][o]: point k of each transformed filter, a [C x N] matrix per point.
  thread_local std::vector<float> filters;
  float* U = Scratch(&filters, kPoints * C * N);
  for (int64_t c = 0; c < C; ++c)
    OverChannels(N, [&](auto lane, int64_t o) {
      using T = decltype(lane);
      T g[9], u[kPoints];
      for (int k = 0; k < 9; ++k) g[k] = LoadAt<T>(filter + (k * C + c) * N + o);
      FilterTransform(g, u);
      for (int k = 0; k < kPoints; ++k) StoreAt(U + (k * C + c) * N + o, u[k]);
    });
  const int64_t block = TilesPerBlock(C, N), blocks = (tiles.count + block - 1) / block;
  // Blocks write disjoint outputs and compute each the same way on any thread.
  ParallelFor(blocks, [&](int64_t bi) {
    thread_local std::vector<float> inputs, products;
    const int64_t t0 = bi * block, bt = std::min(block, tiles.count - t0);
    float* V = Scratch(&inputs, kPoints * bt * C);    // V[k][t][c]
    float* M = Scratch(&products, kPoints * bt * N);  // M[k][t][o]
    TransformInputs(tiles, in, t0, bt, V);
    for (int64_t k = 0; k < kPoints; ++k)
      Gemm(bt, N, C, Operand::Dense(V + k * bt * C, C, false), Operand::Dense(U + k * C * N, N, false), false, M + k * bt * N, N);
    for (int64_t t = 0; t < bt; ++t) {
      int64_t pixel[kM * kM];
      tiles.Outputs(t0 + t, pixel);
      OverChannels(N, [&](auto lane, int64_t o) {
        using T = decltype(lane);
        T m[kPoints], y[kM * kM];
        for (int k = 0; k < kPoints; ++k) m[k] = LoadAt<T>(M + (k * bt + t) * N + o);
        OutputTransform(m, y);
        for (int q = 0; q < kM * kM; ++q)
          if (pixel[q] >= 0) StoreAt(out + pixel[q] * N + o, y[q]);
      });
    }
  });
}

void WinogradFilterGrad3x3(const WinogradShape& s, const float* in, const float* dy, float* dw) {
  const int64_t C = s.inC, N = s.outC;
  const Tiles tiles{s};
  // W[k][c][o]: point k of the transformed filter gradient, summed over the tiles in order.
  thread_local std::vector<float> sums;
  float* W = Scratch(&sums, kPoints * C * N);
  std::fill(W, W + kPoints * C * N, 0.0f);
  const int64_t block = TilesPerBlock(C, N);
  const float* none = Zeros(std::max(C, N));  // grown once here, so TransformInputs' Zeros(C) keeps it
  for (int64_t t0 = 0; t0 < tiles.count; t0 += block) {
    thread_local std::vector<float> inputs, grads;
    const int64_t bt = std::min(block, tiles.count - t0);
    float* V = Scratch(&inputs, kPoints * bt * C);  // V[k][t][c]
    float* Y = Scratch(&grads, kPoints * bt * N);   // Y[k][t][o]
    TransformInputs(tiles, in, t0, bt, V);
    for (int64_t t = 0; t < bt; ++t) {
      int64_t pixel[kM * kM];
      tiles.Outputs(t0 + t, pixel);
      OverChannels(N, [&](auto lane, int64_t o) {
        using T = decltype(lane);
        T g[kM * kM], y[kPoints];
        for (int q = 0; q < kM * kM; ++q) g[q] = LoadAt<T>((pixel[q] >= 0 ? dy + pixel[q] * N : none) + o);
        GradTransform(g, y);
        for (int k = 0; k < kPoints; ++k) StoreAt(Y + (k * bt + t) * N + o, y[k]);
      });
    }
    // Each point's sum continues through W, block after block: threads split the points, not a sum.
    ParallelFor(kPoints, [&](int64_t k) {
      Gemm(C, N, bt, Operand::Dense(V + k * bt * C, C, true), Operand::Dense(Y + k * bt * N, N, false), true, W + k * C * N, N);
    });
  }
  for (int64_t c = 0; c < C; ++c)
    OverChannels(N, [&](auto lane, int64_t o) {
      using T = decltype(lane);
      T w[kPoints], g[9];
      for (int k = 0; k < kPoints; ++k) w[k] = LoadAt<T>(W + (k * C + c) * N + o);
      FilterGradTransform(w, g);
      for (int k = 0; k < 9; ++k) StoreAt(dw + (k * C + c) * N + o, g[k]);
    });
}

}  // namespace labbook
