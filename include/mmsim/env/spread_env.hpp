#pragma once
// The notebook's spread-trading environment (seed 002, `SpreadTrading`) in
// the batched framework: top-of-book data, buy / hold / sell of one unit
// filled at the touch (a buy at the best bid, a sell at the best ask), a
// flat / long / short position with its entry price, trading and time fees,
// and an observation of the last rows' prices and depths.
// docs/mechanics.md, "Spread-trading environment".

#include <cstdint>
#include <memory>
#include <vector>

#include "mmsim/config/enum_table.hpp"
#include "mmsim/core/hd.hpp"
#include "mmsim/core/stream.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/core/episode.hpp"
#include "mmsim/env/core/faults.hpp"
#include "mmsim/env/layout.hpp"

namespace mmsim {

/// Actions and positions numbered as the notebook's one-hot vectors.
enum class SpreadAction : std::int32_t { hold = 0, buy = 1, sell = 2 };
enum class SpreadPosition : std::int32_t { flat = 0, long_ = 1, short_ = 2 };
inline constexpr int kSpreadActions = 3;

/// Where episodes start.
enum class SpreadStart : std::int32_t {
  random_window,  ///< a window drawn like the main env's
  split_start,    ///< the split's first range from its first row, every episode (the notebook's rewound data)
};

/// How prices (and the entry price) appear in the observation.
enum class SpreadPrices : std::int32_t {
  absolute,  ///< currency / price_scale (the notebook)
  from_mid,  ///< ticks from the mid of the latest row (0 for the entry price when flat)
};

constexpr auto enum_names(SpreadStart) {
  return enum_table<SpreadStart>({{SpreadStart::random_window, "random_window"}, {SpreadStart::split_start, "split_start"}});
}
constexpr auto enum_names(SpreadPrices) {
  return enum_table<SpreadPrices>({{SpreadPrices::absolute, "absolute"}, {SpreadPrices::from_mid, "from_mid"}});
}

struct SpreadConfig {
  EpisodeSplit split = EpisodeSplit::train;
  std::int64_t episode_length = 1000;  ///< steps; capped to what the start rule leaves
  SpreadStart start = SpreadStart::random_window;
  std::int32_t history = 2;            ///< rows stacked in the observation
  double trading_fee = 0;              ///< currency per buy or sell action
  double time_fee = 0;                 ///< currency per step
  SpreadPrices prices = SpreadPrices::from_mid;
  double price_scale = 1;              ///< absolute prices: currency per observation unit
  double depth_scale = 1;              ///< base units per observation unit
};

/// Throws ConfigError naming the `spread.*` key of a value outside its range.
void validate(const SpreadConfig& config);

/// Device-copyable parameters of the spread-trading step.
struct SpreadParams {
  std::int64_t length = 1;   ///< steps per episode
  std::int32_t history = 2;  ///< rows in the observation
  /// 1: split_start episodes run to the last row of the split's first range
  /// and are terminated there (the data's end, as far as the env sees).
  std::int32_t ends_with_data = 0;
  double trading_fee = 0;    ///< currency per buy or sell action
  double time_fee = 0;       ///< currency per step
  SpreadStart start = SpreadStart::random_window;
  SpreadPrices prices = SpreadPrices::from_mid;
  double price_scale = 1;    ///< absolute prices: currency per observation unit
  double depth_scale = 1;    ///< base units per observation unit
  std::uint64_t seed = 0;    ///< key of the window draws

