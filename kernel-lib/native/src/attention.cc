// Multi-head scaled dot-product attention with a key padding mask, forward and backward in one
// call each (models/layers/attention.ts). tfjs composes it from ~30 kernels per direction (three
// transposes, two batched products, scale, mask, softmax and their gradients), each a pass over
// [B, H, T, T] and a dispatch; here each (batch, head) pair is one task that keeps its T x T
// block in cache, and q, k, v, the context and their gradients stay in the projections' own
// [B, T, H * dk] layout, so no transposes at all. q, k and v come side by side in one
// [B, T, 3 * H * dk] tensor (one product projects all three) and their gradients leave the same way.
//
// The arithmetic follows the composition as the native backend runs it: the same products (one
// fma chain per output over k ascending, whatever the layout), logits * scale + (1 - mask) * -1e9
// in float32, the Softmax kernel's rows (max, exp, the sum in double rounded once), and tfjs's
// softmax gradient (dy*y - sum(dy*y)*y, the sum in double as the Sum kernel takes it), with one
// difference: the softmax's exp is ExpF (float, within 1 ulp, vectorizes) where the Softmax
// kernel takes the correctly rounded double Exp, which cost half the forward pass. So the fused
// layer is within a tolerance of the composition, not its bits.
// Threads take whole (batch, head) tasks: each writes its own outputs, no sum is split.
#include <immintrin.h>
#include <algorithm>
#include <limits>
#include <vector>
#include "common.h"
#include "gemm.h"
#include "parallel.h"
#include "portable-math-float.h"
#include "rnn-product.h"

namespace labbook {

namespace {

// The logit added to padded keys (attention.ts's MASKED_LOGIT), as the composition computes it.
constexpr float kMaskedLogit = -1e9f;

struct Shape {
  int64_t B, T, H, dk, d;
  // Offset of (batch b, head h, step 0) in a [B, T, H * dk] tensor; rows are d apart.
  int64_t At(int64_t b, int64_t h) const { return b * T * d + h * dk; }
  // The same in [B, T, 3d] (q, k, v side by side), rows 3d apart: add d for k, 2d for v.
  int64_t At3(int64_t b, int64_t h) const { return b * T * 3 * d + h * dk; }
};

// The tiles for a product N wide on the path in use, by rows (1 to *rows): AVX-512's 6 x 64
// where N fills one, else its 16 x 16 (one register a row: the head-wide products, N = dk = 16;
// 16 chains rather than 8 keep both FMA pipes busy through the FMA's latency),
// AVX2's 6 x 16; nullptr on the scalar path.
const Tile* ProductTiles(Isa isa, int64_t N, bool unitRows, int64_t* width, int64_t* rows) {
  static constexpr Tile narrow512[] = {Tile512<1, 1>,  Tile512<2, 1>,  Tile512<3, 1>,  Tile512<4, 1>,
                                       Tile512<5, 1>,  Tile512<6, 1>,  Tile512<7, 1>,  Tile512<8, 1>,
                                       Tile512<9, 1>,  Tile512<10, 1>, Tile512<11, 1>, Tile512<12, 1>,
                                       Tile512<13, 1>, Tile512<14, 1>, Tile512<15, 1>, Tile512<16, 1>};
  *rows = kTileRows;
  if (isa == Isa::Scalar) return nullptr;
  if (isa == Isa::Avx2 || N >= 64) return Tiles(isa, width);
  *width = 16;
  // 16 rows where A's rows are adjacent; rows a stride apart need a register each, and 16 of
  // them spill, so those take 8.
  *rows = unitRows ? 16 : 8;
  return narrow512;
}

// C[M x N] (ldc) = A B with A(i, k) = a[i * ars + k * aks] and B's row k at b + k * ldb.
// rnn-product.h's tiles read both in place: Gemm would pack both for each of these tiny
// products (T x T x dk), which cost more than the arithmetic. The tiles' chains are Gemm's
// (fma over k ascending from +0), so the bits are Gemm's, which the scalar path runs and the
// columns past the last whole panel take.
void Product(int64_t M, int64_t N, int64_t K, const float* a, int64_t ars, int64_t aks, const float* b, int64_t ldb,
             float* c, int64_t ldc) {
  int64_t width = 0, rows = 0;
  const Tile* tiles = ProductTiles(CurrentIsa(), N, ars == 1, &width, &rows);
  const int64_t panels = tiles == nullptr ? 0 : N / width;
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t i0 = 0; i0 < M; i0 += rows)
      tiles[std::min(rows, M - i0) - 1]({K, a + i0 * ars, ars, aks, b + p * width, ldb, c + i0 * ldc + p * width, ldc, width, false});
  const int64_t j0 = panels * width;
  const Operand A = aks == 1 ? Operand::Dense(a, ars, false) : Operand::Dense(a, aks, true);
  if (j0 < N) Gemm(M, N - j0, K, A, Operand::Dense(b + j0, ldb, false), false, c + j0, ldc);
}

// to[c * rows + r] = from[r * ld + c]: a head's k or v as the rows of B where the product takes
// its transpose (a copy, no arithmetic).
void Transpose(const float* from, int64_t ld, int64_t rows, int64_t cols, float* to) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) to[c * rows + r] = from[r * ld + c];
}

