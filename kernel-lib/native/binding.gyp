# labbook's native tfjs kernels: one addon on OpenBLAS (GEMM) with plain C++ loops around it.
# Built by kernel-lib/scripts/build-native.js only when OpenBLAS's headers are installed.
{
  "targets": [
    {
      "target_name": "labbook_native",
      "sources": [
        "src/addon.cc",
        "src/matmul.cc",
        "src/conv.cc",
        "src/pool.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/indexing.cc",
        "src/optimizer.cc",
        "src/loss.cc",
        "src/activation-grad.cc",
        "src/rnn.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "libraries": ["-lopenblas"],
      # -march=native: the addon is built on the machine that runs it (never shipped prebuilt).
      # No -ffast-math: IEEE semantics (NaN, inf, signed zeros) must match the JS kernels.
      # -fno-math-errno changes no result (errno is never read) and lets sqrt loops vectorize.
      "cflags_cc": ["-O3", "-march=native", "-std=c++17", "-fno-exceptions", "-fno-math-errno"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
