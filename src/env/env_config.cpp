#include "mmsim/core/error.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/layout.hpp"

namespace mmsim {

const Split& episode_split(EpisodeSplit split, const Splits& splits) {
  switch (split) {
    case EpisodeSplit::validation: return splits.validation;
    case EpisodeSplit::test: return splits.test;
    case EpisodeSplit::train: break;
  }
  return splits.train;
}

StepParams make_step_params(const EnvConfig& c, const EnvData& data, std::uint64_t seed, bool* capped) {
  validate(c);
  MMSIM_ASSERT(data.book != nullptr && data.features != nullptr && data.splits != nullptr, "incomplete EnvData");
  MMSIM_ASSERT(data.features->rows == data.book->rows(), "feature table and book disagree on rows");
  const Split& split = episode_split(c.split, *data.splits);
  const std::int64_t longest = split.longest_range();
  if (longest < 2) {
    throw ConfigError("env.split", std::string("the ") + to_string(c.split) + " split has no range of 2 rows or more (" +
                                       std::to_string(split.rows()) + " rows); an episode needs at least one step");
  }
  StepParams p;
  p.action_count = static_cast<int>(c.actions.size());
  for (std::size_t k = 0; k < c.actions.size(); ++k) p.actions[k] = c.actions[k];
  p.offset_unit = c.offset_unit;
  p.size_unit = c.size_unit;
  p.quote_pricing = c.quote_pricing;
  p.fill_price = c.fill_price;
  p.fill_model = c.fill_model;
  p.queue_model = c.queue_model;
  p.book_crossing = c.book_crossing;
  p.trade_through = c.trade_through;
  p.hidden_executions = c.hidden_executions;
  p.queue_cap = c.queue_cap;
  p.level_fill_cap = c.level_fill_cap;
  if (c.fill_model == FillModel::trades && data.book->message_begin.empty()) {
    throw ConfigError("env.fill_model", "'trades' fills resting orders from the message log's executions, and this "
                                        "data has no messages (only LOBSTER data has them): use 'cross'");
  }
  p.maker_fee = c.maker_fee_bps * 1e-4;
  p.taker_fee = c.taker_fee_bps * 1e-4;
  p.inventory_limit = c.inventory_limit;
  p.inventory_limit_mode = c.inventory_limit_mode;
  p.liquidate_at_end = c.liquidate_at_end;
  p.last_step = c.last_step;
  p.liquidation_size = c.liquidation_size;
  p.delay = c.latency.delay;
  p.delay_jitter = c.latency.jitter;
  p.pending_slots = c.latency.delay + c.latency.jitter + 1;
  p.obs_delay = c.latency.obs_delay;
  p.reward_kind = c.reward.kind;
  p.eta = c.reward.eta;
  p.penalty = c.reward.penalty;
  p.penalty_weight = c.reward.penalty_weight;
  p.stack = c.observation.stack;
  p.feature_count = data.features->columns();
  p.frame_size = p.feature_count + kAgentFeatures;
  p.inv_cash_scale = 1.0 / c.observation.cash_scale;
  p.inv_position_scale = 1.0 / c.observation.position_scale;
  p.inv_pnl_scale = 1.0 / c.observation.pnl_scale;
  p.curriculum = c.curriculum.enabled;
  p.curriculum_count = c.curriculum.count;
  p.initial_length = c.episode_length;
  p.increment = c.curriculum.increment;
  p.every = c.curriculum.every;
  p.max_length = c.curriculum.enabled ? c.curriculum.max_length : c.episode_length;
  // A window of L steps uses L + 1 rows of one range.
  p.cap = longest - 1;
  if (capped != nullptr) *capped = p.max_length > p.cap || p.initial_length > p.cap;
  p.seed = seed;
  return p;
}

namespace {

const char* fault_description(FaultKind kind) {
  switch (kind) {
    case FaultKind::none: break;
    case FaultKind::nan_reward: return "the reward or the PnL is NaN";
    case FaultKind::invalid_action: return "the action is outside the action table";
    case FaultKind::invalid_quote: return "the quote has a non-finite or out-of-range offset or a negative size";
    case FaultKind::invalid_fill_model: return "the fill model is none of cross and trades";
  }
  return "unknown fault";
}

}  // namespace

void throw_if_fault(const std::int64_t* fault) {
  if (fault[0] < 0) return;
  throw Error("env " + std::to_string(fault[0]) + ", step " + std::to_string(fault[1]) + " of its episode: " +
              fault_description(static_cast<FaultKind>(fault[2])));
}

}  // namespace mmsim
