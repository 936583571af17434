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

float* Scratch(std::vector<float>* v, int64_t n) {
  if (static_cast<int64_t>(v->size()) < n) v->resize(n);
  return v->data();
}

// Tiles per block: its transformed inputs and products (16 x (inC + outC) floats a tile) in
// about 512 KB, so they stay in L2 between the transforms and the products; a multiple of 12,
// the AVX-512 tile's rows.
int64_t TilesPerBlock(int64_t C, int64_t N) { return std::max<int64_t>(12, (8192 / (C + N)) / 12 * 12); }

}  // namespace

void WinogradConv3x3(const WinogradShape& s, const float* in, const float* filter, float* out) {
  const int64_t C = s.inC, N = s.outC, tilesH = (s.outH + 1) / 2, tilesW = (s.outW + 1) / 2;
  const int64_t tiles = s.batch * tilesH * tilesW;
  if (tiles == 0 || N == 0) return;
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
  const int64_t block = TilesPerBlock(C, N), blocks = (tiles + block - 1) / block;
  // Blocks write disjoint outputs and compute each the same way on any thread.
  ParallelFor(blocks, [&](int64_t bi) {
    thread_local std::vector<float> inputs, products, zeros;
    const int64_t t0 = bi * block, bt = std::min(block, tiles - t0);
    float* V = Scratch(&inputs, 16 * bt * C);  // V[k][t][c]
    float* M = Scratch(&products, 16 * bt * N);  // M[k][t][o]
    const float* none = Scratch(&zeros, C);  // the padding's pixel (never written: all zeros)
    for (int64_t t = 0; t < bt; ++t) {
      const int64_t b = (t0 + t) / (tilesH * tilesW), ty = (t0 + t) / tilesW % tilesH, tx = (t0 + t) % tilesW;
      const float* src[16];
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 4; ++j) {
          const int64_t y = 2 * ty - s.padTop + i, x = 2 * tx - s.padLeft + j;
          const bool inside = y >= 0 && y < s.inH && x >= 0 && x < s.inW;
          src[4 * i + j] = inside ? in + ((b * s.inH + y) * s.inW + x) * C : none;
        }
      OverChannels(C, [&](auto lane, int64_t c) {
        using T = decltype(lane);
        T d[16], v[16];
        for (int k = 0; k < 16; ++k) d[k] = LoadAt<T>(src[k] + c);
        InputTransform(d, v);
        for (int k = 0; k < 16; ++k) StoreAt(V + (k * bt + t) * C + c, v[k]);
      });
    }
    for (int64_t k = 0; k < 16; ++k)
      Gemm(bt, N, C, Operand::Dense(V + k * bt * C, C, false), Operand::Dense(U + k * C * N, N, false), false, M + k * bt * N, N);
    for (int64_t t = 0; t < bt; ++t) {
      const int64_t b = (t0 + t) / (tilesH * tilesW), ty = (t0 + t) / tilesW % tilesH, tx = (t0 + t) % tilesW;
      float* dst[4];  // the tile's 2x2 outputs, nullptr past the image's edge
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 2; ++j) {
          const int64_t y = 2 * ty + i, x = 2 * tx + j;
          dst[2 * i + j] = y < s.outH && x < s.outW ? out + ((b * s.outH + y) * s.outW + x) * N : nullptr;
        }
      OverChannels(N, [&](auto lane, int64_t o) {
        using T = decltype(lane);
        T m[16], y[4];
        for (int k = 0; k < 16; ++k) m[k] = LoadAt<T>(M + (k * bt + t) * N + o);
        OutputTransform(m, y);
        for (int q = 0; q < 4; ++q)
          if (dst[q] != nullptr) StoreAt(dst[q] + o, y[q]);
      });
    }
  });
}

}  // namespace labbook