// A logit row's max for the softmax. The Softmax kernel takes it in order, a NaN winning; the
// exps depend only on the max's value and on whether a NaN is there (x - (+0) and x - (-0)
// differ only for x = -0, and both exps are 1), so eight lanes folded at the end, with a NaN
// flag, give the same probabilities on every path; the in-order compare was a fifth of the pass.
float RowMax(const float* row, int64_t n) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  __m256 top8 = _mm256_set1_ps(-kInf), nan8 = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 x = _mm256_loadu_ps(row + j);
    top8 = _mm256_max_ps(top8, x);
    nan8 = _mm256_or_ps(nan8, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, top8);
  float top = -kInf;
  bool nan = _mm256_movemask_ps(nan8) != 0;
  for (float x : lanes) top = x > top ? x : top;
  for (; j < n; ++j) {
    nan = nan || row[j] != row[j];
    top = row[j] > top ? row[j] : top;
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : top;
}

// Rows summed this many at a time: each row's sum is one double chain in j order (as the Sum
// and Softmax kernels take it), and chains of different rows overlap in the pipeline.
constexpr int64_t kRowGroup = 8;

// totals[r] = float(sum of rows[r * n + j] over j ascending, in double), r < count <= kRowGroup.
inline void RowSums(const float* rows, int64_t count, int64_t n, float* totals) {
  double acc[kRowGroup] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (count == kRowGroup) {
    // A whole group with a constant trip count: the eight chains stay in registers (with a
    // variable count the compiler kept them in memory, a store-to-load wait on every add).
    for (int64_t j = 0; j < n; ++j) {
#pragma GCC unroll 8
      for (int64_t r = 0; r < kRowGroup; ++r) acc[r] += rows[r * n + j];
    }
  } else {
    for (int64_t j = 0; j < n; ++j)
      for (int64_t r = 0; r < count; ++r) acc[r] += rows[r * n + j];
  }
  for (int64_t r = 0; r < count; ++r) totals[r] = static_cast<float>(acc[r]);
}

// f(i, total) for each row i of a T x T block, total its RowSums sum: the rows go kRowGroup at a
// time, so their double chains overlap.
template <class F>
inline void ForRowsWithSums(const float* rows, int64_t T, const F& f) {
  for (int64_t i = 0; i < T; i += kRowGroup) {
    const int64_t n = std::min(kRowGroup, T - i);
    float totals[kRowGroup];
    RowSums(rows + i * T, n, T, totals);
    for (int64_t r = 0; r < n; ++r) f(i + r, totals[r]);
  }
}