  /// Floats per observation: history x (bid, ask), history x (bid depth,
  /// ask depth), the entry price and the one-hot position (flat, long, short).
  MMSIM_HD int observation_size() const { return 4 * history + 1 + 3; }
};

/// Per-env state, structure of arrays of N elements.
struct SpreadState {
  std::int64_t* row = nullptr;       ///< the latest book row: the one the next action trades on
  std::int32_t* step = nullptr;      ///< steps taken in the episode
  std::uint64_t* episode = nullptr;  ///< episodes begun before this one
  std::int32_t* position = nullptr;  ///< SpreadPosition
  double* entry_price = nullptr;     ///< currency; 0 when flat
  double* pnl = nullptr;             ///< PnL booked in the episode (currency)
  std::int32_t* trades = nullptr;    ///< buy and sell actions that changed the position
};

struct SpreadOutputs {
  float* obs = nullptr;               ///< [N, observation_size()]
  float* final_obs = nullptr;         ///< [N, observation_size()] where an episode ended: its last observation
  std::uint8_t* action_mask = nullptr;  ///< [N, 3] spread_mask of the current state
  float* reward = nullptr;            ///< [N] currency
  std::uint8_t* terminated = nullptr;  ///< [N] the episode reached the end of its data
  std::uint8_t* truncated = nullptr;   ///< [N] the episode reached its length
  std::uint8_t* traded = nullptr;     ///< [N] the action opened or closed a position
  double* pnl = nullptr;              ///< [N] PnL booked so far in the episode (currency)
  std::int32_t* position = nullptr;   ///< [N] SpreadPosition
  double* episode_pnl = nullptr;      ///< [N] where an episode ended: its booked PnL (currency)
  std::int32_t* episode_length = nullptr;  ///< [N] where an episode ended: its steps
  std::int32_t* episode_trades = nullptr;  ///< [N] where an episode ended: its actions that traded
  std::int64_t* fault = nullptr;      ///< [kFaultRecord] as EnvOutputViews::fault
};

/// Writes env `i`'s observation into `obs` [observation_size()] floats.
MMSIM_HD inline void spread_observe(const SpreadParams& p, const MarketView& m, const SpreadState& s,
                                    std::int64_t i, float* obs) {
  const std::int64_t row = s.row[i];
  const double mid_ticks = 0.5 * (static_cast<double>(m.bid_price(row, 0)) + static_cast<double>(m.ask_price(row, 0)));
  const auto price = [&](Ticks ticks) {
    return p.prices == SpreadPrices::absolute ? static_cast<double>(ticks) * m.tick_size / p.price_scale
                                              : static_cast<double>(ticks) - mid_ticks;
  };
  int k = 0;
  for (std::int64_t r = row - p.history + 1; r <= row; ++r) {
    obs[k++] = static_cast<float>(price(m.bid_price(r, 0)));
    obs[k++] = static_cast<float>(price(m.ask_price(r, 0)));
  }
  for (std::int64_t r = row - p.history + 1; r <= row; ++r) {
    obs[k++] = static_cast<float>(static_cast<double>(m.bid_size(r, 0)) * m.lot_size / p.depth_scale);
    obs[k++] = static_cast<float>(static_cast<double>(m.ask_size(r, 0)) * m.lot_size / p.depth_scale);
  }
  const std::int32_t position = s.position[i];
  double entry_feature = 0;
  if (position != static_cast<std::int32_t>(SpreadPosition::flat)) {
    entry_feature = p.prices == SpreadPrices::absolute ? s.entry_price[i] / p.price_scale
                                                       : s.entry_price[i] / m.tick_size - mid_ticks;
  }
  obs[k++] = static_cast<float>(entry_feature);
  for (int j = 0; j < 3; ++j) obs[k++] = j == position ? 1.0f : 0.0f;
}

/// Whether `action` opens or closes a position from `position` (a buy while
/// long or a sell while short changes nothing).
MMSIM_HD inline bool spread_trades(std::int32_t position, std::int32_t action) {
  if (action == static_cast<std::int32_t>(SpreadAction::buy)) return position != static_cast<std::int32_t>(SpreadPosition::long_);
  if (action == static_cast<std::int32_t>(SpreadAction::sell)) return position != static_cast<std::int32_t>(SpreadPosition::short_);
  return false;
}

/// Writes env `i`'s action mask into `mask` [3]: 1 for hold and for the
/// actions that trade (the notebook's DQN agent acts only on these).
MMSIM_HD inline void spread_mask(const SpreadState& s, std::int64_t i, std::uint8_t* mask) {
  for (int a = 0; a < kSpreadActions; ++a) {
    mask[a] = a == static_cast<int>(SpreadAction::hold) || spread_trades(s.position[i], a) ? 1 : 0;
  }
}

/// Starts env `i`'s next episode: its first action trades on the row that
/// ends its first `history` rows.
MMSIM_HD inline void spread_begin_episode(const SpreadParams& p, const WindowRanges& w, const SpreadState& s,
                                          std::int64_t i) {
  const std::int64_t first = p.start == SpreadStart::split_start
                                 ? w.range_begin[0]
                                 : draw_window_start(p.seed, w, static_cast<std::uint64_t>(i), s.episode[i],
                                                     p.length + p.history - 1);
  s.row[i] = first + p.history - 1;
  s.step[i] = 0;
  s.position[i] = static_cast<std::int32_t>(SpreadPosition::flat);
  s.entry_price[i] = 0;
  s.pnl[i] = 0;
  s.trades[i] = 0;
}

/// Begins env `i`'s first episode and writes its observation and mask.
MMSIM_HD inline void spread_begin(const SpreadParams& p, const MarketView& m, const WindowRanges& w,
                                  const SpreadState& s, const SpreadOutputs& o, std::int64_t i) {
  spread_begin_episode(p, w, s, i);
  spread_observe(p, m, s, i, o.obs + i * p.observation_size());
  spread_mask(s, i, o.action_mask + i * kSpreadActions);
}

/// One step of env `i`: the action trades at the latest row's touch, the
/// fees are charged, the next row arrives; at the episode's end the final
/// observation is kept and the next episode begins.
MMSIM_HD inline void spread_step(const SpreadParams& p, const MarketView& m, const WindowRanges& w,
                                 const SpreadState& s, const SpreadOutputs& o, std::int64_t i, std::int32_t action) {
  if (action < 0 || action >= kSpreadActions) {
    report_fault(o.fault, i, s.step[i], FaultKind::invalid_action);
    action = static_cast<std::int32_t>(SpreadAction::hold);
  }
  const std::int64_t row = s.row[i];
  const double bid = static_cast<double>(m.bid_price(row, 0)) * m.tick_size;
  const double ask = static_cast<double>(m.ask_price(row, 0)) * m.tick_size;
  double reward = -p.time_fee;
  double booked = 0;
  bool traded = false;
  // The notebook charges the fee for every buy or sell, even one that changes nothing.
  if (action != static_cast<std::int32_t>(SpreadAction::hold)) reward -= p.trading_fee;
  if (spread_trades(s.position[i], action)) {
    const bool buys = action == static_cast<std::int32_t>(SpreadAction::buy);
    const double price = buys ? bid : ask;
    traded = true;
    if (s.position[i] == static_cast<std::int32_t>(SpreadPosition::flat)) {
      s.position[i] = static_cast<std::int32_t>(buys ? SpreadPosition::long_ : SpreadPosition::short_);
      s.entry_price[i] = price;
    } else {
      booked = buys ? s.entry_price[i] - price : price - s.entry_price[i];
      s.position[i] = static_cast<std::int32_t>(SpreadPosition::flat);
      s.entry_price[i] = 0;
    }
  }
  reward += booked;
  s.pnl[i] += booked;
  s.trades[i] += traded ? 1 : 0;
  s.row[i] = row + 1;
  const std::int32_t step = s.step[i] + 1;
  s.step[i] = step;
  const bool ended = step >= p.length;
  const bool data_end = ended && p.ends_with_data;
  if (!(reward == reward)) report_fault(o.fault, i, step - 1, FaultKind::nan_reward);
  o.reward[i] = static_cast<float>(reward);
  o.traded[i] = traded ? 1 : 0;
  o.terminated[i] = data_end ? 1 : 0;
  o.truncated[i] = ended && !data_end ? 1 : 0;
  const int size = p.observation_size();
  if (ended) {
    spread_observe(p, m, s, i, o.final_obs + i * size);
    o.episode_pnl[i] = s.pnl[i];
    o.episode_length[i] = step;
    o.episode_trades[i] = s.trades[i];
    s.episode[i] += 1;
    spread_begin_episode(p, w, s, i);
  }
  o.pnl[i] = s.pnl[i];
  o.position[i] = s.position[i];
  spread_observe(p, m, s, i, o.obs + i * size);
  spread_mask(s, i, o.action_mask + i * kSpreadActions);
}

/// N spread-trading envs. The CUDA backend's step() only enqueues work.
class SpreadEnv {
 public:
  virtual ~SpreadEnv() = default;
  virtual Backend backend() const = 0;
  std::int64_t num_envs() const { return num_envs_; }
  const SpreadParams& params() const { return params_; }
  virtual void reset(StreamHandle stream = {}) = 0;
  /// `actions` [N] int32 in {0 hold, 1 buy, 2 sell}, on the env's device.
  virtual void step(const std::int32_t* actions, StreamHandle stream = {}) = 0;
  const SpreadOutputs& outputs() const { return outputs_; }
  virtual std::vector<BufferDesc> describe_outputs() const = 0;
  virtual void check_faults(StreamHandle stream = {}) = 0;

 protected:
  SpreadEnv(std::int64_t num_envs, const SpreadParams& params) : num_envs_(num_envs), params_(params) {}
  std::int64_t num_envs_;
  SpreadParams params_;
  SpreadOutputs outputs_;
};

/// Parameters from the config and the data; throws ConfigError.
SpreadParams make_spread_params(const SpreadConfig& config, const EnvData& data, std::uint64_t seed);

/// The spread-trading env's buffers (docs/mechanics.md, "Spread-trading environment").
const FieldTable<SpreadOutputs, SpreadParams>& spread_output_fields();
const FieldTable<SpreadState, SpreadParams>& spread_state_fields();

/// The CPU backend: `num_envs` envs over the book's best level, their
/// windows drawn with `seed`; reset and ready to step. Throws ConfigError.
std::unique_ptr<SpreadEnv> make_spread_cpu_env(const EnvData& data, const SpreadConfig& config, std::int64_t num_envs,
                                               std::uint64_t seed);

}  // namespace mmsim
