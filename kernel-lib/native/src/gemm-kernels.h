// The products' inner tiles: MR rows x NR columns of C over kc steps of packed A (MR values per
// step) and packed B (NR values per step). Vectorized over the columns of C only: each lane owns
// one output and adds its k terms in order with one FMA each, so the 8-wide and 16-wide tiles
// compute the very same chain as the scalar reference (fma(a, b, acc), k ascending).
#pragma once
#include <immintrin.h>
#include <algorithm>
#include <cstdint>
#include "gemm.h"

namespace labbook {

// AVX2 + FMA: 6 x 16 (12 accumulators, 2 B vectors, 1 broadcast of 16 registers).
constexpr int kAvx2Rows = 6, kAvx2Cols = 16;

inline void TileAvx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool load) {
  constexpr int R = kAvx2Rows;
  __m256 acc[R][2];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    acc[r][0] = load ? _mm256_loadu_ps(c + r * ldc) : _mm256_setzero_ps();
    acc[r][1] = load ? _mm256_loadu_ps(c + r * ldc + 8) : _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k, a += R, b += 16) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256 x = _mm256_broadcast_ss(a + r);
      acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_ps(c + r * ldc, acc[r][0]);
    _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
  }
}

// AVX-512: 12 x 32 (24 accumulators, 2 B vectors, 1 broadcast of 32 registers). Compiled for
// AVX-512 here only; called only where the CPU has it.
constexpr int kAvx512Rows = 12, kAvx512Cols = 32;

__attribute__((target("avx512f"))) inline void TileAvx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                                                         bool load) {
  constexpr int R = kAvx512Rows;
  __m512 acc[R][2];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    acc[r][0] = load ? _mm512_loadu_ps(c + r * ldc) : _mm512_setzero_ps();
    acc[r][1] = load ? _mm512_loadu_ps(c + r * ldc + 16) : _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k, a += R, b += 32) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    _mm512_storeu_ps(c + r * ldc, acc[r][0]);
    _mm512_storeu_ps(c + r * ldc + 16, acc[r][1]);
  }
}

// Tiles that read both operands in place, for products too small to repay packing (Gemm's direct
// path, attention's per-head products, the LSTM's steps). One tile: MR rows of C by one panel of
// V vectors, over k = 0 .. K-1. A(r, k) is a[r * ars + k * aks] (rows of A, or columns of a
// transposed one), B's row k of the panel starts at b + k * ldb. The chains start from +0, or
// from C (load) to continue them over another block of k. A partial panel (n columns) is read
// and written through a scratch tile, so nothing past C's n columns is touched; B must still
// have V vectors readable on each row (callers pad a copy).
struct TileArgs {
  int64_t K;
  const float* a;
  int64_t ars, aks;
  const float* b;
  int64_t ldb;
  float* c;
  int64_t ldc, n;
  bool load;
};

