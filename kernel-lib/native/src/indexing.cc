#include "common.h"

namespace labbook {

void RegisterIndexing(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
