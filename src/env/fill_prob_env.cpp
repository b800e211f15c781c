#include "mmsim/env/fill_prob_env.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "env/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/layout.hpp"

namespace mmsim {

FillProbParams make_fill_prob_params(const FillProbConfig& config, const EnvData& data, std::uint64_t seed) {
  validate(config);
  EnvConfig window;
  window.split = config.split;
  const std::int64_t longest = episode_split(window, *data.splits).longest_range();
  if (longest < 2) throw ConfigError("fill_prob.split", "the split has no range of 2 rows or more");
  FillProbParams p;
  p.length = std::min(config.episode_length, longest - 1);
  p.cash_deal_limit = config.cash_deal_limit;
  p.cost = config.cost;
  p.seed = seed;
  return p;
}

std::vector<BufferDesc> fill_prob_output_layout(std::int64_t n) {
  return {
      {"obs", DType::float32, {n, kFillProbObservation}},
      {"state_index", DType::int32, {n}},
      {"reward", DType::float32, {n}},
      {"terminated", DType::uint8, {n}},
      {"truncated", DType::uint8, {n}},
      {"ask_hit", DType::uint8, {n}},
      {"traded", DType::uint8, {n}},
      {"pnl", DType::float64, {n}},
      {"position", DType::int32, {n}},
      {"episode_pnl", DType::float64, {n}},
      {"episode_trades", DType::int32, {n}},
      {"fault", DType::int64, {3}},
  };
}

std::vector<BufferDesc> fill_prob_state_layout(std::int64_t n) {
  return {
      {"row", DType::int64, {n}},       {"step", DType::int32, {n}},      {"episode", DType::int64, {n}},
      {"position", DType::int32, {n}},  {"entry_price", DType::float64, {n}}, {"volume", DType::float64, {n}},
      {"pnl", DType::float64, {n}},     {"trades", DType::int32, {n}},
  };
}

void bind_fill_prob(FillProbOutputs* o, const std::vector<BufferDesc>& b) {
  bind_buffer(&o->obs, b, "obs");
  bind_buffer(&o->state_index, b, "state_index");
  bind_buffer(&o->reward, b, "reward");
  bind_buffer(&o->terminated, b, "terminated");
  bind_buffer(&o->truncated, b, "truncated");
  bind_buffer(&o->ask_hit, b, "ask_hit");
  bind_buffer(&o->traded, b, "traded");
  bind_buffer(&o->pnl, b, "pnl");
  bind_buffer(&o->position, b, "position");
  bind_buffer(&o->episode_pnl, b, "episode_pnl");
  bind_buffer(&o->episode_trades, b, "episode_trades");
  bind_buffer(&o->fault, b, "fault");
}

void bind_fill_prob(FillProbState* s, const std::vector<BufferDesc>& b) {
  bind_buffer(&s->row, b, "row");
  bind_buffer(&s->step, b, "step");
  bind_buffer(&s->episode, b, "episode");
  bind_buffer(&s->position, b, "position");
  bind_buffer(&s->entry_price, b, "entry_price");
  bind_buffer(&s->volume, b, "volume");
  bind_buffer(&s->pnl, b, "pnl");
  bind_buffer(&s->trades, b, "trades");
}

namespace {

class CpuFillProbEnv final : public FillProbEnv {
 public:
  CpuFillProbEnv(const EnvData& data, const FillProbConfig& config, std::int64_t n, std::uint64_t seed)
      : FillProbEnv(n, make_fill_prob_params(config, data, seed)),
        market_(detail::host_market(data)),
        threads_(omp_get_max_threads()) {
    if (n < 1) throw ConfigError("fill_prob.num_envs", std::to_string(n) + " must be >= 1");
    EnvConfig window;
    window.split = config.split;
    ranges_ = detail::range_columns(episode_split(window, *data.splits));
    windows_ = {ranges_.begin.data(), ranges_.end.data(), static_cast<int>(ranges_.begin.size()), ranges_.longest};
    outputs_desc_ = allocate(fill_prob_output_layout(n), &output_storage_);
    state_desc_ = allocate(fill_prob_state_layout(n), &state_storage_);
    bind_fill_prob(&outputs_, outputs_desc_);
    bind_fill_prob(&state_, state_desc_);
    thread_faults_.assign(static_cast<std::size_t>(threads_) * 3, -1);
    reset();
  }

  Backend backend() const override { return Backend::cpu; }

  void reset(StreamHandle = {}) override {
    for (auto& block : state_storage_) std::fill(block.begin(), block.end(), std::int64_t{0});
    for (auto& block : output_storage_) std::fill(block.begin(), block.end(), std::int64_t{0});
    std::fill(outputs_.fault, outputs_.fault + 3, -1);
    for (std::int64_t i = 0; i < num_envs_; ++i) {
      fill_prob_begin_episode(params_, windows_, state_, i);
      fill_prob_observe(market_, state_, outputs_, i);
    }
  }

  void step(const std::int32_t* actions, StreamHandle = {}) override {
    const std::int64_t n = num_envs_;
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
#pragma omp parallel num_threads(threads_)
    {
      FillProbOutputs out = outputs_;
      out.fault = thread_faults_.data() + 3 * omp_get_thread_num();
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < n; ++i) fill_prob_step(params_, market_, windows_, state_, out, i, actions[i]);
    }
    detail::merge_thread_faults(thread_faults_, outputs_.fault);
  }

  std::vector<BufferDesc> describe_outputs() const override { return outputs_desc_; }

  void check_faults(StreamHandle = {}) override { detail::take_fault(outputs_.fault); }

 private:
  static std::vector<BufferDesc> allocate(std::vector<BufferDesc> layout,
                                          std::vector<std::vector<std::int64_t>>* storage) {
    for (BufferDesc& desc : layout) {
      storage->emplace_back(static_cast<std::size_t>((buffer_bytes(desc) + 7) / 8));
      desc.data = storage->back().data();
    }
    return layout;
  }

  MarketView market_;
  detail::RangeColumns ranges_;
  WindowRanges windows_;
  int threads_;
  std::vector<std::vector<std::int64_t>> output_storage_, state_storage_;
  std::vector<BufferDesc> outputs_desc_, state_desc_;
  FillProbState state_;
  std::vector<std::int64_t> thread_faults_;
};

}  // namespace

std::unique_ptr<FillProbEnv> make_fill_prob_cpu_env(const EnvData& data, const FillProbConfig& config,
                                                    std::int64_t num_envs, std::uint64_t seed) {
  return std::make_unique<CpuFillProbEnv>(data, config, num_envs, seed);
}

}  // namespace mmsim
