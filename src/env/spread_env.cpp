#include "mmsim/env/spread_env.hpp"

#include <algorithm>

#include "env/backend.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim {

SpreadParams make_spread_params(const SpreadConfig& config, const EnvData& data, std::uint64_t seed) {
  validate(config);
  const Split& split = episode_split(config.split, *data.splits);
  const bool from_start = config.start == SpreadStart::split_start;
  const std::int64_t rows = detail::episode_rows(split, from_start);
  // The first action needs `history` rows; every step needs the row after it.
  const std::int64_t steps = rows - config.history;
  if (steps < 1) {
    throw ConfigError(from_start ? "spread.start" : "spread.history",
                      std::string("the ") + to_string(config.split) + " split has no range of more than " +
                          std::to_string(config.history) + " rows (spread.history)" + (from_start ? " at its start" : ""));
  }
  SpreadParams p;
  p.length = std::min(config.episode_length, steps);
  p.history = config.history;
  p.ends_with_data = from_start && config.episode_length >= steps ? 1 : 0;
  p.trading_fee = config.trading_fee;
  p.time_fee = config.time_fee;
  p.start = config.start;
  p.prices = config.prices;
  p.price_scale = config.price_scale;
  p.depth_scale = config.depth_scale;
  p.seed = seed;
  return p;
}

namespace {

Shape per_env(std::int64_t n, const SpreadParams&) { return {n}; }
Shape per_observation(std::int64_t n, const SpreadParams& p) { return {n, p.observation_size()}; }
Shape per_action(std::int64_t n, const SpreadParams&) { return {n, kSpreadActions}; }
Shape fault_record(std::int64_t, const SpreadParams&) { return {kFaultRecord}; }

}  // namespace

const FieldTable<SpreadOutputs, SpreadParams>& spread_output_fields() {
  using O = SpreadOutputs;
  static const FieldTable<SpreadOutputs, SpreadParams> fields = {
      buffer_field<&O::obs>("obs", per_observation),
      buffer_field<&O::final_obs>("final_obs", per_observation),
      buffer_field<&O::action_mask>("action_mask", per_action),
      buffer_field<&O::reward>("reward", per_env),
      buffer_field<&O::terminated>("terminated", per_env),
      buffer_field<&O::truncated>("truncated", per_env),
      buffer_field<&O::traded>("traded", per_env),
      buffer_field<&O::pnl>("pnl", per_env),
      buffer_field<&O::position>("position", per_env),
      buffer_field<&O::episode_pnl>("episode_pnl", per_env),
      buffer_field<&O::episode_length>("episode_length", per_env),
      buffer_field<&O::episode_trades>("episode_trades", per_env),
      buffer_field<&O::fault>("fault", fault_record),
  };
  return fields;
}

const FieldTable<SpreadState, SpreadParams>& spread_state_fields() {
  using S = SpreadState;
  static const FieldTable<SpreadState, SpreadParams> fields = {
      buffer_field<&S::row>("row", per_env),
      buffer_field<&S::step>("step", per_env),
      buffer_field<&S::episode>("episode", per_env),
      buffer_field<&S::position>("position", per_env),
      buffer_field<&S::entry_price>("entry_price", per_env),
      buffer_field<&S::pnl>("pnl", per_env),
      buffer_field<&S::trades>("trades", per_env),
  };
  return fields;
}

namespace detail {

std::unique_ptr<SpreadEnv> make_spread_env(const EnvData& data, const SpreadConfig& config, std::int64_t num_envs,
                                           std::uint64_t seed, std::unique_ptr<BufferMemory> memory,
                                           std::unique_ptr<SpreadLauncher> launcher, StreamHandle stream) {
  if (num_envs < 1) throw ConfigError("spread.num_envs", std::to_string(num_envs) + " must be >= 1");
  return std::make_unique<TopOfBookEnv<SpreadEnv, SpreadViews>>(
      data, config.split, make_spread_params(config, data, seed), spread_output_fields(), spread_state_fields(), num_envs,
      std::move(memory), std::move(launcher), stream);
}

}  // namespace detail
}  // namespace mmsim
