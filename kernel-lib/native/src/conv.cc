#include "common.h"

namespace labbook {

void RegisterConv(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
