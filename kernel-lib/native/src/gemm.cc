// The product's driver: blocks of k (each block continues every output's chain through C, so
// the blocking never changes a sum), packed operands, tiles spread over the thread pool by the
// outputs they own, and the path chosen once per process.
#include "gemm.h"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include "gemm-kernels.h"
#include "parallel.h"

namespace labbook {

namespace {

// k per block (a packed B panel of 512 x NR stays in L2), rows of A per packed block (in L2),
// columns of B per packed block. 512 rather than 256: half the blocks, so half the points where
// threads wait for each other; 2-3% slower on one thread, 10-25% faster on two (conv2's
// [7744,288]x[288,64]: 1.39 -> 1.09 ms).
constexpr int64_t kBlockK = 512, kBlockM = 240, kBlockN = 1024;
// Products below this many multiply-adds (~30 us on one core) run on the calling thread: handing
// work to a thread that has gone to sleep between a training step's kernels costs tens of us.
constexpr int64_t kParallelWork = int64_t{1} << 22;

Isa Widest() { return CpuHas(Isa::Avx512) ? Isa::Avx512 : Isa::Avx2; }

Isa Initial() {
  const char* env = std::getenv("LABBOOK_NATIVE_ISA");
  if (env == nullptr || *env == '\0') return Widest();
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (std::string(env) == IsaName(isa) && CpuHas(isa)) return isa;
  return Widest();  // addon.ts checks the variable first and says what was wrong
}

Isa active = Initial();

// A float buffer aligned for vector loads, grown on demand, one per thread.
struct Buffer {
  std::unique_ptr<float, decltype(&std::free)> data{nullptr, &std::free};
  int64_t size = 0;
  float* Get(int64_t n) {
    if (n > size) {
      data.reset(static_cast<float*>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64)));
      size = n;
    }
    return data.get();
  }
};

// dst[k * MR + r] = A(i0 + r, k0 + k) for r < mr, zero for the padding rows up to MR.
template <int MR>
void PackA(const Operand& A, int64_t i0, int64_t mr, int64_t k0, int64_t kc, float* dst) {
  if (A.rowOff == nullptr && !A.trans) {
    for (int64_t r = 0; r < mr; ++r) {
      const float* row = A.p + (i0 + r) * A.ld + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k * MR + r] = row[k];
    }
  } else if (A.rowOff == nullptr) {
    for (int64_t k = 0; k < kc; ++k) std::memcpy(dst + k * MR, A.p + (k0 + k) * A.ld + i0, mr * sizeof(float));
  } else {
    for (int64_t r = 0; r < mr; ++r) {
      const float* row = A.p + A.rowOff[i0 + r];
      const int64_t* cols = A.colOff + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k * MR + r] = row[cols[k]];
    }
  }
  for (int64_t r = mr; r < MR; ++r)
    for (int64_t k = 0; k < kc; ++k) dst[k * MR + r] = 0.0f;
}

// dst[k * NR + c] = B(k0 + k, j0 + c) for c < nr, zero for the padding columns up to NR.
template <int NR>
void PackB(const Operand& B, int64_t k0, int64_t kc, int64_t j0, int64_t nr, float* dst) {
  for (int64_t k = 0; k < kc; ++k) {
    float* d = dst + k * NR;
    if (!B.trans) {
      std::memcpy(d, B.p + (k0 + k) * B.ld + j0, nr * sizeof(float));
    } else {
      for (int64_t c = 0; c < nr; ++c) d[c] = B.p[(j0 + c) * B.ld + k0 + k];
    }
    for (int64_t c = nr; c < NR; ++c) d[c] = 0.0f;
  }
}

using PackedTile = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool load);

// One MR x NR tile of C, through a full-size scratch tile where C's edge cuts it.
template <int MR, int NR, PackedTile T>
void EdgeTile(int64_t mr, int64_t nr, int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool load) {
  if (mr == MR && nr == NR) return T(kc, a, b, c, ldc, load);
  alignas(64) float tile[MR * NR] = {};
  if (load)
    for (int64_t r = 0; r < mr; ++r) std::memcpy(tile + r * NR, c + r * ldc, nr * sizeof(float));
  T(kc, a, b, tile, NR, load);
  for (int64_t r = 0; r < mr; ++r) std::memcpy(c + r * ldc, tile + r * NR, nr * sizeof(float));
}

