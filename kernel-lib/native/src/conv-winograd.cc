// 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, 2016):
// each 2x2 block of outputs comes from a 4x4 block of inputs with 16 products per pair of input
// and output channels instead of 36. The products over channels are 16 GEMMs, one per point of
// the transformed tile; Gemm already runs them at the core's peak, so fewer of them is what is
// left to win (the CNN's conv2, 11x11 outputs in 6x6 tiles: 0.53x the direct multiply-adds).
// The transforms are fixed sequences of float additions and halvings, written out, the same in
// vector lanes and scalars, and the products go through Gemm: results are the same on every
// path and thread count, though not a direct sum's bits (they differ by rounding).
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

// v = B^T d B on a 4x4 tile, columns then rows; B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
template <typename T>
void InputTransform(const T d[16], T v[16]) {
  T r[16];
  for (int j = 0; j < 4; ++j) {
    r[0 + j] = d[0 + j] - d[8 + j];
    r[4 + j] = d[4 + j] + d[8 + j];
    r[8 + j] = d[8 + j] - d[4 + j];
    r[12 + j] = d[4 + j] - d[12 + j];
  }
  for (int i = 0; i < 16; i += 4) {
    v[i + 0] = r[i + 0] - r[i + 2];
    v[i + 1] = r[i + 1] + r[i + 2];
    v[i + 2] = r[i + 2] - r[i + 1];
    v[i + 3] = r[i + 1] - r[i + 3];
  }
}

// y = A^T m A, a 4x4 tile to 2x2; A^T = [1 1 1 0; 0 1 -1 -1].
template <typename T>
void OutputTransform(const T m[16], T y[4]) {
  T r[8];
  for (int j = 0; j < 4; ++j) {
    r[0 + j] = (m[0 + j] + m[4 + j]) + m[8 + j];
    r[4 + j] = (m[4 + j] - m[8 + j]) - m[12 + j];
  }
  for (int i = 0; i < 2; ++i) {
    y[2 * i + 0] = (r[4 * i + 0] + r[4 * i + 1]) + r[4 * i + 2];
    y[2 * i + 1] = (r[4 * i + 1] - r[4 * i + 2]) - r[4 * i + 3];
  }
}

// u = G g G^T, a 3x3 filter to 4x4; G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
template <typename T>
void FilterTransform(const T g[9], T u[16]) {
  T r[12];
  for (int j = 0; j < 3; ++j) {
    r[0 + j] = g[0 + j];
    r[3 + j] = ((g[0 + j] + g[3 + j]) + g[6 + j]) * 0.5f;
    r[6 + j] = ((g[0 + j] - g[3 + j]) + g[6 + j]) * 0.5f;
    r[9 + j] = g[6 + j];
  }
  for (int i = 0; i < 4; ++i) {
    const T* a = r + 3 * i;
    u[4 * i + 0] = a[0];
    u[4 * i + 1] = ((a[0] + a[1]) + a[2]) * 0.5f;
    u[4 * i + 2] = ((a[0] - a[1]) + a[2]) * 0.5f;
    u[4 * i + 3] = a[2];
  }
}

// The filter gradient's transforms, the adjoints of the forward's (y = A^T (u . v) A, u = G g G^T):
// a 2x2 tile of dy to 4x4 by A dy A^T, and the 4x4 sum back to 3x3 by G^T w G.
template <typename T>
void GradTransform(const T g[4], T y[16]) {
  T r[8];
  for (int j = 0; j < 2; ++j) {
    r[0 + j] = g[0 + j];
    r[2 + j] = g[0 + j] + g[2 + j];
    r[4 + j] = g[0 + j] - g[2 + j];
    r[6 + j] = -g[2 + j];
  }
  for (int i = 0; i < 4; ++i) {
    y[4 * i + 0] = r[2 * i];
    y[4 * i + 1] = r[2 * i] + r[2 * i + 1];
    y[4 * i + 2] = r[2 * i] - r[2 * i + 1];
    y[4 * i + 3] = -r[2 * i + 1];
  }
}

template <typename T>
void FilterGradTransform(const T w[16], T g[9]) {
  T r[12];  // 3 rows of 4
  for (int j = 0; j < 4; ++j) {
    const T half = (w[4 + j] + w[8 + j]) * 0.5f;
    r[0 + j] = w[0 + j] + half;
    r[4 + j] = (w[4 + j] - w[8 + j]) * 0.5f;
    r[8 + j] = half + w[12 + j];
  }
  for (int i = 0; i < 3; ++i) {
    const T* a = r + 4 * i;
    const T half = (a[1] + a[2]) * 0.5f;
    g[3 * i + 0] = a[0] + half;
    g[3 * i + 1] = (a[1] - a[2]) * 0.5f;
    g[3 * i + 2] = half + a[3];
  }
}

float* Scratch(std::vector<float>* v, int64_t n) {
  if (static_cast<int64_t>(v->size()) < n) v->resize(n);
  return v->data();
}

// Tiles per block: its transformed inputs and products (16 x (inC + outC) floats a tile) in
// about 512 KB, so they stay in L2 between the transforms and the products; a multiple of 12,
// the AVX-512 tile's rows.
int64_t TilesPerBlock(int64_t C, int64_t N) { return std::max<int64_t>(12, (8192 / (C + N)) / 12 * 12); }

// The 2x2 output tiles, numbered image by image, row by row.
struct Tiles {
  const WinogradShape& s;
  int64_t rows = (s.outH + 1) / 2, cols = (s.outW + 1) / 2, count = s.batch * rows * cols;

