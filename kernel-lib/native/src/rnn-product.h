// The LSTM's products that Gemm would spend a third of its time packing for. Per step, C = A B
// with one B ([kernel; recurrentKernel] forward, R^T backward) for all of a sequence's ~100
// steps: B is packed once per call instead of once per step, and A (a few dozen rows) is read in
// place. And the backward's weight gradients, A^T B over all B*T rows, with both read in place.
// Each output is Gemm's chain exactly, acc = fma(A(i,k), B(k,j), acc) for k ascending from +0,
// so the bits are Gemm's; on the scalar path it is Gemm itself, which the tests compare with.
#pragma once
#include <immintrin.h>
#include <algorithm>
#include <cstdint>
#include <vector>
#include "gemm-kernels.h"
#include "gemm.h"
#include "parallel.h"

namespace labbook {

// B [K x N] (row-major, ldb) packed for the path in use: panels of the tiles' width, each
// [K][width], zero-padded past N.
class StepProduct {
 public:
  StepProduct(const float* b, int64_t ldb, int64_t K, int64_t N) : b_(b), ldb_(ldb), K_(K), N_(N) {
    tiles_ = Tiles(CurrentIsa(), &width_);
    if (tiles_ == nullptr) return;
    const int64_t panels = (N + width_ - 1) / width_;
    packed_.assign(panels * K * width_, 0.0f);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t j = p * width_; j < std::min(N, (p + 1) * width_); ++j)
          packed_[(p * K + k) * width_ + j - p * width_] = b[k * ldb + j];
  }

  // C[M x N] (ldc) = A[M x k] (row-major, lda) times B's first k rows (k <= K).
  void Run(int64_t M, int64_t k, const float* a, int64_t lda, float* c, int64_t ldc) const {
    if (tiles_ == nullptr) return Gemm(M, N_, k, Operand::Dense(a, lda, false), Operand::Dense(b_, ldb_, false), false, c, ldc);
    for (int64_t j0 = 0; j0 < N_; j0 += width_) {
      const float* bp = packed_.data() + (j0 / width_) * K_ * width_;
      for (int64_t i0 = 0; i0 < M; i0 += kTileRows) {
        const int64_t mr = std::min(kTileRows, M - i0);
        tiles_[mr - 1]({k, a + i0 * lda, lda, 1, bp, width_, c + i0 * ldc + j0, ldc, std::min(width_, N_ - j0), false});
      }
    }
  }

  // Whether every panel is whole: only then do the tiles beat Gemm on a long A (a narrow B
  // would leave most of each tile's lanes padding).
  bool Whole() const { return tiles_ != nullptr && N_ % width_ == 0; }

  // Run over all K for a long A, blocks of rows spread over the threads when it is large.
  void RunRows(int64_t M, const float* a, int64_t lda, float* c, int64_t ldc) const {
    constexpr int64_t kRows = 16 * kTileRows;
    const int64_t blocks = (M + kRows - 1) / kRows;
    auto block = [&](int64_t i) { Run(std::min(kRows, M - i * kRows), K_, a + i * kRows * lda, lda, c + i * kRows * ldc, ldc); };
    if (Threads() > 1 && blocks > 1 && M * N_ * K_ >= (int64_t{1} << 22)) ParallelFor(blocks, block);
    else for (int64_t i = 0; i < blocks; ++i) block(i);
  }

 private:
  const float* b_;
  int64_t ldb_, K_, N_, width_;
  const Tile* tiles_;
  std::vector<float> packed_;
};

// C[M x N] (row-major, ldc = N) = A^T B for A [K x M] and B [K x N] row-major with a long K (the
// backward's weight gradients, K = B*T): tiles read both in place, where Gemm would pack A^T with
// a copy per row of every strip. Blocks of k continue each chain through C; each panel of
// columns is one work item (its block of B stays in cache across the row tiles); the columns
// past the last full panel go to Gemm, whose chains these are.
inline void ProductTransA(int64_t M, int64_t N, int64_t K, const float* a, int64_t lda, const float* b, int64_t ldb, float* c) {
  int64_t width;
  const Tile* tiles = Tiles(CurrentIsa(), &width);
  const int64_t panels = tiles == nullptr ? 0 : N / width;
  constexpr int64_t kBlock = 64;
  auto panel = [&](int64_t p) {
    for (int64_t k0 = 0; k0 < K; k0 += kBlock)
      for (int64_t i0 = 0; i0 < M; i0 += kTileRows)
        tiles[std::min(kTileRows, M - i0) - 1]({std::min(kBlock, K - k0), a + k0 * lda + i0, 1, lda, b + k0 * ldb + p * width,
                                                ldb, c + i0 * N + p * width, N, width, k0 > 0});
  };
  if (Threads() > 1 && panels > 1 && M * N * K >= (int64_t{1} << 22)) ParallelFor(panels, panel);
  else for (int64_t p = 0; p < panels; ++p) panel(p);
  const int64_t j0 = panels * width;
  if (j0 < N) Gemm(M, N - j0, K, Operand::Dense(a, lda, true), Operand::Dense(b + j0, ldb, false), false, c + j0, N);
}

}  // namespace labbook
