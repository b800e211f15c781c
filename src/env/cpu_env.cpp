// The CPU backend: host memory, and the shared step core in a loop over envs
// split into contiguous chunks that a worker pool's threads take in turn.

#include <algorithm>
#include <atomic>
#include <thread>

#include "env/backend.hpp"
#include "env/worker_pool.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/step_core.hpp"

namespace mmsim {
namespace {

/// Chunks per thread: enough that the threads that are running take over
/// the share of one the system has descheduled, few enough that a chunk
/// stays a long contiguous run of envs.
constexpr std::int64_t kChunksPerThread = 8;

int default_threads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

/// Runs visit(begin, end, slot) for contiguous chunks [begin, end) covering
/// the `num_envs` envs on `pool`.
template <typename Visit>
void for_each_chunk(detail::WorkerPool& pool, std::int64_t num_envs, const Visit& visit) {
  const std::int64_t chunks = std::min<std::int64_t>(num_envs, pool.threads() * kChunksPerThread);
  pool.run(chunks, [&](std::int64_t chunk, int slot) {
    visit(chunk * num_envs / chunks, (chunk + 1) * num_envs / chunks, slot);
  });
}

/// Runs visit(env, slot) for every env of `num_envs` on `pool`.
template <typename Visit>
void for_each_env(detail::WorkerPool& pool, std::int64_t num_envs, const Visit& visit) {
  for_each_chunk(pool, num_envs, [&](std::int64_t begin, std::int64_t end, int slot) {
    for (std::int64_t i = begin; i < end; ++i) visit(i, slot);
  });
}

class CpuLauncher final : public detail::EnvLauncher {
 public:
  explicit CpuLauncher(int threads)
      : pool_(threads > 0 ? threads : default_threads()),
        thread_faults_(static_cast<std::size_t>(pool_.threads() * kFaultRecord)) {}

  void begin(const detail::EnvViews& env, StreamHandle) override {
    const std::int64_t obs_size = env.params.observation_size();
    for_each_env(pool_, env.num_envs, [&](std::int64_t i, int) {
      begin_episode(env.params, env.windows, env.state, i, 0);
      write_observation(env.params, env.market, env.state, i, env.outputs.obs + i * obs_size);
    });
  }

  void step(const detail::EnvViews& env, const std::int32_t* actions, StreamHandle) override {
    step_each(env, [&](const EnvOutputViews& out, std::int64_t i, std::int64_t total_before) {
      return step_env(env.params, env.market, env.windows, env.state, out, i, actions[i], total_before);
    });
  }

  void step_quotes(const detail::EnvViews& env, const ActionRow* quotes, StreamHandle) override {
    step_each(env, [&](const EnvOutputViews& out, std::int64_t i, std::int64_t total_before) {
      return step_env_quotes(env.params, env.market, env.windows, env.state, out, i, quotes[i], total_before);
    });
  }

  void step_offsets(const detail::EnvViews& env, const ActionRow* quotes, StreamHandle) override {
    step_each(env, [&](const EnvOutputViews& out, std::int64_t i, std::int64_t total_before) {
      return step_env_offsets(env.params, env.market, env.windows, env.state, out, i, quotes[i], total_before);
    });
  }

 private:
  /// Runs `step_one(outputs, env, finished_total_before)` for every env in
  /// parallel, writes the observations, counts the finished episodes and
  /// merges the faults.
  template <typename StepOne>
  void step_each(const detail::EnvViews& env, const StepOne& step_one) {
    const std::int64_t obs_size = env.params.observation_size();
    const auto total_before = static_cast<std::int64_t>(env.state.finished_total[0]);
    std::atomic<std::int64_t> finished_now{0};
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
    for_each_chunk(pool_, env.num_envs, [&](std::int64_t begin, std::int64_t end, int slot) {
      // Each thread records its own lowest env's fault; merged below in env order.
      EnvOutputViews out = env.outputs;
      out.fault = thread_faults_.data() + kFaultRecord * slot;
      std::int64_t finished = 0;
      for (std::int64_t i = begin; i < end; ++i) {
        finished += step_one(out, i, total_before);
        write_observation(env.params, env.market, env.state, i, out.obs + i * obs_size);
      }
      finished_now.fetch_add(finished, std::memory_order_relaxed);
    });
    env.state.finished_total[1] = static_cast<std::uint64_t>(total_before + finished_now.load());
    env.state.finished_total[0] = env.state.finished_total[1];
    detail::merge_thread_faults(thread_faults_, env.outputs.fault);
  }