// UnitRows: A's rows are adjacent (a transposed A), so every row's offset is a constant and a
// tall tile keeps its 16 row offsets out of the registers the loop needs.
template <int MR, int V, bool UnitRows>
__attribute__((target("avx512f"))) inline void Tile512Body(const TileArgs& t) {
  const int64_t ars = UnitRows ? 1 : t.ars;
  __m512 s[MR][V];
  alignas(64) float tile[16 * V] = {};
  for (int r = 0; r < MR; ++r) {
    const float* in = t.c + r * t.ldc;
    if (t.load && t.n < 16 * V) {
      std::copy(in, in + t.n, tile);
      in = tile;
    }
    for (int q = 0; q < V; ++q) s[r][q] = t.load ? _mm512_loadu_ps(in + 16 * q) : _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < t.K; ++k) {
    __m512 b[V];
    for (int q = 0; q < V; ++q) b[q] = _mm512_loadu_ps(t.b + k * t.ldb + 16 * q);
    for (int r = 0; r < MR; ++r) {
      const __m512 ar = _mm512_set1_ps(t.a[r * ars + k * t.aks]);
      for (int q = 0; q < V; ++q) s[r][q] = _mm512_fmadd_ps(ar, b[q], s[r][q]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* out = t.n == 16 * V ? t.c + r * t.ldc : tile;
    for (int q = 0; q < V; ++q) _mm512_storeu_ps(out + 16 * q, s[r][q]);
    if (t.n < 16 * V) std::copy(tile, tile + t.n, t.c + r * t.ldc);
  }
}

template <int MR, int V>
__attribute__((target("avx512f"))) void Tile512(const TileArgs& t) {
  if (t.ars == 1) return Tile512Body<MR, V, true>(t);
  Tile512Body<MR, V, false>(t);
}

template <int MR, int V>
void Tile256(const TileArgs& t) {
  __m256 s[MR][V];
  alignas(32) float tile[8 * V] = {};
  for (int r = 0; r < MR; ++r) {
    const float* in = t.c + r * t.ldc;
    if (t.load && t.n < 8 * V) {
      std::copy(in, in + t.n, tile);
      in = tile;
    }
    for (int q = 0; q < V; ++q) s[r][q] = t.load ? _mm256_loadu_ps(in + 8 * q) : _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < t.K; ++k) {
    __m256 b[V];
    for (int q = 0; q < V; ++q) b[q] = _mm256_loadu_ps(t.b + k * t.ldb + 8 * q);
    for (int r = 0; r < MR; ++r) {
      const __m256 ar = _mm256_set1_ps(t.a[r * t.ars + k * t.aks]);
      for (int q = 0; q < V; ++q) s[r][q] = _mm256_fmadd_ps(ar, b[q], s[r][q]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* out = t.n == 8 * V ? t.c + r * t.ldc : tile;
    for (int q = 0; q < V; ++q) _mm256_storeu_ps(out + 8 * q, s[r][q]);
    if (t.n < 8 * V) std::copy(tile, tile + t.n, t.c + r * t.ldc);
  }
}

// The in-place tiles for the path in use, by rows (1 to kTileRows): AVX-512 6 x 64 (24
// accumulators of 32 registers), AVX2 6 x 16 (12 of 16); nullptr on the scalar path.
using Tile = void (*)(const TileArgs&);
constexpr int64_t kTileRows = 6;
inline const Tile* Tiles(Isa isa, int64_t* width) {
  static constexpr Tile wide[] = {Tile512<1, 4>, Tile512<2, 4>, Tile512<3, 4>, Tile512<4, 4>, Tile512<5, 4>, Tile512<6, 4>};
  static constexpr Tile narrow[] = {Tile256<1, 2>, Tile256<2, 2>, Tile256<3, 2>, Tile256<4, 2>, Tile256<5, 2>, Tile256<6, 2>};
  *width = isa == Isa::Avx512 ? 64 : 16;
  return isa == Isa::Scalar ? nullptr : isa == Isa::Avx512 ? wide : narrow;
}

// The tiles for a last panel of n < width columns: the fewest vectors that cover n (a 10-class
// head's product on AVX-512 is one vector wide, not four). *span is the columns they read.
inline const Tile* EdgeTiles(Isa isa, int64_t n, int64_t* span) {
  static constexpr Tile w512[3][kTileRows] = {
      {Tile512<1, 1>, Tile512<2, 1>, Tile512<3, 1>, Tile512<4, 1>, Tile512<5, 1>, Tile512<6, 1>},
      {Tile512<1, 2>, Tile512<2, 2>, Tile512<3, 2>, Tile512<4, 2>, Tile512<5, 2>, Tile512<6, 2>},
      {Tile512<1, 3>, Tile512<2, 3>, Tile512<3, 3>, Tile512<4, 3>, Tile512<5, 3>, Tile512<6, 3>}};
  static constexpr Tile w256[kTileRows] = {Tile256<1, 1>, Tile256<2, 1>, Tile256<3, 1>, Tile256<4, 1>, Tile256<5, 1>, Tile256<6, 1>};
  if (isa == Isa::Avx512) {
    const int64_t v = (n + 15) / 16;
    *span = 16 * v;
    return v >= 4 ? Tiles(isa, span) : w512[v - 1];
  }
  if (n > 8) return Tiles(isa, span);
  *span = 8;
  return w256;
}

}  // namespace labbook
