#include "common.h"

namespace labbook {

void RegisterReduce(Napi::Env env, Napi::Object exports) {}

}  // namespace labbook
