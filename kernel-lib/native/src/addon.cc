// Module entry: checks the CPU, reports the instruction path and threads the kernels run with,
// and lets tests and benchmarks switch both (neither changes a result's bits).
#include <malloc.h>
#include <string>
#include "common.h"
#include "gemm.h"
#include "parallel.h"

namespace labbook {

// The kernels' numerics version: bumped whenever a kernel's result bits change, so a run
// recorded under another version is known to be outside the promise of this one.
constexpr const char* kKernels = "labbook-kernels 3";

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", Napi::String::New(env, IsaName(CurrentIsa())));
  out.Set("isaBaseline", Napi::String::New(env, "x86-64-v3"));
  out.Set("avx512", Napi::Boolean::New(env, CpuHas(Isa::Avx512)));
  out.Set("threads", Napi::Number::New(env, Threads()));
  out.Set("compiler", Napi::String::New(env, __VERSION__));
  out.Set("kernels", Napi::String::New(env, kKernels));
  return out;
}

// setIsa('scalar' | 'avx2' | 'avx512'): false when this CPU lacks the path.
static Napi::Value SetIsaJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (name == IsaName(isa)) return Napi::Boolean::New(env, SetIsa(isa));
  Napi::TypeError::New(env, "setIsa: expected 'scalar', 'avx2' or 'avx512', received '" + name + "'").ThrowAsJavaScriptException();
  return env.Undefined();
}

// setThreads(n): the threads the kernels use from the next call on, 1 to 256.
static Napi::Value SetThreadsJs(const Napi::CallbackInfo& info) {
  const int64_t n = Int(info, 0);
  if (n < 1 || n > 256) {
    Napi::RangeError::New(info.Env(), "setThreads: expected a whole number from 1 to 256, received " + std::to_string(n))
        .ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  SetThreads(static_cast<int>(n));
  return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Built for x86-64-v3: refuse to load (labbook falls back to wasm) rather than fault later.
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    Napi::Error::New(env, "this CPU lacks AVX2 and FMA (x86-64-v3), which labbook's native kernels are built for")
        .ThrowAsJavaScriptException();
    return exports;
  }
  // Every kernel output is a fresh typed array, many of them megabytes (a CNN step allocates
  // ~100 MB). glibc serves those with mmap and unmaps them when freed, so each step page-faults
  // all of its outputs in again: ~900 faults and 3 ms of a 33 ms CNN step. Keeping freed memory
  // in the heap (served below 256 MiB, returned to the system above 1 GiB free) reuses it
  // instead. Process-wide, as a training process's allocator policy is; no result changes.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setIsa", Napi::Function::New(env, SetIsaJs));
  exports.Set("setThreads", Napi::Function::New(env, SetThreadsJs));
  RegisterMatmul(env, exports);
  RegisterConv(env, exports);
  RegisterPool(env, exports);
  RegisterElementwise(env, exports);
  RegisterReduce(env, exports);
  RegisterIndexing(env, exports);
  RegisterOptimizer(env, exports);
  RegisterLoss(env, exports);
  RegisterActivationGrad(env, exports);
  RegisterRnn(env, exports);
  RegisterAttention(env, exports);
  RegisterLayerNorm(env, exports);
  return exports;
}

}  // namespace labbook

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return labbook::Init(env, exports); }

NODE_API_MODULE(labbook_native, InitModule)