// p (T x T logits) = softmax(p * scale + (1 - m) * -1e9), row by row.
inline void Softmax(float* p, int64_t T, const float* m, float scale) {
  for (int64_t i = 0; i < T; ++i) {
    float* row = p + i * T;
    for (int64_t j = 0; j < T; ++j) row[j] = row[j] * scale + (1.0f - m[j]) * kMaskedLogit;
    // The Softmax kernel's row order (reduce.cc): max with NaN winning, exp(x - max), double sum;
    // but ExpF (float, within 1 ulp) where that kernel takes the double Exp.
    const float top = RowMax(row, T);
    // The exps in a loop of their own: independent, and ExpF is branch-free float arithmetic, so
    // the loop vectorizes (the vector body and scalar tail give the same bits).
    for (int64_t j = 0; j < T; ++j) row[j] = ExpF(row[j] - top);
  }
  ForRowsWithSums(p, T, [&](int64_t i, float total) {
    float* row = p + i * T;
    for (int64_t j = 0; j < T; ++j) row[j] = row[j] / total;
  });
}

// g (T x T, d probs in, d logits out) = (g y - sum(g y) y) * scale, row by row: softmax's gradient
// as tfjs composes it, then the scale's; the mask's add passes it through.
inline void SoftmaxGrad(float* g, const float* y, int64_t T, float scale) {
  for (int64_t i = 0; i < T * T; ++i) g[i] = g[i] * y[i];
  ForRowsWithSums(g, T, [&](int64_t i, float total) {
    float* gr = g + i * T;
    const float* yr = y + i * T;
    for (int64_t j = 0; j < T; ++j) gr[j] = (gr[j] - total * yr[j]) * scale;
  });
}

// Both compiled twice (gemm.h's LABBOOK_TARGET_AVX512: the exps and divisions were a third of the
// forward pass); native-attention.test.ts runs every path.
void SoftmaxAvx2(float* p, int64_t T, const float* m, float scale) { Softmax(p, T, m, scale); }
LABBOOK_TARGET_AVX512 void SoftmaxAvx512(float* p, int64_t T, const float* m, float scale) { Softmax(p, T, m, scale); }
void SoftmaxGradAvx2(float* g, const float* y, int64_t T, float scale) { SoftmaxGrad(g, y, T, scale); }
LABBOOK_TARGET_AVX512 void SoftmaxGradAvx512(float* g, const float* y, int64_t T, float scale) { SoftmaxGrad(g, y, T, scale); }

// probs = softmax(q k^T * scale + padding) for one (b, h) block, rows of T, then ctx = probs v.
void ForwardBlock(const Shape& s, int64_t b, int64_t h, const float* qkv, const float* mask, float scale,
                  float* probs, float* ctx) {
  const int64_t T = s.T, off = s.At(b, h), ld = 3 * s.d;
  const float* q = qkv + s.At3(b, h);
  const float* k = q + s.d;
  const float* v = k + s.d;
  float* p = probs + (b * s.H + h) * T * T;
  thread_local std::vector<float> kt;  // k^T, per thread, reused across tasks and calls
  kt.resize(s.dk * T);
  Transpose(k, ld, T, s.dk, kt.data());
  Product(T, T, s.dk, q, ld, 1, kt.data(), T, p, T);
  (Wide() ? SoftmaxAvx512 : SoftmaxAvx2)(p, T, mask + b * T, scale);
  Product(T, s.dk, T, p, T, 1, v, ld, ctx + off, s.d);
}