  detail::WorkerPool pool_;
  std::vector<std::int64_t> thread_faults_;
};

/// The CPU launcher of a top-of-book env (`Launcher` over `Views`): begins
/// each env with `begin(env, i)`, steps each on the pool with
/// `step(env, outputs, i, action)`, its faults recorded per thread.
template <class Launcher, class Views, class Begin, class Step>
class CpuTopOfBookLauncher final : public Launcher {
 public:
  CpuTopOfBookLauncher(Begin begin, Step step)
      : begin_(begin),
        step_(step),
        pool_(default_threads()),
        thread_faults_(static_cast<std::size_t>(pool_.threads() * kFaultRecord)) {}

  void begin(const Views& env, StreamHandle) override {
    for (std::int64_t i = 0; i < env.num_envs; ++i) begin_(env, i);
  }

  void step(const Views& env, const std::int32_t* actions, StreamHandle) override {
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
    for_each_env(pool_, env.num_envs, [&](std::int64_t i, int slot) {
      auto out = env.outputs;
      out.fault = thread_faults_.data() + kFaultRecord * slot;
      step_(env, out, i, actions[i]);
    });
    detail::merge_thread_faults(thread_faults_, env.outputs.fault);
  }

 private:
  Begin begin_;
  Step step_;
  detail::WorkerPool pool_;
  std::vector<std::int64_t> thread_faults_;
};

template <class Launcher, class Views, class Begin, class Step>
std::unique_ptr<Launcher> cpu_top_of_book_launcher(Begin begin, Step step) {
  return std::make_unique<CpuTopOfBookLauncher<Launcher, Views, Begin, Step>>(begin, step);
}

}  // namespace

std::unique_ptr<BatchEnv> make_cpu_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                       std::uint64_t seed, int threads) {
  return detail::make_env(data, config, num_envs, seed, detail::host_memory(), std::make_unique<CpuLauncher>(threads),
                          {});
}

std::unique_ptr<FillProbEnv> make_fill_prob_cpu_env(const EnvData& data, const FillProbConfig& config,
                                                    std::int64_t num_envs, std::uint64_t seed) {
  using Views = detail::FillProbViews;
  auto launcher = cpu_top_of_book_launcher<detail::FillProbLauncher, Views>(
      [](const Views& env, std::int64_t i) {
        fill_prob_begin(env.params, env.market, env.windows, env.state, env.outputs, i);
      },
      [](const Views& env, const FillProbOutputs& out, std::int64_t i, std::int32_t action) {
        fill_prob_step(env.params, env.market, env.windows, env.state, out, i, action);
      });
  return detail::make_fill_prob_env(data, config, num_envs, seed, detail::host_memory(), std::move(launcher), {});
}

std::unique_ptr<SpreadEnv> make_spread_cpu_env(const EnvData& data, const SpreadConfig& config, std::int64_t num_envs,
                                               std::uint64_t seed) {
  using Views = detail::SpreadViews;
  auto launcher = cpu_top_of_book_launcher<detail::SpreadLauncher, Views>(
      [](const Views& env, std::int64_t i) {
        spread_begin(env.params, env.market, env.windows, env.state, env.outputs, i);
      },
      [](const Views& env, const SpreadOutputs& out, std::int64_t i, std::int32_t action) {
        spread_step(env.params, env.market, env.windows, env.state, out, i, action);
      });
  return detail::make_spread_env(data, config, num_envs, seed, detail::host_memory(), std::move(launcher), {});
}

}  // namespace mmsim
