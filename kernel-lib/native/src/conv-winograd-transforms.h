// The tile transforms of Winograd's F(4x4, 3x3) for conv-winograd.cc, on one float or a vector
// of 8 channels alike: each a fixed sequence of float operations, so that a scalar tail and a
// vector body give the same bits.
#pragma once
#include <cstdint>
#include <cstring>

namespace labbook {
namespace winograd {

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
// matrices: B^T, A^T in Input1 and Output1 below, G here). kN = the transformed tile's side,
// kPoints = its points, one GEMM each.
constexpr int kM = 4, kN = kM + 2, kPoints = kN * kN;
constexpr float kG[kN][3] = {{1.0f / 4, 0, 0},           {-1.0f / 6, -1.0f / 6, -1.0f / 6}, {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                             {1.0f / 24, 1.0f / 12, 1.0f / 6}, {1.0f / 24, -1.0f / 12, 1.0f / 6}, {0, 0, 1}};

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

}  // namespace winograd
}  // namespace labbook
