// Module entry: pins OpenBLAS to one thread (fixed thread count => same bits on every run) and
// reports the library it was built and runs with.
#include <cblas.h>
#include <malloc.h>
#include "common.h"

namespace labbook {

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("openblas", Napi::String::New(env, openblas_get_config()));
  out.Set("openblasCore", Napi::String::New(env, openblas_get_corename()));
  out.Set("threads", Napi::Number::New(env, openblas_get_num_threads()));
  out.Set("compiler", Napi::String::New(env, __VERSION__));
  return out;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  openblas_set_num_threads(1);
  // Every kernel output is a fresh typed array, many of them megabytes (a CNN step allocates
  // ~100 MB). glibc serves those with mmap and unmaps them when freed, so each step page-faults
  // all of its outputs in again: ~900 faults and 3 ms of a 33 ms CNN step. Keeping freed memory
  // in the heap (served below 256 MiB, returned to the system above 1 GiB free) reuses it
  // instead. Process-wide, as a training process's allocator policy is; no result changes.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  exports.Set("info", Napi::Function::New(env, Info));
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
  return exports;
}

}  // namespace labbook

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return labbook::Init(env, exports); }

NODE_API_MODULE(labbook_native, InitModule)
