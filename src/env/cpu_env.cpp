// The CPU backend: the shared step core in a loop over envs, split into one
// contiguous chunk per thread.

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "env/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/env/step_core.hpp"

namespace mmsim {
namespace {

class CpuBatchEnv final : public BatchEnv {
 public:
  CpuBatchEnv(const EnvData& data, const EnvConfig& config, std::int64_t num_envs, std::uint64_t seed, int threads)
      : BatchEnv(num_envs, make_step_params(config, data, seed, &capped_)),
        market_(detail::host_market(data)),
        ranges_(detail::range_columns(episode_split(config, *data.splits))),
        threads_(threads > 0 ? threads : omp_get_max_threads()) {
    if (num_envs < 1) throw ConfigError("env.num_envs", std::to_string(num_envs) + " must be >= 1");
    if (capped_) detail::log_length_cap(params_, config);
    windows_.range_begin = ranges_.begin.data();
    windows_.range_end = ranges_.end.data();
    windows_.count = static_cast<int>(ranges_.begin.size());
    windows_.longest = ranges_.longest;
    outputs_desc_ = allocate(output_layout(num_envs, params_), &output_storage_);
    state_desc_ = allocate(state_layout(num_envs, params_), &state_storage_);
    bind_outputs(&outputs_, outputs_desc_);
    bind_state(&state_, state_desc_);
    thread_faults_.assign(static_cast<std::size_t>(threads_) * 3, -1);
    reset();
  }

  Backend backend() const override { return Backend::cpu; }

  void reset(StreamHandle = {}) override {
    for (auto& block : state_storage_) std::fill(block.begin(), block.end(), std::uint8_t{0});
    for (auto& block : output_storage_) std::fill(block.begin(), block.end(), std::uint8_t{0});
    std::fill(outputs_.fault, outputs_.fault + 3, -1);
    finished_total_ = 0;
    const std::int64_t n = num_envs_;
    const std::int64_t obs_size = observation_size();
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      begin_episode(params_, windows_, state_, i, 0);
      write_observation(params_, market_, state_, i, outputs_.obs + i * obs_size);
    }
  }

  void step(const std::int32_t* actions, StreamHandle = {}) override {
    step_each([&](const EnvOutputViews& out, std::int64_t i, std::int64_t total_before) {
      return step_env(params_, market_, windows_, state_, out, i, actions[i], total_before);
    });
  }

  void step_quotes(const ActionRow* quotes, StreamHandle = {}) override {
    step_each([&](const EnvOutputViews& out, std::int64_t i, std::int64_t total_before) {
      return step_env_quotes(params_, market_, windows_, state_, out, i, quotes[i], total_before);
    });
  }

  std::vector<BufferDesc> describe_outputs() const override { return outputs_desc_; }

  std::vector<std::uint8_t> save_state(StreamHandle = {}) const override {
    std::vector<std::uint8_t> bytes;
    for (const auto* descs : {&state_desc_, &outputs_desc_}) {
      for (const BufferDesc& d : *descs) {
        const auto* begin = static_cast<const std::uint8_t*>(d.data);
        bytes.insert(bytes.end(), begin, begin + buffer_bytes(d));
      }
    }
    const auto* total = reinterpret_cast<const std::uint8_t*>(&finished_total_);
    bytes.insert(bytes.end(), total, total + sizeof finished_total_);
    return bytes;
  }

  void load_state(const std::vector<std::uint8_t>& bytes, StreamHandle = {}) override {
    detail::check_state_size(bytes.size(), sizeof finished_total_ + static_cast<std::size_t>(total_bytes(state_desc_) +
                                                                                           total_bytes(outputs_desc_)));
    std::size_t at = 0;
    for (const auto* descs : {&state_desc_, &outputs_desc_}) {
      for (const BufferDesc& d : *descs) {
        std::memcpy(d.data, bytes.data() + at, static_cast<std::size_t>(buffer_bytes(d)));
        at += static_cast<std::size_t>(buffer_bytes(d));
      }
    }
    std::memcpy(&finished_total_, bytes.data() + at, sizeof finished_total_);
  }

  void check_faults(StreamHandle = {}) override { detail::take_fault(outputs_.fault); }

  std::vector<std::int64_t> finished_episodes(StreamHandle = {}) const override {
    return std::vector<std::int64_t>(state_.finished, state_.finished + num_envs_);
  }
  std::int64_t finished_total(StreamHandle = {}) const override { return finished_total_; }
  void set_finished_episodes(const std::vector<std::int64_t>& per_env, std::int64_t total, StreamHandle = {}) override {
    if (static_cast<std::int64_t>(per_env.size()) != num_envs_) {
      throw Error("curriculum state has " + std::to_string(per_env.size()) + " envs, this env batch has " +
                  std::to_string(num_envs_));
    }
    std::copy(per_env.begin(), per_env.end(), state_.finished);
    finished_total_ = total;
  }

 private:
  /// Runs `step_one(outputs, env, finished_total_before)` for every env in
  /// parallel, then writes the observations and merges the faults.
  template <typename StepOne>
  void step_each(const StepOne& step_one) {
    const std::int64_t n = num_envs_;
    const std::int64_t obs_size = observation_size();
    const std::int64_t total_before = finished_total_;
    std::int64_t finished_now = 0;
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
#pragma omp parallel num_threads(threads_) reduction(+ : finished_now)
    {
      // Each thread records its own first fault; merged below in env order.
      EnvOutputViews out = outputs_;
      out.fault = thread_faults_.data() + 3 * omp_get_thread_num();
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < n; ++i) {
        finished_now += step_one(out, i, total_before);
        write_observation(params_, market_, state_, i, out.obs + i * obs_size);
      }
    }
    finished_total_ += finished_now;
    detail::merge_thread_faults(thread_faults_, outputs_.fault);
  }

  static std::vector<BufferDesc> allocate(std::vector<BufferDesc> layout,
                                          std::vector<std::vector<std::uint8_t>>* storage) {
    for (BufferDesc& desc : layout) {
      // 64-byte aligned blocks: vectors of uint64 give 8-byte alignment, enough for every dtype.
      storage->emplace_back(static_cast<std::size_t>(buffer_bytes(desc)) + 64);
      auto address = reinterpret_cast<std::uintptr_t>(storage->back().data());
      desc.data = reinterpret_cast<void*>((address + 63) & ~std::uintptr_t{63});
      desc.device = Backend::cpu;
    }
    return layout;
  }

  bool capped_ = false;
  MarketView market_;
  detail::RangeColumns ranges_;
  WindowRanges windows_;
  int threads_;
  std::vector<std::vector<std::uint8_t>> output_storage_, state_storage_;
  std::vector<BufferDesc> outputs_desc_, state_desc_;
  EnvState state_;
  std::vector<std::int64_t> thread_faults_;
  std::int64_t finished_total_ = 0;
};

}  // namespace

std::unique_ptr<BatchEnv> make_cpu_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                       std::uint64_t seed, int threads) {
  return std::make_unique<CpuBatchEnv>(data, config, num_envs, seed, threads);
}

}  // namespace mmsim
