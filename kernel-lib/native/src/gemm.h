// labbook's own matrix product, the one every native kernel's sums go through. Each output is
// one chain of fused multiply-adds over k in ascending order, whatever the CPU, the vector width
// or the thread count, so a checkpoint has the same bits on every x86-64-v3 machine.
#pragma once
#include <cstdint>

namespace labbook {

// The instruction paths: all three give identical bits (tested); they differ in speed only.
enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

const char* IsaName(Isa isa);
// Whether this CPU can run the path (Scalar and Avx2 always: the addon needs x86-64-v3; Avx512
// needs the F, DQ, VL and BW extensions the 16-lane compilations below may use).
bool CpuHas(Isa isa);
// The path in use: $LABBOOK_NATIVE_ISA at load (scalar, avx2 or avx512), else the widest the CPU has.
Isa CurrentIsa();
// Switches the path; false (and nothing changes) when the CPU lacks it.
bool SetIsa(Isa isa);

// A matrix as the product reads it: element (r, c) is p[rowOff[r] + colOff[c]] when offset
// tables are given (a convolution's patches read straight from the image, no im2col copy), else
// p[r * ld + c], or p[c * ld + r] when transposed.
struct Operand {
  const float* p;
  int64_t ld;
  bool trans;
  const int64_t* rowOff;
  const int64_t* colOff;

  static Operand Dense(const float* p, int64_t ld, bool trans) { return {p, ld, trans, nullptr, nullptr}; }
  static Operand Offsets(const float* p, const int64_t* rowOff, const int64_t* colOff) { return {p, 0, false, rowOff, colOff}; }
  float At(int64_t r, int64_t c) const {
    return rowOff ? p[rowOff[r] + colOff[c]] : trans ? p[c * ld + r] : p[r * ld + c];
  }
};

// C[M x N] = (accumulate ? C : 0) + A[M x K] B[K x N], B dense (no offset tables). Every C[i][j]
// is acc = fma(A(i,k), B(k,j), acc) for k = 0 .. K-1 from acc = (accumulate ? C[i][j] : +0).
// Spread over the pool's threads when it is large enough (by rows and column panels of C).
void Gemm(int64_t M, int64_t N, int64_t K, const Operand& A, const Operand& B, bool accumulate, float* C, int64_t ldc);

// Element loops compiled twice, for x86-64-v3 and for AVX-512 (16 lanes), with the same IEEE
// operations lane by lane, so the same bits: the AVX-512 compilation carries this attribute and
// runs only where Wide() (the LSTM gates, the attention softmax, the Adam update).
#define LABBOOK_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,prefer-vector-width=512")))
inline bool Wide() { return CurrentIsa() == Isa::Avx512; }

}  // namespace labbook
