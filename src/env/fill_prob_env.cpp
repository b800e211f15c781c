#include "mmsim/env/fill_prob_env.hpp"

#include <algorithm>
#include <cmath>

#include "env/backend.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim {

FillProbParams make_fill_prob_params(const FillProbConfig& config, const EnvData& data, std::uint64_t seed) {
  validate(config);
  const Split& split = episode_split(config.split, *data.splits);
  const std::int64_t rows = detail::episode_rows(split, config.start == FillProbStart::split_start);
  if (rows < 2) {
    throw ConfigError(config.start == FillProbStart::split_start ? "fill_prob.start" : "fill_prob.split",
                      std::string("the ") + to_string(config.split) + " split has no range of 2 rows or more" +
                          (config.start == FillProbStart::split_start ? " at its start" : ""));
  }
  FillProbParams p;
  p.length = std::min(config.episode_length, rows - 1);
  p.cash_deal_limit = config.cash_deal_limit;
  p.cost = config.cost;
  p.seed = seed;
  p.hit_rule = config.hit_rule;
  p.same_side = config.same_side;
  p.close_volume = config.close_volume;
  p.start = config.start;
  p.episode_end = config.episode_end;
  return p;
}

namespace {

Shape per_env(std::int64_t n, const FillProbParams&) { return {n}; }
Shape per_observation(std::int64_t n, const FillProbParams&) { return {n, kFillProbObservation}; }
Shape fault_record(std::int64_t, const FillProbParams&) { return {kFaultRecord}; }

}  // namespace

const FieldTable<FillProbOutputs, FillProbParams>& fill_prob_output_fields() {
  using O = FillProbOutputs;
  static const FieldTable<FillProbOutputs, FillProbParams> fields = {
      buffer_field<&O::obs>("obs", per_observation),
      buffer_field<&O::state_index>("state_index", per_env),
      buffer_field<&O::final_state_index>("final_state_index", per_env),
      buffer_field<&O::reward>("reward", per_env),
      buffer_field<&O::terminated>("terminated", per_env),
      buffer_field<&O::truncated>("truncated", per_env),
      buffer_field<&O::ask_hit>("ask_hit", per_env),
      buffer_field<&O::traded>("traded", per_env),
      buffer_field<&O::pnl>("pnl", per_env),
      buffer_field<&O::position>("position", per_env),
      buffer_field<&O::episode_pnl>("episode_pnl", per_env),
      buffer_field<&O::episode_trades>("episode_trades", per_env),
      buffer_field<&O::fault>("fault", fault_record),
  };
  return fields;
}

const FieldTable<FillProbState, FillProbParams>& fill_prob_state_fields() {
  using S = FillProbState;
  static const FieldTable<FillProbState, FillProbParams> fields = {
      buffer_field<&S::row>("row", per_env),
      buffer_field<&S::step>("step", per_env),
      buffer_field<&S::episode>("episode", per_env),
      buffer_field<&S::position>("position", per_env),
      buffer_field<&S::entry_price>("entry_price", per_env),
      buffer_field<&S::volume>("volume", per_env),
      buffer_field<&S::pnl>("pnl", per_env),
      buffer_field<&S::trades>("trades", per_env),
  };
  return fields;
}

namespace detail {

std::unique_ptr<FillProbEnv> make_fill_prob_env(const EnvData& data, const FillProbConfig& config,
                                                std::int64_t num_envs, std::uint64_t seed,
                                                std::unique_ptr<BufferMemory> memory,
                                                std::unique_ptr<FillProbLauncher> launcher, StreamHandle stream) {
  if (num_envs < 1) throw ConfigError("fill_prob.num_envs", std::to_string(num_envs) + " must be >= 1");
  return std::make_unique<TopOfBookEnv<FillProbEnv, FillProbViews>>(
      data, config.split, make_fill_prob_params(config, data, seed), fill_prob_output_fields(), fill_prob_state_fields(), num_envs,
      std::move(memory), std::move(launcher), stream);
}

}  // namespace detail
}  // namespace mmsim
