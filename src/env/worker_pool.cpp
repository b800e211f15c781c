#include "env/worker_pool.hpp"

#include "mmsim/core/error.hpp"

namespace mmsim::detail {
namespace {

/// Polls before a worker sleeps: longer than the gap between two steps of a
/// training loop, so that steps in a loop never wait for a wake-up.
constexpr int kSpinsBeforeSleep = 1 << 14;

void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

WorkerPool::WorkerPool(int threads) : tickets_(std::make_unique<Ticket[]>(static_cast<std::size_t>(threads))) {
  MMSIM_ASSERT(threads >= 1, "a pool of at least one thread");
  for (int slot = 1; slot < threads; ++slot) workers_.emplace_back([this, slot] { work_loop(slot); });
}

WorkerPool::~WorkerPool() {
  {
    const std::lock_guard<std::mutex> lock(sleep_mutex_);
    stopping_.store(true);
    announced_.store(generation_ + 1, std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void WorkerPool::run(std::int64_t chunks, const std::function<void(std::int64_t, int)>& work) {
  MMSIM_ASSERT(chunks >= 0 && chunks < (std::int64_t{1} << kChunkBits), "chunks fit a ticket");
  if (chunks == 0) return;
  if (workers_.empty()) {
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) work(chunk, 0);
    return;
  }
  const int threads = this->threads();
  work_.store(&work, std::memory_order_relaxed);
  // Every chunk of the previous job is done: nothing adds to done_ until the announcement.
  done_.store(0, std::memory_order_relaxed);
  ++generation_;
  for (int slot = 0; slot < threads; ++slot) {
    const auto first = static_cast<std::uint64_t>(slot * chunks / threads);
    const auto end = static_cast<std::uint64_t>((slot + 1) * chunks / threads);
    const std::uint64_t ticket =
        static_cast<std::uint64_t>(generation_) << kGenerationShift | end << kChunkBits | first;
    tickets_[slot].value.store(ticket, std::memory_order_relaxed);
  }
  bool wake = false;
  {
    const std::lock_guard<std::mutex> lock(sleep_mutex_);
    announced_.store(generation_, std::memory_order_release);
    wake = sleeping_ > 0;
  }
  if (wake) wake_.notify_all();
  take_chunks(generation_, 0);
  for (int spin = 0; done_.load(std::memory_order_acquire) < chunks; ++spin) {
    // A worker holding a chunk may be descheduled: give it the core.
    if (spin < kSpinsBeforeSleep) {
      pause();
    } else {
      std::this_thread::yield();
    }
  }
}

void WorkerPool::take_chunks(std::uint32_t generation, int slot) {
  const auto* const work = work_.load(std::memory_order_relaxed);
  const int threads = this->threads();
  constexpr std::uint64_t kChunkMask = (std::uint64_t{1} << kChunkBits) - 1;
  for (int k = 0; k < threads; ++k) {
    std::atomic<std::uint64_t>& ticket = tickets_[(slot + k) % threads].value;
    std::uint64_t seen = ticket.load(std::memory_order_acquire);
    while ((seen >> kGenerationShift) == generation && (seen & kChunkMask) < ((seen >> kChunkBits) & kChunkMask)) {
      if (ticket.compare_exchange_weak(seen, seen + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        (*work)(static_cast<std::int64_t>(seen & kChunkMask), slot);
        done_.fetch_add(1, std::memory_order_release);
        seen = ticket.load(std::memory_order_acquire);
      }
    }
  }
}

void WorkerPool::work_loop(int slot) {
  std::uint32_t seen = 0;
  while (true) {
    std::uint32_t generation = announced_.load(std::memory_order_acquire);
    for (int spin = 0; generation == seen && spin < kSpinsBeforeSleep; ++spin) {
      pause();
      generation = announced_.load(std::memory_order_acquire);
    }
    if (generation == seen) {
      std::unique_lock<std::mutex> lock(sleep_mutex_);
      ++sleeping_;
      wake_.wait(lock, [&] { return announced_.load(std::memory_order_acquire) != seen; });
      --sleeping_;
      generation = announced_.load(std::memory_order_acquire);
    }
    if (stopping_.load()) return;
    seen = generation;
    take_chunks(generation, slot);
  }
}

}  // namespace mmsim::detail
