#include "common.h"

namespace labbook {

void RegisterPool(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
