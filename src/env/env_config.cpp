#include <cmath>
#include <sstream>

#include "mmsim/core/error.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/layout.hpp"

namespace mmsim {
namespace {

void require(bool ok, const std::string& key, const std::string& problem) {
  if (!ok) throw ConfigError(key, problem);
}

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

void validate(const EnvConfig& c) {
  require(c.episode_length >= 1, "env.episode_length", number(static_cast<double>(c.episode_length)) + " must be >= 1");
  if (c.curriculum.enabled) {
    require(c.curriculum.increment >= 0, "env.curriculum.increment", "must be >= 0");
    require(c.curriculum.every >= 1, "env.curriculum.every", "must be >= 1");
    require(c.curriculum.max_length >= c.episode_length, "env.curriculum.max_length",
            number(static_cast<double>(c.curriculum.max_length)) + " must be >= env.episode_length " +
                number(static_cast<double>(c.episode_length)));
  }
  require(!c.actions.empty(), "env.actions", "the action table is empty");
  require(c.actions.size() <= static_cast<std::size_t>(kMaxActions), "env.actions",
          "at most " + std::to_string(kMaxActions) + " rows, got " + std::to_string(c.actions.size()));
  for (std::size_t k = 0; k < c.actions.size(); ++k) {
    const ActionRow& a = c.actions[k];
    const std::string key = "env.actions[" + std::to_string(k) + "]";
    for (double v : {a.bid_offset, a.ask_offset}) {
      require(std::isfinite(v) && v >= 0, key, "offsets must be finite and >= 0 (a quote never crosses the mid), got " + number(v));
    }
    for (double v : {a.bid_size, a.ask_size}) {
      require(std::isfinite(v) && v >= 0, key, "sizes must be finite and >= 0, got " + number(v));
    }
  }
  require(std::isfinite(c.maker_fee_bps) && std::fabs(c.maker_fee_bps) < 10000, "env.maker_fee_bps",
          number(c.maker_fee_bps) + " must be finite and within +-10000 bps");
  require(std::isfinite(c.taker_fee_bps) && std::fabs(c.taker_fee_bps) < 10000, "env.taker_fee_bps",
          number(c.taker_fee_bps) + " must be finite and within +-10000 bps");
  require(std::isfinite(c.inventory_limit) && c.inventory_limit >= 0, "env.inventory_limit",
          number(c.inventory_limit) + " must be >= 0 (0 = no limit)");
  require(c.latency.delay >= 0 && c.latency.delay <= kMaxOrderDelay, "env.latency.delay",
          std::to_string(c.latency.delay) + " must be in [0, " + std::to_string(kMaxOrderDelay) + "] steps");
  require(c.latency.jitter >= 0 && c.latency.delay + c.latency.jitter <= kMaxOrderDelay, "env.latency.jitter",
          std::to_string(c.latency.jitter) + " must be >= 0, with delay + jitter <= " + std::to_string(kMaxOrderDelay) +
              " steps");
  require(c.latency.obs_delay >= 0 && c.latency.obs_delay <= kMaxObservationDelay, "env.latency.obs_delay",
          std::to_string(c.latency.obs_delay) + " must be in [0, " + std::to_string(kMaxObservationDelay) + "] steps");
  require(std::isfinite(c.reward.eta) && c.reward.eta >= 0 && c.reward.eta <= 1, "env.reward.eta",
          number(c.reward.eta) + " must be in [0, 1]");
  require(std::isfinite(c.reward.penalty_weight) && c.reward.penalty_weight >= 0, "env.reward.penalty_weight",
          number(c.reward.penalty_weight) + " must be >= 0");
  require(c.observation.stack >= 1 && c.observation.stack <= kMaxStack, "env.observation.stack",
          std::to_string(c.observation.stack) + " must be in [1, " + std::to_string(kMaxStack) + "]");
  for (const auto& [key, v] : {std::pair{"env.observation.cash_scale", c.observation.cash_scale},
                               std::pair{"env.observation.position_scale", c.observation.position_scale},
                               std::pair{"env.observation.pnl_scale", c.observation.pnl_scale}}) {
    require(std::isfinite(v) && v > 0, key, number(v) + " must be > 0");
  }
}

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
  p.fill_price = c.fill_price;
  p.fill_model = c.fill_model;
  p.queue_model = c.queue_model;
  if (c.fill_model == FillModel::trades && data.book->message_begin.empty()) {
    throw ConfigError("env.fill_model", "'trades' fills resting orders from the message log's executions, and this "
                                        "data has no messages (only LOBSTER data has them): use 'cross'");
  }
  p.maker_fee = c.maker_fee_bps * 1e-4;
  p.taker_fee = c.taker_fee_bps * 1e-4;
  p.inventory_limit = c.inventory_limit;
  p.inventory_limit_mode = c.inventory_limit_mode;
  p.liquidate_at_end = c.liquidate_at_end;
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

const char* to_string(OffsetUnit unit) {
  switch (unit) {
    case OffsetUnit::ticks: return "ticks";
    case OffsetUnit::price: return "price";
    case OffsetUnit::half_spread: return "half_spread";
  }
  return "?";
}
const char* to_string(SizeUnit unit) { return unit == SizeUnit::base ? "base" : "quote"; }
const char* to_string(FillPrice price) { return price == FillPrice::quote ? "quote" : "level"; }
const char* to_string(FillModel model) { return model == FillModel::cross ? "cross" : "trades"; }
const char* to_string(QueueModel model) { return model == QueueModel::risk_averse ? "risk_averse" : "proportional"; }
const char* to_string(RewardKind kind) { return kind == RewardKind::asymmetric ? "asymmetric" : "spooner"; }
const char* to_string(PenaltyKind kind) {
  switch (kind) {
    case PenaltyKind::none: return "none";
    case PenaltyKind::linear: return "linear";
    case PenaltyKind::quadratic: return "quadratic";
    case PenaltyKind::log1p: return "log1p";
  }
  return "?";
}
const char* to_string(InventoryLimitMode mode) { return mode == InventoryLimitMode::shrink ? "shrink" : "skip"; }
const char* to_string(CurriculumCount count) { return count == CurriculumCount::per_env ? "per_env" : "all_envs"; }
const char* to_string(EpisodeSplit split) {
  switch (split) {
    case EpisodeSplit::train: return "train";
    case EpisodeSplit::validation: return "validation";
    case EpisodeSplit::test: return "test";
  }
  return "?";
}

}  // namespace mmsim
