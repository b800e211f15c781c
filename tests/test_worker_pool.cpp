// The CPU backend's worker pool: every chunk runs once, on a thread slot of
// its own, each thread's own run of chunks first, job after job.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "env/worker_pool.hpp"

namespace mmsim::detail {
namespace {

/// Keeps the calling thread busy for `duration`, as a chunk of real work would.
void busy_for(std::chrono::microseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
  }
}

TEST(WorkerPool, EveryChunkRunsOnceAndEachThreadStartsWithItsOwnRunJobAfterJob) {
  for (const int threads : {1, 2, 3, 8}) {
    WorkerPool pool(threads);
    ASSERT_EQ(pool.threads(), threads);
    // Jobs of every size, from none to many more chunks than threads, many times over.
    for (int job = 0; job < 3000; ++job) {
      const std::int64_t chunks = job % 37;
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(chunks));
      std::vector<std::vector<std::int64_t>> taken(static_cast<std::size_t>(threads));
      std::mutex taken_mutex;
      pool.run(chunks, [&](std::int64_t chunk, int slot) {
        ASSERT_GE(slot, 0);
        ASSERT_LT(slot, threads);
        // Long enough for the workers to take part.
        busy_for(std::chrono::microseconds(2));
        runs[static_cast<std::size_t>(chunk)].fetch_add(1);
        const std::lock_guard<std::mutex> lock(taken_mutex);
        taken[static_cast<std::size_t>(slot)].push_back(chunk);
      });
      for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
        ASSERT_EQ(runs[static_cast<std::size_t>(chunk)].load(), 1) << threads << " threads, job " << job;
      }
      // Each thread took the chunks of its own run, in order, before any of another's.
      for (int slot = 0; slot < threads; ++slot) {
        const auto& mine = taken[static_cast<std::size_t>(slot)];
        const std::int64_t own_begin = slot * chunks / threads, own_end = (slot + 1) * chunks / threads;
        const auto own = [&](std::int64_t chunk) { return chunk >= own_begin && chunk < own_end; };
        const auto first_foreign = std::find_if_not(mine.begin(), mine.end(), own);
        ASSERT_TRUE(std::is_sorted(mine.begin(), first_foreign)) << threads << " threads, job " << job;
        ASSERT_TRUE(std::none_of(first_foreign, mine.end(), own)) << threads << " threads, job " << job;
      }
    }
  }
}

TEST(WorkerPool, TheCallerTakesTheWorkOfAWorkerThatIsBusyElsewhere) {
  WorkerPool pool(2);
  // The worker's first chunk holds it for 200 ms (as if the system had
  // descheduled it); the caller meanwhile runs every other chunk (1 ms of
  // work each) itself instead of leaving the worker its share.
  std::atomic<bool> worker_held{false};
  std::vector<int> slot_of(64, -1);
  pool.run(64, [&](std::int64_t chunk, int slot) {
    if (slot == 1 && !worker_held.exchange(true)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } else {
      busy_for(std::chrono::milliseconds(1));
    }
    slot_of[static_cast<std::size_t>(chunk)] = slot;
  });
  ASSERT_TRUE(worker_held) << "the worker never took a chunk in 64 ms";
  EXPECT_EQ(std::count(slot_of.begin(), slot_of.end(), 0), 63);
  // The worker's run was chunks 32..63: the caller took all but the one it held.
  EXPECT_EQ(std::count(slot_of.begin() + 32, slot_of.end(), 1), 1);
}

}  // namespace
}  // namespace mmsim::detail
