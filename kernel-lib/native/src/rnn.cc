#include "common.h"

namespace labbook {

void RegisterRnn(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
