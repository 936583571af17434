#include "common.h"

namespace labbook {

void RegisterElementwise(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
