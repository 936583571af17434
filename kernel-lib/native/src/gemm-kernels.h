// The products' inner tiles: MR rows x NR columns of C over kc steps of packed A (MR values per
// step) and packed B (NR values per step). Vectorized over the columns of C only: each lane owns
// one output and adds its k terms in order with one FMA each, so the 8-wide and 16-wide tiles
// compute the very same chain as the scalar reference (fma(a, b, acc), k ascending).
#pragma once
#include <immintrin.h>
#include <cstdint>

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

}  // namespace labbook
