#pragma once
// Views of the batched environment's memory: the market it reads, its
// per-env state (structure of arrays) and its outputs. All are non-owning
// and point to host memory (CPU backend) or device memory (CUDA backend).

#include <cstdint>

#include "mmsim/core/types.hpp"
#include "mmsim/core/view.hpp"
#include "mmsim/env/env_config.hpp"

namespace mmsim {

/// The order book and the normalised feature table, shared by all envs.
struct MarketView {
  View2D<const Ticks> bid_price, ask_price;  ///< [T, L] ticks
  View2D<const Lots> bid_size, ask_size;     ///< [T, L] lots
  View2D<const float> features;              ///< [T, F] normalised features
  double tick_size = 0;                      ///< currency per tick
  double lot_size = 0;                       ///< base units per lot
  // The message log (fill_model: trades; null otherwise): messages
  // [message_begin[t], message_end[t]) led from row t - 1 to row t.
  const std::int64_t* message_begin = nullptr;  ///< [T]
  const std::int64_t* message_end = nullptr;    ///< [T]
  const std::int8_t* message_type = nullptr;    ///< [M] MessageType
  const Lots* message_size = nullptr;           ///< [M] lots
  const std::int64_t* message_price_half_ticks = nullptr;  ///< [M]
  const std::int8_t* message_direction = nullptr;          ///< [M] +1 buy side, -1 sell side (resting side of executions)
};

/// The row ranges episodes are drawn from: [range_begin[k], range_end[k]).
struct WindowRanges {
  const std::int64_t* range_begin = nullptr;
  const std::int64_t* range_end = nullptr;
  int count = 0;
  std::int64_t longest = 0;  ///< rows of the longest range
};

/// Mechanics parameters in a form the step core reads on host or device
/// (fixed-size, trivially copyable; built from EnvConfig by make_step_params).
struct StepParams {
  int action_count = 0;
  ActionRow actions[kMaxActions];
  OffsetUnit offset_unit = OffsetUnit::ticks;
  SizeUnit size_unit = SizeUnit::base;
  QuotePricing quote_pricing = QuotePricing::tick_grid;
  FillPrice fill_price = FillPrice::quote;
  FillModel fill_model = FillModel::cross;
  QueueModel queue_model = QueueModel::risk_averse;
  BookCrossing book_crossing = BookCrossing::fill;
  TradeThrough trade_through = TradeThrough::whole_order;
  HiddenExecutions hidden_executions = HiddenExecutions::displayed_first;
  QueueCap queue_cap = QueueCap::visible_level;
  LevelFillCap level_fill_cap = LevelFillCap::notional;
  double maker_fee = 0;  ///< fraction of notional (bps / 1e4)
  double taker_fee = 0;
  double inventory_limit = 0;
  InventoryLimitMode inventory_limit_mode = InventoryLimitMode::shrink;
  bool liquidate_at_end = true;
  LastStep last_step = LastStep::quote_then_liquidate;
  LiquidationSize liquidation_size = LiquidationSize::position;
  int delay = 0;          ///< steps from choosing an order to its taking effect (least)
  int delay_jitter = 0;   ///< extra steps drawn per order, uniform in [0, delay_jitter]
  int pending_slots = 1;  ///< delay + delay_jitter + 1: orders in flight per env
  int obs_delay = 0;      ///< steps the observed book lags the real one
  RewardKind reward_kind = RewardKind::asymmetric;
  double eta = 0;
  PenaltyKind penalty = PenaltyKind::none;
  double penalty_weight = 0;
  int stack = 1;
  int feature_count = 0;  ///< F: market features per frame
  int frame_size = 0;     ///< F + kAgentFeatures
  /// Floats per observation: stack x frame_size.
  MMSIM_HD std::int64_t observation_size() const { return static_cast<std::int64_t>(stack) * frame_size; }
  double inv_cash_scale = 1, inv_position_scale = 1, inv_pnl_scale = 1;
  // Episode length: min(initial + increment * floor(e / every), max) when the
  // curriculum is on, else `initial`; `cap` (longest range - 1) bounds both.
  bool curriculum = false;
  CurriculumCount curriculum_count = CurriculumCount::per_env;
  std::int64_t initial_length = 1;
  std::int64_t increment = 0;
  std::int64_t every = 1;
  std::int64_t max_length = 1;
  std::int64_t cap = 1;
  std::uint64_t seed = 0;
};

/// Per-env state, structure of arrays; every pointer has N elements unless noted.
struct EnvState {
  std::int64_t* row = nullptr;           ///< current book row
  std::int64_t* episode_start = nullptr; ///< first row of the episode's window
  std::int32_t* step = nullptr;          ///< steps taken in the episode
  std::int32_t* length = nullptr;        ///< L of the episode, in steps
  std::uint64_t* episode = nullptr;      ///< index of the env's current episode (RNG counter)
  std::int64_t* finished = nullptr;      ///< episodes this env has finished (curriculum)
  /// [2]: all envs' finished episodes (curriculum over all envs): [0] before
  /// the step that runs, [1] counted while it runs; equal between steps.
  std::uint64_t* finished_total = nullptr;
  double* cash = nullptr;                ///< currency
  double* position = nullptr;            ///< base units
  double* pnl = nullptr;                 ///< cash + position x mid at the current row
  double* flat_pnl = nullptr;            ///< PnL when the position was last flat
  double* fees = nullptr;                ///< fees paid in the episode (currency; rebates negative)
  std::int32_t* fills = nullptr;         ///< fills in the episode (one per level walked)
  // The agent's active order on each side: the newest that took effect.
  Ticks* bid_quote = nullptr;            ///< its price; 0 when none
  Ticks* ask_quote = nullptr;
  double* bid_rest = nullptr;            ///< what is left to fill: base units (trades) or the size unit (cross)
  double* ask_rest = nullptr;
  // fill_model: trades: where the active order stands.
  double* bid_queue = nullptr;           ///< lots ahead of the order at its price
  double* ask_queue = nullptr;
  double* bid_level = nullptr;           ///< lots visible at the order's price (proportional queue model)
  double* ask_level = nullptr;
  // Orders in flight (latency): slot k % pending_slots holds the order sent
  // at step k until it takes effect.
  std::int32_t* pending_arrival = nullptr;  ///< [N, pending_slots] step it takes effect; -1 = empty
  Ticks* pending_bid_price = nullptr;       ///< [N, pending_slots] ticks; 0 = no bid
  Ticks* pending_ask_price = nullptr;       ///< [N, pending_slots]
  double* pending_bid_size = nullptr;       ///< [N, pending_slots] the config's size unit
  double* pending_ask_size = nullptr;       ///< [N, pending_slots]
  std::int32_t* active_sent = nullptr;      ///< step the active order was sent; -1 = none
  // Frame history for the observation stack: a ring of `stack` frames per env.
  std::int64_t* history_row = nullptr;   ///< [N, stack] book row each frame shows (obs_delay rows back)
  float* history_agent = nullptr;        ///< [N, stack, kAgentFeatures] agent features of each frame
  std::int32_t* history_head = nullptr;  ///< ring slot of the newest frame
  std::int32_t* history_count = nullptr; ///< frames of the current episode in the ring (<= stack)
};

/// int64 values of a fault record: env, step and FaultKind; the env is -1
/// while the record is clear.
inline constexpr std::int64_t kFaultRecord = 3;

/// Errors found inside a step, reported through EnvOutputViews::fault.
enum class FaultKind : std::int64_t {
  none = 0,
  nan_reward = 1,      ///< the reward or the PnL became NaN
  invalid_action = 2,  ///< an action index outside the action table (action 0 was used)
  invalid_quote = 3,   ///< an explicit quote with a non-finite or huge offset or a negative size (none was placed)
  invalid_fill_model = 4,  ///< StepParams::fill_model names no fill model (nothing was filled)
};

/// Per-step outputs; shapes in docs/mechanics.md, "Outputs".
struct EnvOutputViews {
  float* obs = nullptr;             ///< [N, stack, F + kAgentFeatures], oldest frame first
  float* final_obs = nullptr;       ///< [N, stack, F + kAgentFeatures], where an episode ended
  float* reward = nullptr;          ///< [N]
  std::uint8_t* terminated = nullptr;  ///< [N]
  std::uint8_t* truncated = nullptr;   ///< [N]
  double* pnl = nullptr;            ///< [N] mark-to-mid PnL after the step (of the new episode after a reset)
  double* position = nullptr;       ///< [N]
  double* cash = nullptr;           ///< [N]
  double* fees = nullptr;           ///< [N] fees of this step
  double* bid_volume = nullptr;     ///< [N] base units bought this step
  double* ask_volume = nullptr;     ///< [N] base units sold this step
  double* bid_price = nullptr;      ///< [N] volume-weighted buy price this step (currency; 0 without fill)
  double* ask_price = nullptr;      ///< [N] volume-weighted sell price this step
  std::int32_t* bid_fills = nullptr;  ///< [N] levels filled on the bid this step
  std::int32_t* ask_fills = nullptr;  ///< [N]
  Ticks* bid_quote = nullptr;       ///< [N] price of the order resting this step (ticks; 0 = none)
  Ticks* ask_quote = nullptr;       ///< [N] price of the order resting this step (ticks; 0 = none)
  /// [N] where the step liquidated: its proceeds minus the value of the
  /// units it traded at the mid of the row it traded against (currency,
  /// before the taker fee; < 0 when crossing the spread costs); 0 elsewhere.
  double* liquidation = nullptr;
  double* liquidation_fee = nullptr;  ///< [N] the liquidation's taker fee (currency, part of `fees`); 0 elsewhere
  double* episode_pnl = nullptr;       ///< [N] final PnL of the episode that ended (after liquidation and fees)
  double* episode_pnl_mark = nullptr;  ///< [N] mark-to-mid PnL of that episode before liquidation
  std::int32_t* episode_length = nullptr;  ///< [N] steps of that episode
  std::int32_t* episode_fills = nullptr;   ///< [N] fills of that episode
  /// [kFaultRecord]: env, step and FaultKind of the first fault; -1 when none.
  std::int64_t* fault = nullptr;
};

}  // namespace mmsim
