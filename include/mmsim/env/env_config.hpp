#pragma once
// Mechanics parameters of the market-making environment (docs/mechanics.md).
// Plain data, validated by validate(); parsed from the `env` config section.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mmsim/config/enum_table.hpp"

namespace mmsim {

enum class OffsetUnit : std::int32_t {
  ticks,        ///< offsets in ticks of the instrument
  price,        ///< offsets in currency units
  half_spread,  ///< offsets in multiples of the current half-spread
};

enum class SizeUnit : std::int32_t {
  base,   ///< quote sizes in lots of the instrument
  quote,  ///< quote sizes as notional in currency; position += notional / price
};

enum class FillPrice : std::int32_t {
  quote,  ///< a fill trades at the agent's limit price
  level,  ///< a fill trades at the crossed market level's price (the thesis's code)
};

enum class FillModel : std::int32_t {
  cross,   ///< a quote fills when the next row's opposite side reaches it (the thesis)
  trades,  ///< resting orders filled by the message log's executions, behind the queue ahead
};

enum class QueueModel : std::int32_t {
  risk_averse,   ///< only executions at the order's price advance the queue ahead
  proportional,  ///< cancellations at the price advance it too, by the share of the level ahead
};

enum class BookCrossing : std::int32_t {
  fill,    ///< the next row's opposite best price at or through the order fills what is left, at its price
  ignore,  ///< only executions fill a resting order
};

enum class TradeThrough : std::int32_t {
  whole_order,   ///< an execution at a worse price fills all that is left: the aggressor passed the order's price
  printed_size,  ///< an execution at a worse price fills the order up to the executed size
};

enum class HiddenExecutions : std::int32_t {
  displayed_first,  ///< it means the displayed queue was exhausted: queue ahead 0, and its size fills the order
  ignore,           ///< a hidden execution at the order's price changes nothing
};

enum class QueueCap : std::int32_t {
  visible_level,  ///< the queue ahead is at most the lots visible at the order's price
  none,           ///< the queue ahead moves only as the queue model moves it
};

enum class QuotePricing : std::int32_t {
  tick_grid,  ///< quotes on the tick grid around the half-tick mid, rounded within 1e-9 of a tick
  float_mid,  ///< a quote is the floating-point mid in currency minus (plus) the offset; levels at or beyond it fill (the thesis's code)
};

enum class LevelFillCap : std::int32_t {
  notional,          ///< notional sizes: a level fills at most its size x its price
  size_as_notional,  ///< notional sizes: a level fills at most its size in base units read as currency (the thesis's code)
};

enum class LastStep : std::int32_t {
  quote_then_liquidate,  ///< the agent's quote fills, then the position is liquidated
  liquidate_only,        ///< the agent's action is discarded and only the liquidation trades (the thesis's code)
};

enum class LiquidationSize : std::int32_t {
  position,         ///< exactly |position|; what exceeds the visible depth trades at the deepest level's price
  notional_at_mid,  ///< |position| x the step's mid in currency over the visible depth; the rest stays (the thesis's code)
};

enum class RewardKind : std::int32_t {
  asymmetric,  ///< dPnL - eta * max(dPnL, 0)
  spooner,     ///< dPnL - eta * max(inventory PnL, 0): dampens only the speculative part
};

enum class PenaltyKind : std::int32_t { none, linear, quadratic, log1p };

enum class InventoryLimitMode : std::int32_t {
  shrink,  ///< a quote that could breach the limit is reduced to fit
  skip,    ///< a quote that could breach the limit is not placed
};

enum class CurriculumCount : std::int32_t {
  per_env,   ///< e counts this env's finished episodes
  all_envs,  ///< e counts the finished episodes of all envs together (the thesis)
};

enum class EpisodeSplit : std::int32_t { train, validation, test };

/// One action: where and how much to quote on each side.
struct ActionRow {
  double bid_offset = 0;  ///< distance below the mid, in OffsetUnit
  double ask_offset = 0;  ///< distance above the mid, in OffsetUnit
  double bid_size = 0;    ///< lots (SizeUnit::base) or notional (SizeUnit::quote); 0 = no bid
  double ask_size = 0;
};

inline constexpr int kMaxActions = 32;
inline constexpr int kMaxStack = 64;
/// Agent features appended to every frame (docs/mechanics.md, "Observation").
inline constexpr int kAgentFeatures = 5;

struct CurriculumConfig {
  bool enabled = false;
  std::int64_t increment = 1000;  ///< rows added every `every` finished episodes
  std::int64_t every = 4;
  std::int64_t max_length = 20000;
  CurriculumCount count = CurriculumCount::per_env;
};

struct RewardConfig {
  RewardKind kind = RewardKind::asymmetric;
  double eta = 0.1;              ///< dampening of positive (speculative) PnL
  PenaltyKind penalty = PenaltyKind::none;
  double penalty_weight = 0.0;   ///< lambda, per unit of f(|position in base units|)
};

/// Bound on env.latency.delay + env.latency.jitter, in steps: orders in
/// flight live in a per-env buffer of that many slots plus one.
inline constexpr int kMaxOrderDelay = 1000;
/// Bound on env.latency.obs_delay, in steps.
inline constexpr int kMaxObservationDelay = 1000000;

/// Latency in env steps (docs/mechanics.md, "Latency").
struct LatencyConfig {
  int delay = 0;      ///< steps from choosing an order to its taking effect
  int jitter = 0;     ///< each order's delay is delay + a uniform draw in [0, jitter]
  int obs_delay = 0;  ///< the observed book lags the real one by this many steps
};

struct ObservationConfig {
  int stack = 5;                  ///< frames per observation, oldest first
  double cash_scale = 1.0;        ///< cash is divided by this (currency)
  double position_scale = 1.0;    ///< position is divided by this (base units)
  double pnl_scale = 1.0;         ///< PnL and unrealised PnL are divided by this (currency)
};

struct EnvConfig {
  EpisodeSplit split = EpisodeSplit::train;  ///< where episode windows are drawn
  std::int64_t episode_length = 3000;        ///< L, or L0 of the curriculum, in steps
  CurriculumConfig curriculum;
  OffsetUnit offset_unit = OffsetUnit::ticks;
  SizeUnit size_unit = SizeUnit::base;
  std::vector<ActionRow> actions;            ///< the action table (at most kMaxActions rows)
  QuotePricing quote_pricing = QuotePricing::tick_grid;
  FillPrice fill_price = FillPrice::quote;
  FillModel fill_model = FillModel::cross;
  QueueModel queue_model = QueueModel::risk_averse;  ///< fill_model: trades
  // fill_model: trades. The defaults follow an exchange's priority rules (docs/mechanics.md).
  BookCrossing book_crossing = BookCrossing::fill;
  TradeThrough trade_through = TradeThrough::whole_order;
  HiddenExecutions hidden_executions = HiddenExecutions::displayed_first;
  QueueCap queue_cap = QueueCap::visible_level;
  LevelFillCap level_fill_cap = LevelFillCap::notional;  ///< fill_model: cross, size_unit: quote
  double maker_fee_bps = 0.0;                ///< on every fill's notional; negative = rebate
  double taker_fee_bps = 0.0;                ///< on liquidation trades
  double inventory_limit = 0.0;              ///< |position| bound in base units; 0 = none
  InventoryLimitMode inventory_limit_mode = InventoryLimitMode::shrink;
  bool liquidate_at_end = true;              ///< flatten against the book when a window ends
  LastStep last_step = LastStep::quote_then_liquidate;  ///< liquidate_at_end: what the last step trades
  LiquidationSize liquidation_size = LiquidationSize::position;  ///< liquidate_at_end: how much is liquidated
  LatencyConfig latency;
  RewardConfig reward;
  ObservationConfig observation;
};

/// Throws ConfigError (key `env.*`) for a value outside its documented range
/// (docs/configuration.md) or an empty action table.
void validate(const EnvConfig& config);

// The names config files give the values of each choice (enum_table.hpp).
constexpr auto enum_names(OffsetUnit) {
  return enum_table<OffsetUnit>(
      {{OffsetUnit::ticks, "ticks"}, {OffsetUnit::price, "price"}, {OffsetUnit::half_spread, "half_spread"}});
}
constexpr auto enum_names(SizeUnit) {
  return enum_table<SizeUnit>({{SizeUnit::base, "base"}, {SizeUnit::quote, "quote"}});
}
constexpr auto enum_names(FillPrice) {
  return enum_table<FillPrice>({{FillPrice::quote, "quote"}, {FillPrice::level, "level"}});
}
constexpr auto enum_names(FillModel) {
  return enum_table<FillModel>({{FillModel::cross, "cross"}, {FillModel::trades, "trades"}});
}
constexpr auto enum_names(QueueModel) {
  return enum_table<QueueModel>({{QueueModel::risk_averse, "risk_averse"}, {QueueModel::proportional, "proportional"}});
}
constexpr auto enum_names(BookCrossing) {
  return enum_table<BookCrossing>({{BookCrossing::ignore, "ignore"}, {BookCrossing::fill, "fill"}});
}
constexpr auto enum_names(TradeThrough) {
  return enum_table<TradeThrough>(
      {{TradeThrough::printed_size, "printed_size"}, {TradeThrough::whole_order, "whole_order"}});
}
constexpr auto enum_names(HiddenExecutions) {
  return enum_table<HiddenExecutions>(
      {{HiddenExecutions::ignore, "ignore"}, {HiddenExecutions::displayed_first, "displayed_first"}});
}
constexpr auto enum_names(QueueCap) {
  return enum_table<QueueCap>({{QueueCap::none, "none"}, {QueueCap::visible_level, "visible_level"}});
}
constexpr auto enum_names(QuotePricing) {
  return enum_table<QuotePricing>({{QuotePricing::tick_grid, "tick_grid"}, {QuotePricing::float_mid, "float_mid"}});
}
constexpr auto enum_names(LevelFillCap) {
  return enum_table<LevelFillCap>(
      {{LevelFillCap::notional, "notional"}, {LevelFillCap::size_as_notional, "size_as_notional"}});
}
constexpr auto enum_names(LastStep) {
  return enum_table<LastStep>(
      {{LastStep::quote_then_liquidate, "quote_then_liquidate"}, {LastStep::liquidate_only, "liquidate_only"}});
}
constexpr auto enum_names(LiquidationSize) {
  return enum_table<LiquidationSize>(
      {{LiquidationSize::position, "position"}, {LiquidationSize::notional_at_mid, "notional_at_mid"}});
}
constexpr auto enum_names(RewardKind) {
  return enum_table<RewardKind>({{RewardKind::asymmetric, "asymmetric"}, {RewardKind::spooner, "spooner"}});
}
constexpr auto enum_names(PenaltyKind) {
  return enum_table<PenaltyKind>({{PenaltyKind::none, "none"},
                                  {PenaltyKind::linear, "linear"},
                                  {PenaltyKind::quadratic, "quadratic"},
                                  {PenaltyKind::log1p, "log1p"}});
}
constexpr auto enum_names(InventoryLimitMode) {
  return enum_table<InventoryLimitMode>({{InventoryLimitMode::shrink, "shrink"}, {InventoryLimitMode::skip, "skip"}});
}
constexpr auto enum_names(CurriculumCount) {
  return enum_table<CurriculumCount>({{CurriculumCount::per_env, "per_env"}, {CurriculumCount::all_envs, "all_envs"}});
}
constexpr auto enum_names(EpisodeSplit) {
  return enum_table<EpisodeSplit>(
      {{EpisodeSplit::train, "train"}, {EpisodeSplit::validation, "validation"}, {EpisodeSplit::test, "test"}});
}

inline const char* to_string(OffsetUnit unit) { return enum_names(unit).name(unit); }
inline const char* to_string(SizeUnit unit) { return enum_names(unit).name(unit); }
inline const char* to_string(FillPrice price) { return enum_names(price).name(price); }
inline const char* to_string(FillModel model) { return enum_names(model).name(model); }
inline const char* to_string(QueueModel model) { return enum_names(model).name(model); }
inline const char* to_string(BookCrossing crossing) { return enum_names(crossing).name(crossing); }
inline const char* to_string(TradeThrough through) { return enum_names(through).name(through); }
inline const char* to_string(HiddenExecutions hidden) { return enum_names(hidden).name(hidden); }
inline const char* to_string(QueueCap cap) { return enum_names(cap).name(cap); }
inline const char* to_string(QuotePricing pricing) { return enum_names(pricing).name(pricing); }
inline const char* to_string(LevelFillCap cap) { return enum_names(cap).name(cap); }
inline const char* to_string(LastStep step) { return enum_names(step).name(step); }
inline const char* to_string(LiquidationSize size) { return enum_names(size).name(size); }
inline const char* to_string(RewardKind kind) { return enum_names(kind).name(kind); }
inline const char* to_string(PenaltyKind kind) { return enum_names(kind).name(kind); }
inline const char* to_string(InventoryLimitMode mode) { return enum_names(mode).name(mode); }
inline const char* to_string(CurriculumCount count) { return enum_names(count).name(count); }
inline const char* to_string(EpisodeSplit split) { return enum_names(split).name(split); }

/// The split named `name` (train, validation or test); ConfigError naming
/// `key` otherwise. Whatever reads a split name by itself (a command-line
/// flag) calls this; config keys read it through the same table.
inline EpisodeSplit parse_episode_split(std::string_view name, const std::string& key) {
  return enum_names(EpisodeSplit{}).parse(name, key);
}

}  // namespace mmsim
