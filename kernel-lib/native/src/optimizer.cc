#include "common.h"

namespace labbook {

void RegisterOptimizer(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
