#pragma once
// Threads for the CPU backend's steps that end without a barrier: the caller
// works too and returns as soon as every chunk is done, so a worker that the
// system has descheduled (another busy process on the cores) delays a step by
// at most the chunk it holds, not by a time slice.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mmsim::detail {

class WorkerPool {
 public:
  /// `threads` threads in all, the caller included (threads - 1 workers).
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Runs work(chunk, slot) once for every chunk in [0, chunks) and returns
  /// when all have returned. `slot` in [0, threads()) names the running
  /// thread (0: the caller) for its own scratch. Thread k first takes the
  /// k-th of threads() equal runs of chunks, in order (the same chunks job
  /// after job, so their data stays in its caches), then what is left of the
  /// others'. One run() at a time; `work` must not throw.
  void run(std::int64_t chunks, const std::function<void(std::int64_t chunk, int slot)>& work);

 private:
  /// A run's next chunk, claimed by compare-and-swap: the job's generation
  /// in the high 32 bits, the end of the run in the next 16, the next chunk
  /// in the low 16. A ticket says by itself whether a chunk is left, so a
  /// thread holding an older job's values can never claim a newer job's
  /// chunk. Own cache line each.
  struct alignas(64) Ticket {
    std::atomic<std::uint64_t> value{0};
  };
  static constexpr int kChunkBits = 16;
  static constexpr int kGenerationShift = 2 * kChunkBits;

  void work_loop(int slot);
  /// Takes and runs chunks of job `generation`, its own run first, until none is left.
  void take_chunks(std::uint32_t generation, int slot);

  std::vector<std::thread> workers_;
  std::unique_ptr<Ticket[]> tickets_;      ///< [threads()]: each thread's run of chunks
  std::atomic<std::uint32_t> announced_{0};  ///< the generation of the job to take part in
  std::atomic<std::int64_t> done_{0};
  // The current job's work, written before it is announced; a thread that
  // claims a chunk of that job read it after the announcement and before the
  // job could end.
  std::atomic<const std::function<void(std::int64_t, int)>*> work_{nullptr};
  std::uint32_t generation_ = 0;  ///< the caller's count of jobs (wrapping)
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  int sleeping_ = 0;  ///< workers waiting on wake_ (under sleep_mutex_)
  std::atomic<bool> stopping_{false};
};

}  // namespace mmsim::detail
