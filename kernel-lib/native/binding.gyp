# labbook's native tfjs kernels: one addon, its own GEMM (gemm.cc) and C++ loops, no library
# beyond the C++ runtime. Built by kernel-lib/scripts/build-native.js on x86-64-v3 machines.
{
  "targets": [
    {
      "target_name": "labbook_native",
      "sources": [
        "src/addon.cc",
        "src/matmul.cc",
        "src/gemm.cc",
        "src/parallel.cc",
        "src/conv.cc",
        "src/conv-winograd.cc",
        "src/pool.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/indexing.cc",
        "src/optimizer.cc",
        "src/loss.cc",
        "src/activation-grad.cc",
        "src/rnn.cc",
        "src/attention.cc",
        "src/layer-norm.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "libraries": ["-lpthread"],
      # One instruction baseline for every machine, x86-64-v3 (AVX2 + FMA), never -march=native:
      # what the compiler emits must not depend on where it ran. The AVX-512 tiles are compiled
      # with a function attribute and chosen at run time; they give the same bits (gemm-kernels.h).
      # -ffp-contract=off: no multiply-add fused unless the source says so (std::fma, intrinsics).
      # No -ffast-math: IEEE semantics (NaN, inf, signed zeros, the order of every sum) must hold.
      # -fno-math-errno changes no result (errno is never read) and lets sqrt loops vectorize;
      # -fno-trapping-math changes no result either (nothing reads the FP exception flags) and lets
      # the compiler turn the kernels' selects (max pooling, NaN handling in portable-math.h)
      # into vector blends: without it those loops stay scalar on AVX2.
      "cflags_cc": ["-O3", "-march=x86-64-v3", "-mtune=generic", "-ffp-contract=off", "-std=c++17", "-fno-exceptions", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