template <int MR, int NR, PackedTile T>
void Blocked(int64_t M, int64_t N, int64_t K, const Operand& A, const Operand& B, bool accumulate, float* C, int64_t ldc) {
  thread_local Buffer packedB, packedAll;
  const bool parallel = Threads() > 1 && M * N * K >= kParallelWork;
  auto run = [&](int64_t count, const std::function<void(int64_t)>& body) {
    if (parallel) return ParallelFor(count, body);
    for (int64_t i = 0; i < count; ++i) body(i);
  };
  for (int64_t j0 = 0; j0 < N; j0 += kBlockN) {
    const int64_t nc = std::min(kBlockN, N - j0), panels = (nc + NR - 1) / NR;
    for (int64_t k0 = 0; k0 < K; k0 += kBlockK) {
      const int64_t kc = std::min(kBlockK, K - k0);
      const bool load = accumulate || k0 > 0;
      float* bp = packedB.Get(panels * NR * kc);
      run(panels, [&](int64_t p) { PackB<NR>(B, k0, kc, j0 + p * NR, std::min<int64_t>(NR, nc - p * NR), bp + p * NR * kc); });
      // Work items: row blocks of A, each cut into column groups when there are fewer blocks than
      // threads. Cut ones share one packed copy of A (packed first, strips in parallel); whole
      // ones pack their own block, in the thread that uses it.
      const int64_t rowBlocks = (M + kBlockM - 1) / kBlockM;
      const int64_t groups = parallel ? std::min(panels, std::max<int64_t>(1, (2 * Threads() + rowBlocks - 1) / rowBlocks)) : 1;
      const int64_t allStrips = (M + MR - 1) / MR;
      float* shared = groups > 1 ? packedAll.Get(allStrips * MR * kc) : nullptr;
      if (shared != nullptr)
        run(allStrips, [&](int64_t s) { PackA<MR>(A, s * MR, std::min<int64_t>(MR, M - s * MR), k0, kc, shared + s * MR * kc); });
      run(rowBlocks * groups, [&](int64_t item) {
        thread_local Buffer packedA;
        const int64_t i0 = (item / groups) * kBlockM, mc = std::min(kBlockM, M - i0), g = item % groups;
        const int64_t strips = (mc + MR - 1) / MR;
        float* ap = shared != nullptr ? shared + (i0 / MR) * MR * kc : packedA.Get(strips * MR * kc);
        if (shared == nullptr)
          for (int64_t s = 0; s < strips; ++s) PackA<MR>(A, i0 + s * MR, std::min<int64_t>(MR, mc - s * MR), k0, kc, ap + s * MR * kc);
        for (int64_t p = panels * g / groups; p < panels * (g + 1) / groups; ++p) {
          const int64_t nr = std::min<int64_t>(NR, nc - p * NR);
          for (int64_t s = 0; s < strips; ++s) {
            const int64_t mr = std::min<int64_t>(MR, mc - s * MR);
            float* c = C + (i0 + s * MR) * ldc + j0 + p * NR;
            EdgeTile<MR, NR, T>(mr, nr, kc, ap + s * MR * kc, bp + p * NR * kc, c, ldc, load);
          }
        }
      });
    }
  }
}

// Products up to this many multiply-adds with a dense A take the direct path: packing both
// operands cost a fifth to a half of these (the MLP's [128,784]x[784,128], the transformer's
// [2048,64]x[64,256]) and, on two threads, barriers of their own; above it packing pays
// (512^3 with B transposed is 10-15% faster packed).
constexpr int64_t kDirectWork = int64_t{1} << 25;
// Multiply-adds per work item of the direct path, at least: claiming an item costs a
// cache line passed between cores, which a short K ([2048,64]x[64,256]) would pay every 48 rows.
constexpr int64_t kDirectItemWork = int64_t{1} << 20;

