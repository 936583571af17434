// A small pool of worker threads for the kernels. Work is split over outputs only (rows or
// panels of a product, slices of an element-wise loop), never over a sum, so the thread count
// changes how fast a result comes and never its bits.
#pragma once
#include <cstdint>
#include <functional>

namespace labbook {

// Threads the kernels use (the calling thread included): $LABBOOK_NATIVE_THREADS at load, else
// the CPUs this process may run on.
int Threads();
// Changes it (1 to 256); the pool grows or shrinks before the next parallel loop.
void SetThreads(int threads);

// Calls body(i) once for each i in [0, count), spread over the pool; returns when all are done.
// Inline on the calling thread when one thread is configured, count is 1, or from a worker.
void ParallelFor(int64_t count, const std::function<void(int64_t)>& body);

// Calls body(begin, end) for the slices [0, n) cut every `slice` elements, spread like
// ParallelFor: for element-wise loops, whose elements are each their own computation.
// kElementwiseSlice is theirs: below it a loop stays on the calling thread (waking a thread costs
// more), above it a multi-MB activation's pass is bound by one core's memory traffic.
constexpr int64_t kElementwiseSlice = int64_t{1} << 16;
void ParallelSlices(int64_t n, int64_t slice, const std::function<void(int64_t, int64_t)>& body);

}  // namespace labbook
