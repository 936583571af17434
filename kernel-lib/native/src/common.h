// Helpers shared by the kernel files: argument access with size checks (a wrong size from the
// TypeScript side becomes a JS exception, never an out-of-bounds write) and registration.
#pragma once
#include <napi.h>
#include <cstdint>
#include <string>

namespace labbook {

// Reads argument i as a typed array of T (a Float32Array, an Int32Array...) of at least `need`
// elements; nullptr after throwing a JS error that names the argument, the expected and the received.
template <typename T, napi_typedarray_type Kind>
inline T* Typed(const Napi::CallbackInfo& info, size_t i, size_t need, const char* kind) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != Kind) {
    Napi::TypeError::New(env, "argument " + std::to_string(i) + ": expected " + kind).ThrowAsJavaScriptException();
    return nullptr;
  }
  auto a = info[i].As<Napi::TypedArrayOf<T>>();
  if (a.ElementLength() < need) {
    Napi::RangeError::New(env, "argument " + std::to_string(i) + ": expected " + std::to_string(need) +
                                   " elements, received " + std::to_string(a.ElementLength()))
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  // An empty array has no data pointer; callers treat nullptr as "already threw".
  static T none{};
  return a.Data() != nullptr ? a.Data() : &none;
}

inline float* F32(const Napi::CallbackInfo& info, size_t i, size_t need) {
  return Typed<float, napi_float32_array>(info, i, need, "a Float32Array");
}

inline int32_t* I32(const Napi::CallbackInfo& info, size_t i, size_t need) {
  return Typed<int32_t, napi_int32_array>(info, i, need, "an Int32Array");
}

inline int64_t Int(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].IsNumber() ? info[i].As<Napi::Number>().Int64Value() : 0;
}

inline float Float(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].IsNumber() ? info[i].As<Napi::Number>().FloatValue() : 0.0f;
}

inline double Double(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : 0.0;
}

// Each kernel file adds its functions to the module's exports.
void RegisterMatmul(Napi::Env env, Napi::Object exports);
void RegisterConv(Napi::Env env, Napi::Object exports);
void RegisterPool(Napi::Env env, Napi::Object exports);
void RegisterElementwise(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterIndexing(Napi::Env env, Napi::Object exports);
void RegisterOptimizer(Napi::Env env, Napi::Object exports);
void RegisterLoss(Napi::Env env, Napi::Object exports);
void RegisterActivationGrad(Napi::Env env, Napi::Object exports);
void RegisterRnn(Napi::Env env, Napi::Object exports);
void RegisterAttention(Napi::Env env, Napi::Object exports);
void RegisterLayerNorm(Napi::Env env, Napi::Object exports);

// C = op(A) op(B) + beta * C on row-major matrices with beta 0 or 1: labbook's Gemm (gemm.h),
// one fused multiply-add chain per output in k order, in BLAS's argument order.
void Sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc);

// out = act(x) for the fused activations (0 linear, 1 relu, 2 relu6, 3 elu, 4 sigmoid, 5 leakyrelu).
float Activate(float x, int code, float alpha);

}  // namespace labbook
