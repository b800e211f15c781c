// The CPU backend: host memory, and the shared step core in a loop over envs
// split into one contiguous chunk per thread.

#include <omp.h>

#include <algorithm>

#include "env/backend.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/step_core.hpp"

namespace mmsim {
namespace {

class CpuLauncher final : public detail::EnvLauncher {
 public:
  explicit CpuLauncher(int threads)
      : threads_(threads > 0 ? threads : omp_get_max_threads()),
        thread_faults_(static_cast<std::size_t>(threads_ * kFaultRecord)) {}

  void begin(const detail::EnvViews& env, StreamHandle) override {
    const std::int64_t obs_size = static_cast<std::int64_t>(env.params.stack) * env.params.frame_size;
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (std::int64_t i = 0; i < env.num_envs; ++i) {
      begin_episode(env.params, env.windows, env.state, i, 0);
      write_observation(env.params, env.market, env.state, i, env.outputs.obs + i * obs_size);
    }
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

 private:
  /// Runs `step_one(outputs, env, finished_total_before)` for every env in
  /// parallel, writes the observations, counts the finished episodes and
  /// merges the faults.
  template <typename StepOne>
  void step_each(const detail::EnvViews& env, const StepOne& step_one) {
    const std::int64_t obs_size = static_cast<std::int64_t>(env.params.stack) * env.params.frame_size;
    const auto total_before = static_cast<std::int64_t>(env.state.finished_total[0]);
    std::int64_t finished_now = 0;
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
#pragma omp parallel num_threads(threads_) reduction(+ : finished_now)
    {
      // Each thread records its own first fault; merged below in env order.
      EnvOutputViews out = env.outputs;
      out.fault = thread_faults_.data() + kFaultRecord * omp_get_thread_num();
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < env.num_envs; ++i) {
        finished_now += step_one(out, i, total_before);
        write_observation(env.params, env.market, env.state, i, out.obs + i * obs_size);
      }
    }
    env.state.finished_total[1] = static_cast<std::uint64_t>(total_before + finished_now);
    env.state.finished_total[0] = env.state.finished_total[1];
    detail::merge_thread_faults(thread_faults_, env.outputs.fault);
  }

  int threads_;
  std::vector<std::int64_t> thread_faults_;
};

class CpuFillProbLauncher final : public detail::FillProbLauncher {
 public:
  CpuFillProbLauncher()
      : threads_(omp_get_max_threads()), thread_faults_(static_cast<std::size_t>(threads_ * kFaultRecord)) {}

  void begin(const detail::FillProbViews& env, StreamHandle) override {
    for (std::int64_t i = 0; i < env.num_envs; ++i) {
      fill_prob_begin_episode(env.params, env.windows, env.state, i);
      fill_prob_observe(env.market, env.state, env.outputs, i);
    }
  }

  void step(const detail::FillProbViews& env, const std::int32_t* actions, StreamHandle) override {
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
#pragma omp parallel num_threads(threads_)
    {
      FillProbOutputs out = env.outputs;
      out.fault = thread_faults_.data() + kFaultRecord * omp_get_thread_num();
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < env.num_envs; ++i) {
        fill_prob_step(env.params, env.market, env.windows, env.state, out, i, actions[i]);
      }
    }
    detail::merge_thread_faults(thread_faults_, env.outputs.fault);
  }

 private:
  int threads_;
  std::vector<std::int64_t> thread_faults_;
};

}  // namespace

std::unique_ptr<BatchEnv> make_cpu_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                       std::uint64_t seed, int threads) {
  return detail::make_env(data, config, num_envs, seed, detail::host_memory(), std::make_unique<CpuLauncher>(threads),
                          {});
}

std::unique_ptr<FillProbEnv> make_fill_prob_cpu_env(const EnvData& data, const FillProbConfig& config,
                                                    std::int64_t num_envs, std::uint64_t seed) {
  return detail::make_fill_prob_env(data, config, num_envs, seed, detail::host_memory(),
                                    std::make_unique<CpuFillProbLauncher>(), {});
}

}  // namespace mmsim