// The gradients of one (b, h) block; scratch holds T * T + dk * T floats.
void BackwardBlock(const Shape& s, int64_t b, int64_t h, const float* dctx, const float* qkv, const float* probs,
                   float scale, float* dqkv, float* scratch) {
  const int64_t T = s.T, off = s.At(b, h), ld = 3 * s.d, off3 = s.At3(b, h);
  const float* q = qkv + off3;
  const float* k = q + s.d;
  const float* v = k + s.d;
  float* dq = dqkv + off3;
  float* dk = dq + s.d;
  float* dv = dk + s.d;
  const float* p = probs + (b * s.H + h) * T * T;
  // d probs = dctx v^T; d v = probs^T dctx (BatchMatMul's gradient).
  float* vt = scratch + T * T;
  Transpose(v, ld, T, s.dk, vt);
  Product(T, T, s.dk, dctx + off, s.d, 1, vt, T, scratch, T);
  Product(T, s.dk, T, p, 1, T, dctx + off, s.d, dv, ld);
  (Wide() ? SoftmaxGradAvx512 : SoftmaxGradAvx2)(scratch, p, T, scale);
  // d q = d logits k; d k = d logits^T q.
  Product(T, s.dk, T, scratch, T, 1, k, ld, dq, ld);
  Product(T, s.dk, T, scratch, 1, T, q, ld, dk, ld);
}

bool ReadShape(const Napi::CallbackInfo& info, size_t first, Shape* s) {
  s->B = Int(info, first);
  s->T = Int(info, first + 1);
  s->H = Int(info, first + 2);
  s->dk = Int(info, first + 3);
  s->d = s->H * s->dk;
  if (s->B < 0 || s->T < 1 || s->H < 1 || s->dk < 1) {
    Napi::RangeError::New(info.Env(), "attention: expected batch >= 0, steps, heads and head width >= 1")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

}  // namespace

// attentionForward(qkv, mask, probs, ctx, B, T, H, dk, scale): qkv [B, T, 3d] (q, k, v side by
// side, d = H * dk), mask [B, T] (1 = token, 0 = padding), ctx [B, T, d], probs [B, H, T, T]
// (kept for the backward pass).
static Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  Shape s;
  if (!ReadShape(info, 4, &s)) return info.Env().Undefined();
  const float scale = Float(info, 8);
  const int64_t n = s.B * s.T * s.d;
  const float* qkv = F32(info, 0, 3 * n);
  const float* mask = qkv ? F32(info, 1, s.B * s.T) : nullptr;
  float* probs = mask ? F32(info, 2, s.B * s.H * s.T * s.T) : nullptr;
  float* ctx = probs ? F32(info, 3, n) : nullptr;
  if (!ctx) return info.Env().Undefined();
  ParallelFor(s.B * s.H, [&](int64_t i) { ForwardBlock(s, i / s.H, i % s.H, qkv, mask, scale, probs, ctx); });
  return info.Env().Undefined();
}

// attentionBackward(dctx, qkv, probs, dqkv, B, T, H, dk, scale): dqkv [B, T, 3d] like qkv.
static Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  Shape s;
  if (!ReadShape(info, 4, &s)) return info.Env().Undefined();
  const float scale = Float(info, 8);
  const int64_t n = s.B * s.T * s.d;
  const float* dctx = F32(info, 0, n);
  const float* qkv = dctx ? F32(info, 1, 3 * n) : nullptr;
  const float* probs = qkv ? F32(info, 2, s.B * s.H * s.T * s.T) : nullptr;
  float* dqkv = probs ? F32(info, 3, 3 * n) : nullptr;
  if (!dqkv) return info.Env().Undefined();
  ParallelFor(s.B * s.H, [&](int64_t i) {
    // A T x T block per thread, reused across tasks and calls (each task overwrites all of it).
    thread_local std::vector<float> scratch;
    scratch.resize(s.T * s.T + s.dk * s.T);
    BackwardBlock(s, i / s.H, i % s.H, dctx, qkv, probs, scale, dqkv, scratch.data());
  });
  return info.Env().Undefined();
}

void RegisterAttention(Napi::Env env, Napi::Object exports) {
  exports.Set("attentionForward", Napi::Function::New(env, AttentionForward));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
}

}  // namespace labbook
