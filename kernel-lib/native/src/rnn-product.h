// The LSTM's per-step products, C = A B with one B ([kernel; recurrentKernel] forward, R^T
// backward) for all of a sequence's ~100 steps: B is packed once per call instead of once per
// step as Gemm must, and A (a few dozen rows) is read in place, where Gemm packs it every step;
// at [64 x 128] x [128 x 256] the packing was a third of the product's time. Each output is
// Gemm's chain exactly, acc = fma(A(i,k), B(k,j), acc) for k ascending from +0, so the bits
// are Gemm's; on the scalar path it is Gemm itself, which the tests compare the others with.
#pragma once
#include <immintrin.h>
#include <algorithm>
#include <cstdint>
#include <vector>
#include "gemm.h"

namespace labbook {

#define LABBOOK_AVX512 __attribute__((target("avx512f")))

// MR rows of C by one panel of V vectors (16 floats each here, 8 in Tile256), over k = 0 .. K-1;
// a partial panel (n columns) goes out through a scratch tile.
template <int MR, int V>
LABBOOK_AVX512 void Tile512(int64_t K, const float* a, int64_t lda, const float* bp, float* c, int64_t ldc, int64_t n) {
  __m512 s[MR][V];
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < V; ++q) s[r][q] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    __m512 b[V];
    for (int q = 0; q < V; ++q) b[q] = _mm512_loadu_ps(bp + k * 16 * V + 16 * q);
    for (int r = 0; r < MR; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r * lda + k]);
      for (int q = 0; q < V; ++q) s[r][q] = _mm512_fmadd_ps(ar, b[q], s[r][q]);
    }
  }
  alignas(64) float tile[16 * V];
  for (int r = 0; r < MR; ++r) {
    float* out = n == 16 * V ? c + r * ldc : tile;
    for (int q = 0; q < V; ++q) _mm512_storeu_ps(out + 16 * q, s[r][q]);
    if (n < 16 * V) std::copy(tile, tile + n, c + r * ldc);
  }
}

template <int MR, int V>
void Tile256(int64_t K, const float* a, int64_t lda, const float* bp, float* c, int64_t ldc, int64_t n) {
  __m256 s[MR][V];
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < V; ++q) s[r][q] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    __m256 b[V];
    for (int q = 0; q < V; ++q) b[q] = _mm256_loadu_ps(bp + k * 8 * V + 8 * q);
    for (int r = 0; r < MR; ++r) {
      const __m256 ar = _mm256_set1_ps(a[r * lda + k]);
      for (int q = 0; q < V; ++q) s[r][q] = _mm256_fmadd_ps(ar, b[q], s[r][q]);
    }
  }
  alignas(32) float tile[8 * V];
  for (int r = 0; r < MR; ++r) {
    float* out = n == 8 * V ? c + r * ldc : tile;
    for (int q = 0; q < V; ++q) _mm256_storeu_ps(out + 8 * q, s[r][q]);
    if (n < 8 * V) std::copy(tile, tile + n, c + r * ldc);
  }
}

using StepTile = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t, int64_t);

// B [K x N] (row-major, ldb) packed for the path in use: panels of Width columns, each [K][Width],
// zero-padded past N. The AVX-512 tiles are 6 x 64 (24 accumulators of 32 registers), the AVX2
// ones 6 x 16 (12 of 16).
class StepProduct {
 public:
  StepProduct(const float* b, int64_t ldb, int64_t K, int64_t N)
      : b_(b), ldb_(ldb), K_(K), N_(N), isa_(CurrentIsa()), width_(isa_ == Isa::Avx512 ? 64 : 16) {
    if (isa_ == Isa::Scalar) return;
    const int64_t panels = (N + width_ - 1) / width_;
    packed_.assign(panels * K * width_, 0.0f);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t j = p * width_; j < std::min(N, (p + 1) * width_); ++j)
          packed_[(p * K + k) * width_ + j - p * width_] = b[k * ldb + j];
  }

  // C[M x N] (ldc) = A[M x k] (row-major, lda) times B's first k rows (k <= K).
  void Run(int64_t M, int64_t k, const float* a, int64_t lda, float* c, int64_t ldc) const {
    if (isa_ == Isa::Scalar) return Gemm(M, N_, k, Operand::Dense(a, lda, false), Operand::Dense(b_, ldb_, false), false, c, ldc);
    static constexpr StepTile wide[] = {Tile512<1, 4>, Tile512<2, 4>, Tile512<3, 4>, Tile512<4, 4>, Tile512<5, 4>, Tile512<6, 4>};
    static constexpr StepTile narrow[] = {Tile256<1, 2>, Tile256<2, 2>, Tile256<3, 2>, Tile256<4, 2>, Tile256<5, 2>, Tile256<6, 2>};
    const StepTile* tiles = isa_ == Isa::Avx512 ? wide : narrow;
    for (int64_t j0 = 0; j0 < N_; j0 += width_) {
      const float* bp = packed_.data() + (j0 / width_) * K_ * width_;
      for (int64_t i0 = 0; i0 < M; i0 += 6) {
        const int64_t mr = std::min<int64_t>(6, M - i0);
        tiles[mr - 1](k, a + i0 * lda, lda, bp, c + i0 * ldc + j0, ldc, std::min(width_, N_ - j0));
      }
    }
  }

 private:
  const float* b_;
  int64_t ldb_, K_, N_;
  Isa isa_;
  int64_t width_;
  std::vector<float> packed_;
};

#undef LABBOOK_AVX512

}  // namespace labbook
