// Softmax cross-entropy of integer labels against logits, forward and gradient in one pass each
// (tfjs composes it from ~10 kernels forward and as many backward).
#include <cmath>
#include "common.h"
#include "portable-math.h"

namespace labbook {

// sparseSoftmaxCrossEntropy(logits, labels, probs, n, k) -> mean loss: probs = softmax(logits) per
// row; loss = -mean(log softmax(logits)[label]). A label outside 0..k-1 adds 0 to the sum (the
// one-hot row of such a label is all zeros), as in train/losses.ts.
static Napi::Value SparseSoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const int64_t n = Int(info, 3), k = Int(info, 4);
  const float* logits = F32(info, 0, n * k);
  const int32_t* labels = logits ? I32(info, 1, n) : nullptr;
  float* probs = labels ? F32(info, 2, n * k) : nullptr;
  if (!probs) return info.Env().Undefined();
  double total = 0.0;
  for (int64_t r = 0; r < n; ++r) {
    const float* x = logits + r * k;
    float* p = probs + r * k;
    float max = x[0];
    for (int64_t j = 1; j < k; ++j) max = x[j] > max || x[j] != x[j] ? x[j] : max;
    double sum = 0.0;
    for (int64_t j = 0; j < k; ++j) {
      p[j] = Exp(x[j] - max);
      sum += p[j];
    }
    const float s = static_cast<float>(sum);
    for (int64_t j = 0; j < k; ++j) p[j] /= s;
    const int32_t label = labels[r];
    if (label >= 0 && label < k) total += static_cast<double>((x[label] - max) - Log(s));
  }
  return Napi::Number::New(info.Env(), -total / static_cast<double>(n));
}

// sparseSoftmaxCrossEntropyGrad(probs, labels, dlogits, n, k, dy): d loss / d logits =
// dy * (softmax - onehot(label)) / n; rows with a label outside 0..k-1 get 0.
static Napi::Value SparseSoftmaxCrossEntropyGrad(const Napi::CallbackInfo& info) {
  const int64_t n = Int(info, 3), k = Int(info, 4);
  const float dy = Float(info, 5);
  const float* probs = F32(info, 0, n * k);
  const int32_t* labels = probs ? I32(info, 1, n) : nullptr;
  float* dlogits = labels ? F32(info, 2, n * k) : nullptr;
  if (!dlogits) return info.Env().Undefined();
  const float scale = dy / static_cast<float>(n);
  for (int64_t r = 0; r < n; ++r) {
    const int32_t label = labels[r];
    const bool valid = label >= 0 && label < k;
    for (int64_t j = 0; j < k; ++j) {
      dlogits[r * k + j] = valid ? (probs[r * k + j] - (j == label ? 1.0f : 0.0f)) * scale : 0.0f;
    }
  }
  return info.Env().Undefined();
}

void RegisterLoss(Napi::Env env, Napi::Object exports) {
  exports.Set("sparseSoftmaxCrossEntropy", Napi::Function::New(env, SparseSoftmaxCrossEntropy));
  exports.Set("sparseSoftmaxCrossEntropyGrad", Napi::Function::New(env, SparseSoftmaxCrossEntropyGrad));
}

}  // namespace labbook