  // Tile t's 4x4 input pixels, `none` (C zeros) where in padding.
  void Inputs(int64_t t, const float* in, const float* none, const float* src[16]) const {
    const int64_t b = t / (rows * cols), ty = t / cols % rows, tx = t % cols;
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j) {
        const int64_t y = 2 * ty - s.padTop + i, x = 2 * tx - s.padLeft + j;
        const bool inside = y >= 0 && y < s.inH && x >= 0 && x < s.inW;
        src[4 * i + j] = inside ? in + ((b * s.inH + y) * s.inW + x) * s.inC : none;
      }
  }

  // Tile t's 2x2 output pixels (indices into the output's pixels), -1 past the image's edge.
  void Outputs(int64_t t, int64_t pixel[4]) const {
    const int64_t b = t / (rows * cols), ty = t / cols % rows, tx = t % cols;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        const int64_t y = 2 * ty + i, x = 2 * tx + j;
        pixel[2 * i + j] = y < s.outH && x < s.outW ? (b * s.outH + y) * s.outW + x : -1;
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
    const float* src[16];
    tiles.Inputs(t0 + t, in, none, src);
    OverChannels(C, [&](auto lane, int64_t c) {
      using T = decltype(lane);
      T d[16], v[16];
      for (int k = 0; k < 16; ++k) d[k] = LoadAt<T>(src[k] + c);
      InputTransform(d, v);
      for (int k = 0; k < 16; ++k) StoreAt(V + (k * bt + t) * C + c, v[k]);
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
  float* U = Scratch(&filters, 16 * C * N);
  for (int64_t c = 0; c < C; ++c)
    OverChannels(N, [&](auto lane, int64_t o) {
      using T = decltype(lane);
      T g[9], u[16];
      for (int k = 0; k < 9; ++k) g[k] = LoadAt<T>(filter + (k * C + c) * N + o);
      FilterTransform(g, u);
      for (int k = 0; k < 16; ++k) StoreAt(U + (k * C + c) * N + o, u[k]);
    });
  const int64_t block = TilesPerBlock(C, N), blocks = (tiles.count + block - 1) / block;
  // Blocks write disjoint outputs and compute each the same way on any thread.
  ParallelFor(blocks, [&](int64_t bi) {
    thread_local std::vector<float> inputs, products;
    const int64_t t0 = bi * block, bt = std::min(block, tiles.count - t0);
    float* V = Scratch(&inputs, 16 * bt * C);    // V[k][t][c]
    float* M = Scratch(&products, 16 * bt * N);  // M[k][t][o]
    TransformInputs(tiles, in, t0, bt, V);
    for (int64_t k = 0; k < 16; ++k)
      Gemm(bt, N, C, Operand::Dense(V + k * bt * C, C, false), Operand::Dense(U + k * C * N, N, false), false, M + k * bt * N, N);
    for (int64_t t = 0; t < bt; ++t) {
      int64_t pixel[4];
      tiles.Outputs(t0 + t, pixel);
      OverChannels(N, [&](auto lane, int64_t o) {
        using T = decltype(lane);
        T m[16], y[4];
        for (int k = 0; k < 16; ++k) m[k] = LoadAt<T>(M + (k * bt + t) * N + o);
        OutputTransform(m, y);
        for (int q = 0; q < 4; ++q)
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
  float* W = Scratch(&sums, 16 * C * N);
  std::fill(W, W + 16 * C * N, 0.0f);
  const int64_t block = TilesPerBlock(C, N);
  const float* none = Zeros(std::max(C, N));  // grown once here, so TransformInputs' Zeros(C) keeps it
  for (int64_t t0 = 0; t0 < tiles.count; t0 += block) {
    thread_local std::vector<float> inputs, grads;
    const int64_t bt = std::min(block, tiles.count - t0);
    float* V = Scratch(&inputs, 16 * bt * C);  // V[k][t][c]
    float* Y = Scratch(&grads, 16 * bt * N);   // Y[k][t][o]
    TransformInputs(tiles, in, t0, bt, V);
    for (int64_t t = 0; t < bt; ++t) {
      int64_t pixel[4];
      tiles.Outputs(t0 + t, pixel);
      OverChannels(N, [&](auto lane, int64_t o) {
        using T = decltype(lane);
        T g[4], y[16];
        for (int q = 0; q < 4; ++q) g[q] = LoadAt<T>((pixel[q] >= 0 ? dy + pixel[q] * N : none) + o);
        GradTransform(g, y);
        for (int k = 0; k < 16; ++k) StoreAt(Y + (k * bt + t) * N + o, y[k]);
      });
    }
    // Each point's sum continues through W, block after block: threads split the points, not a sum.
    ParallelFor(16, [&](int64_t k) {
      Gemm(C, N, bt, Operand::Dense(V + k * bt * C, C, true), Operand::Dense(Y + k * bt * N, N, false), true, W + k * C * N, N);
    });
  }
  for (int64_t c = 0; c < C; ++c)
    OverChannels(N, [&](auto lane, int64_t o) {
      using T = decltype(lane);
      T w[16], g[9];
      for (int k = 0; k < 16; ++k) w[k] = LoadAt<T>(W + (k * C + c) * N + o);
      FilterGradTransform(w, g);
      for (int k = 0; k < 9; ++k) StoreAt(dw + (k * C + c) * N + o, g[k]);
    });
}

}  // namespace labbook
