// The kernels' thread pool. Workers spin briefly after each loop before sleeping: a training
// step calls many kernels back to back, and waking a sleeping thread costs tens of microseconds,
// as much as a small product.
#include "parallel.h"
#include <immintrin.h>
#include <sched.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace labbook {
namespace {

int DefaultThreads() {
  if (const char* env = std::getenv("LABBOOK_NATIVE_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1 && n <= 256) return n;
  }
  cpu_set_t set;
  const int cpus = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0
                       ? CPU_COUNT(&set)
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Every CPU the process may use, two included: since the LSTM and attention kernels split
  // their batch rows and heads over threads, two threads train faster than one on a two-CPU
  // machine too (README, Benchmarks), and the bits never depend on the count.
  return std::min(cpus, 256);
}

thread_local bool inWorker = false;
constexpr auto kSpin = std::chrono::microseconds(200);

class Pool {
 public:
  ~Pool() { Resize(0); }

  void Resize(int workers) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    stop_ = false;
    // The generation now, read before any worker starts: a worker that starts after the next
    // loop was posted must still see that loop as new.
    const uint64_t start = generation_.load(std::memory_order_acquire);
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this, start] { Work(start); });
  }

  int Workers() const { return static_cast<int>(threads_.size()); }

  // The caller drains items too and waits only for items claimed by others to finish, never for
  // a worker to wake: on a busy machine a descheduled worker simply takes no item.
  void Run(int64_t count, const std::function<void(int64_t)>& body) {
    const uint64_t job = generation_.load(std::memory_order_relaxed) + 1;
    body_ = &body;
    count_ = count;
    done_.store(0, std::memory_order_relaxed);
    next_.store(job << 32, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.store(job, std::memory_order_release);
    }
    wake_.notify_all();
    Drain(job);
    for (int spins = 0; done_.load(std::memory_order_acquire) != count; ++spins) {
      if (spins < 4096) {
        _mm_pause();
      } else {
        std::this_thread::yield();
      }
    }
  }

 private:
  // Claims items of `job` one at a time: next_ holds the job in its high half and the next item
  // in its low half, and a claim is a compare-exchange, so a worker late for its job can never
  // take an item of the next one (whose body and count it has not read).
  void Drain(uint64_t job) {
    uint64_t v = next_.load(std::memory_order_acquire);
    for (;;) {
      if ((v >> 32) != job || static_cast<int64_t>(v & 0xffffffffu) >= count_) return;
      if (!next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      (*body_)(static_cast<int64_t>(v & 0xffffffffu));
      done_.fetch_add(1, std::memory_order_release);
      v = next_.load(std::memory_order_acquire);
    }
  }

  void Work(uint64_t seen) {
    inWorker = true;
    for (;;) {
      uint64_t now = generation_.load(std::memory_order_acquire);
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int spins = 0; now == seen; ++spins) {
        _mm_pause();
        if ((spins & 63) == 63 && std::chrono::steady_clock::now() > until) break;
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
        if (stop_) return;
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      Drain(now);
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> next_{0};
  std::atomic<int64_t> done_{0};
  int64_t count_ = 0;
  const std::function<void(int64_t)>* body_ = nullptr;
  bool stop_ = false;
};

int threads = DefaultThreads();
Pool* pool = nullptr;  // started by the first parallel loop; never destroyed (process exit ends it)
std::mutex running;   // one loop at a time: a second caller thread runs its loop inline

}  // namespace

int Threads() { return threads; }

void SetThreads(int n) { threads = std::max(1, std::min(n, 256)); }

void ParallelFor(int64_t count, const std::function<void(int64_t)>& body) {
  std::unique_lock<std::mutex> lock(running, std::try_to_lock);
  if (threads == 1 || count <= 1 || inWorker || !lock.owns_lock()) {
    for (int64_t i = 0; i < count; ++i) body(i);
    return;
  }
  if (pool == nullptr) pool = new Pool();
  if (pool->Workers() != threads - 1) pool->Resize(threads - 1);
  pool->Run(count, body);
}

void ParallelSlices(int64_t n, int64_t slice, const std::function<void(int64_t, int64_t)>& body) {
  ParallelFor((n + slice - 1) / slice, [&](int64_t i) { body(i * slice, std::min(n, (i + 1) * slice)); });
}

}  // namespace labbook