// C = A B with A dense, read in place by the in-place tiles (gemm-kernels.h). B is read in place
// when it is row-major, unless its rows are a multiple of 1 KB apart and many row tiles will
// read it (a panel then maps onto a quarter of L1's sets: [2048,64]x[64,256] lost 25%); those,
// a transposed B, and the columns past B's last whole panel are copied, panel after panel
// (zero-padded to what the tiles read). Work items are (row block, panel); k runs in blocks
// continuing each chain through C, exactly as the packed path does.
void Direct(int64_t M, int64_t N, int64_t K, const Operand& A, const Operand& B, bool accumulate, float* C, int64_t ldc) {
  int64_t width = 0, span = 0;
  const Tile* tiles = Tiles(active, &width);
  const int64_t whole = B.trans || (B.ld % 256 == 0 && M >= 512) ? 0 : N / width * width;  // columns read in place
  const Tile* edge = N % width != 0 ? EdgeTiles(active, N % width, &span) : tiles;
  // The copied columns, panel q at bc + q * K * width, its rows width (the last: span) apart.
  const int64_t copied = N - whole, copiedPanels = (copied + width - 1) / width;
  thread_local Buffer copy;
  float* bc = copied > 0 ? copy.Get(copiedPanels * K * width) : nullptr;
  // Panels in parallel when the product is; a transposed B is read along its rows (k), so each
  // source line is read once, and written down the panel's columns (in L1: K x width floats).
  auto copyPanel = [&](int64_t q) {
    const int64_t j0 = whole + q * width, n = std::min(width, N - j0), w = n == width ? width : span;
    float* panel = bc + q * K * width;
    if (B.trans) {
      for (int64_t j = 0; j < n; ++j) {
        const float* column = B.p + (j0 + j) * B.ld;
        for (int64_t k = 0; k < K; ++k) panel[k * w + j] = column[k];
      }
      for (int64_t k = 0; k < K && n < w; ++k) std::fill(panel + k * w + n, panel + k * w + w, 0.0f);
      return;
    }
    for (int64_t k = 0; k < K; ++k) {
      float* row = panel + k * w;
      std::copy(B.p + k * B.ld + j0, B.p + k * B.ld + j0 + n, row);
      std::fill(row + n, row + w, 0.0f);
    }
  };
  const bool parallel = Threads() > 1 && M * N * K >= kParallelWork;
  if (parallel) ParallelFor(copiedPanels, copyPanel);
  else for (int64_t q = 0; q < copiedPanels; ++q) copyPanel(q);
  const int64_t ars = A.trans ? 1 : A.ld, aks = A.trans ? A.ld : 1;
  const int64_t panels = (N + width - 1) / width;
  // Row blocks of equal size, whole tiles, at least 8 tiles and kDirectItemWork each.
  const int64_t target = std::max(8 * kTileRows, kDirectItemWork / (K * width));
  const int64_t blocks = (M + target - 1) / target;
  const int64_t rows = ((M + blocks - 1) / blocks + kTileRows - 1) / kTileRows * kTileRows;
  auto item = [&](int64_t it) {
    const int64_t p = it % panels, j0 = p * width, n = std::min(width, N - j0);
    const int64_t i1 = std::min(M, (it / panels + 1) * rows);
    const bool inPlace = j0 < whole;
    const float* b = inPlace ? B.p + j0 : bc + (j0 - whole) * K;
    const int64_t ldb = inPlace ? B.ld : n == width ? width : span;
    const Tile* t = n == width ? tiles : edge;
    for (int64_t k0 = 0; k0 < K; k0 += kBlockK)
      for (int64_t i0 = (it / panels) * rows; i0 < i1; i0 += kTileRows)
        t[std::min(kTileRows, i1 - i0) - 1]({std::min(kBlockK, K - k0), A.p + i0 * ars + k0 * aks, ars, aks, b + k0 * ldb,
                                             ldb, C + i0 * ldc + j0, ldc, n, accumulate || k0 > 0});
  };
  if (parallel) return ParallelFor(blocks * panels, item);
  for (int64_t it = 0; it < blocks * panels; ++it) item(it);
}

// The reference every path must equal: the chain written out.
void Reference(int64_t M, int64_t N, int64_t K, const Operand& A, const Operand& B, bool accumulate, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float acc = accumulate ? C[i * ldc + j] : 0.0f;
      for (int64_t k = 0; k < K; ++k) acc = std::fma(A.At(i, k), B.At(k, j), acc);
      C[i * ldc + j] = acc;
    }
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    default: return "avx512";
  }
}

bool CpuHas(Isa isa) {
  return isa != Isa::Avx512 || (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"));
}

Isa CurrentIsa() { return active; }

bool SetIsa(Isa isa) {
  if (!CpuHas(isa)) return false;
  active = isa;
  return true;
}

void Gemm(int64_t M, int64_t N, int64_t K, const Operand& A, const Operand& B, bool accumulate, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, 0.0f);
    return;
  }
  if (active != Isa::Scalar && A.rowOff == nullptr && M * N * K <= kDirectWork) return Direct(M, N, K, A, B, accumulate, C, ldc);
  switch (active) {
    case Isa::Scalar: return Reference(M, N, K, A, B, accumulate, C, ldc);
    case Isa::Avx2: return Blocked<kAvx2Rows, kAvx2Cols, TileAvx2>(M, N, K, A, B, accumulate, C, ldc);
    default: return Blocked<kAvx512Rows, kAvx512Cols, TileAvx512>(M, N, K, A, B, accumulate, C, ldc);
  }
}

}  // namespace labbook
