// 3x3 stride-1 convolutions by Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray, 2016):
// each 4x4 block of outputs comes from a 6x6 block of inputs with 36 products per pair of input
// and output channels instead of 144. The products over channels are 36 GEMMs, one per point of
// the transformed tile; Gemm already runs them at the core's peak, so fewer of them is what is
// left to win (the CNN's conv2, 11x11 outputs in 3x3 tiles: 0.30x the direct multiply-adds;
// F(2x2, 3x3) did 0.53x and ran 10% slower forward, 35% slower for the filter gradient). The
// transforms (conv-winograd-transforms.h) are fixed sequences of float operations, the same in
// vector lanes and scalars, and the products go through Gemm: results are the same on every
// path and thread count, though not a direct sum's bits (for the CNN's conv2, 4e-6 of the
// largest output off the cpu kernel's, against 8e-7 with F(2x2, 3x3) and 1e-6 for the direct
// filter gradient).
#include "conv-winograd.h"
#include "conv-winograd-transforms.h"
#include <algorithm>
#include <cstring>
#include <vector>
#include "gemm.h"
#include "parallel.h"

namespace labbook {

namespace {

using namespace winograd;

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

// V[k * ld + t][c] = point k of tile t0 + t's transformed inputs, for t < bt.
void TransformInputs(const Tiles& tiles, const float* in, int64_t t0, int64_t bt, int64_t ld, float* V) {
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
      for (int k = 0; k < kPoints; ++k) StoreAt(V + (k * ld + t) * C + c, v[k]);
    });
  }
}

// Y[k * ld + t][o] = point k of tile t0 + t's transformed output gradients, for t < bt.
void TransformGrads(const Tiles& tiles, const float* dy, int64_t t0, int64_t bt, int64_t ld, float* Y) {
  const int64_t N = tiles.s.outC;
  const float* none = Zeros(N);
  for (int64_t t = 0; t < bt; ++t) {
    int64_t pixel[kM * kM];
    tiles.Outputs(t0 + t, pixel);
    OverChannels(N, [&](auto lane, int64_t o) {
      using T = decltype(lane);
      T g[kM * kM], y[kPoints];
      for (int q = 0; q < kM * kM; ++q) g[q] = LoadAt<T>((pixel[q] >= 0 ? dy + pixel[q] * N : none) + o);
      GradTransform(g, y);
      for (int k = 0; k < kPoints; ++k) StoreAt(Y + (k * ld + t) * N + o, y[k]);
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
    TransformInputs(tiles, in, t0, bt, bt, V);
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
  thread_local std::vector<float> inputs, grads;
  float* V = Scratch(&inputs, kPoints * block * C);  // V[k][t][c]
  float* Y = Scratch(&grads, kPoints * block * N);   // Y[k][t][o]
  constexpr int64_t kSlice = 6;                       // tiles a transforming item takes
  for (int64_t t0 = 0; t0 < tiles.count; t0 += block) {
    const int64_t bt = std::min(block, tiles.count - t0);
    // Threads split the block's tiles, then its points.
    ParallelFor((bt + kSlice - 1) / kSlice, [&](int64_t i) {
      const int64_t u0 = i * kSlice, ut = std::min(kSlice, bt - u0);
      TransformInputs(tiles, in, t0 + u0, ut, bt, V + u0 * C);
      TransformGrads(tiles, dy, t0 + u0, ut, bt, Y + u0 * N);
    });
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
