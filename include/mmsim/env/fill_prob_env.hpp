#pragma once
// The notebook's fill-probability environment (seed 002) in the batched
// framework: top-of-book data, a flat/short/long position, three actions, and
// exactly one side of the book hit per step with a probability set by the
// queue imbalance. docs/mechanics.md, "Fill-probability environment".

#include <cstdint>
#include <memory>
#include <vector>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/core/stream.hpp"
#include "mmsim/config/enum_table.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/core/episode.hpp"
#include "mmsim/env/core/faults.hpp"
#include "mmsim/env/layout.hpp"

namespace mmsim {

/// Positions and actions numbered as in the notebook, so tabular agents port.
enum class FillProbPosition : std::int32_t { flat = 0, short_ = 1, long_ = 2 };
enum class FillProbAction : std::int32_t { sell = 0, hold = 1, buy = 2 };
inline constexpr int kFillProbBuckets = 10;
inline constexpr int kFillProbObservation = 3 + kFillProbBuckets;  ///< one-hot position, one-hot bucket

/// Which side the bucket k sets the hit probability of. The notebook's code
/// hits the ask with probability k / 9; its prose says the bid.
enum class FillProbHitRule : std::int32_t {
  ask_with_k,  ///< the ask is hit with probability k / 9 (the notebook's code)
  bid_with_k,  ///< the bid is hit with probability k / 9 (the notebook's prose)
};

/// A buy filled while long (a sell while short).
enum class FillProbSameSide : std::int32_t {
  ignore,   ///< nothing trades
  reprice,  ///< the volume adds to the position, whose entry price becomes the new price; the cost is charged (the notebook)
};

/// The volume a closing trade books PnL on.
enum class FillProbCloseVolume : std::int32_t {
  held,         ///< the volume held
  current_row,  ///< min(cash_deal_limit / price, depth) at the closing row's price (the notebook)
};

/// Where episodes start.
enum class FillProbStart : std::int32_t {
  random_window,  ///< a window drawn like the main env's
  split_start,    ///< the first row of the split's first range, every episode (the notebook's whole-file episodes)
};

/// How an episode ends.
enum class FillProbEpisodeEnd : std::int32_t {
  close,     ///< an open position is closed at the next row's opposite price; terminated
  truncate,  ///< the position is left open and nothing is booked; truncated (the notebook's end of data)
};

constexpr auto enum_names(FillProbHitRule) {
  return enum_table<FillProbHitRule>({{FillProbHitRule::ask_with_k, "ask_with_k"}, {FillProbHitRule::bid_with_k, "bid_with_k"}});
}
constexpr auto enum_names(FillProbSameSide) {
  return enum_table<FillProbSameSide>({{FillProbSameSide::ignore, "ignore"}, {FillProbSameSide::reprice, "reprice"}});
}
constexpr auto enum_names(FillProbCloseVolume) {
  return enum_table<FillProbCloseVolume>(
      {{FillProbCloseVolume::held, "held"}, {FillProbCloseVolume::current_row, "current_row"}});
}
constexpr auto enum_names(FillProbStart) {
  return enum_table<FillProbStart>(
      {{FillProbStart::random_window, "random_window"}, {FillProbStart::split_start, "split_start"}});
}
constexpr auto enum_names(FillProbEpisodeEnd) {
  return enum_table<FillProbEpisodeEnd>(
      {{FillProbEpisodeEnd::close, "close"}, {FillProbEpisodeEnd::truncate, "truncate"}});
}

struct FillProbConfig {
  EpisodeSplit split = EpisodeSplit::train;
  std::int64_t episode_length = 1000;  ///< steps per episode (capped to the rows the start rule leaves - 1)
  double cash_deal_limit = 50000;      ///< currency per trade
  double cost = 0;                     ///< currency subtracted from the reward per trade
  FillProbHitRule hit_rule = FillProbHitRule::ask_with_k;
  FillProbSameSide same_side = FillProbSameSide::ignore;
  FillProbCloseVolume close_volume = FillProbCloseVolume::held;
  FillProbStart start = FillProbStart::random_window;
  FillProbEpisodeEnd episode_end = FillProbEpisodeEnd::close;
};

/// Throws ConfigError naming the `fill_prob.*` key of a value outside its range.
void validate(const FillProbConfig& config);

/// Device-copyable parameters of the fill-probability step.
struct FillProbParams {
  std::int64_t length = 1;
  double cash_deal_limit = 0;
  double cost = 0;
  std::uint64_t seed = 0;
  FillProbHitRule hit_rule = FillProbHitRule::ask_with_k;
  FillProbSameSide same_side = FillProbSameSide::ignore;
  FillProbCloseVolume close_volume = FillProbCloseVolume::held;
  FillProbStart start = FillProbStart::random_window;
  FillProbEpisodeEnd episode_end = FillProbEpisodeEnd::close;
};

/// Per-env state, structure of arrays of N elements.
struct FillProbState {
  std::int64_t* row = nullptr;
  std::int32_t* step = nullptr;
  std::uint64_t* episode = nullptr;
  std::int32_t* position = nullptr;  ///< FillProbPosition
  double* entry_price = nullptr;     ///< currency
  double* volume = nullptr;          ///< base units held (long) or owed (short)
  double* pnl = nullptr;             ///< PnL booked in the episode (currency)
  std::int32_t* trades = nullptr;
};

struct FillProbOutputs {
  float* obs = nullptr;               ///< [N, 13]: one-hot position (flat, short, long), one-hot bucket k
  std::int32_t* state_index = nullptr;  ///< [N] position x 10 + k: the notebook's tabular state
  std::int32_t* final_state_index = nullptr;  ///< [N] where an episode ended: its last state (held before the close)
  float* reward = nullptr;            ///< [N]
  std::uint8_t* terminated = nullptr;  ///< [N] the episode ended by closing the position (episode_end: close)
  std::uint8_t* truncated = nullptr;   ///< [N] the episode ended with the position left open (episode_end: truncate)
  std::uint8_t* ask_hit = nullptr;    ///< [N] 1 when this step's draw hit the ask side, 0 the bid side
  std::uint8_t* traded = nullptr;     ///< [N] 1 when the action traded
  double* pnl = nullptr;              ///< [N] PnL booked so far in the episode
  std::int32_t* position = nullptr;   ///< [N]
  double* episode_pnl = nullptr;      ///< [N] where an episode ended: its booked PnL
  std::int32_t* episode_trades = nullptr;  ///< [N]
  std::int64_t* fault = nullptr;      ///< [kFaultRecord] as EnvOutputViews::fault
};

/// Queue imbalance bucket k = min(floor(10 q), 9), q = bid depth / (bid depth + ask depth).
MMSIM_HD inline int fill_prob_bucket(Lots bid_depth, Lots ask_depth) {
  const double q = static_cast<double>(bid_depth) / static_cast<double>(bid_depth + ask_depth);
  const int k = static_cast<int>(floor(q * kFillProbBuckets));
  return k < kFillProbBuckets - 1 ? k : kFillProbBuckets - 1;
}

/// The notebook's tabular state of a position on `row`: position x 10 + k.
MMSIM_HD inline std::int32_t fill_prob_state_index(const MarketView& m, std::int64_t row, std::int32_t position) {
  return position * kFillProbBuckets + fill_prob_bucket(m.bid_size(row, 0), m.ask_size(row, 0));
}

/// Writes obs and state_index for the env's current row.
MMSIM_HD inline void fill_prob_observe(const MarketView& m, const FillProbState& s, const FillProbOutputs& o,
                                       std::int64_t i) {
  const std::int32_t position = s.position[i];
  const std::int32_t state = fill_prob_state_index(m, s.row[i], position);
  float* obs = o.obs + i * kFillProbObservation;
  for (int j = 0; j < kFillProbObservation; ++j) obs[j] = 0.0f;
  obs[position] = 1.0f;
  obs[3 + state % kFillProbBuckets] = 1.0f;
  o.state_index[i] = state;
}

/// Starts env `i`'s next episode; `stream` keys its random draws (the env id
/// for an env batch, a learner's seed index for tabular learners).
MMSIM_HD inline void fill_prob_begin_episode(const FillProbParams& p, const WindowRanges& w, const FillProbState& s,
                                             std::int64_t i, std::uint64_t stream) {
  s.row[i] = p.start == FillProbStart::split_start ? w.range_begin[0]
                                                   : draw_window_start(p.seed, w, stream, s.episode[i], p.length);
  s.step[i] = 0;
  s.position[i] = static_cast<std::int32_t>(FillProbPosition::flat);
  s.entry_price[i] = 0;
  s.volume[i] = 0;
  s.pnl[i] = 0;
  s.trades[i] = 0;
}

/// Begins env `i`'s first episode (its draws keyed by `i`) and writes its observation.
MMSIM_HD inline void fill_prob_begin(const FillProbParams& p, const MarketView& m, const WindowRanges& w,
                                     const FillProbState& s, const FillProbOutputs& o, std::int64_t i) {
  fill_prob_begin_episode(p, w, s, i, static_cast<std::uint64_t>(i));
  fill_prob_observe(m, s, o, i);
}

/// Base units a trade at `price` (currency) gets from a level of `depth` base units.
MMSIM_HD inline double fill_prob_deal_volume(const FillProbParams& p, double price, double depth) {
  const double volume = p.cash_deal_limit / price;
  return volume < depth ? volume : depth;
}

/// What one step did.
struct FillProbTransition {
  bool ended = false;       ///< the episode ended (and the next one has begun)
  bool terminated = false;  ///< it ended by closing the position (episode_end: close)
  double reward = 0;        ///< currency
};

/// One step of env `i` without its observation (obs and state_index are
/// left as they were): trades, reward, flags and, when the episode ends,
/// final_state_index and the next episode's begun state. `stream` as in
/// fill_prob_begin_episode.
MMSIM_HD inline FillProbTransition fill_prob_transition(const FillProbParams& p, const MarketView& m,
                                                        const WindowRanges& w, const FillProbState& s,
                                                        const FillProbOutputs& o, std::int64_t i,
                                                        std::uint64_t stream, std::int32_t action) {
  if (action < 0 || action > 2) {
    report_fault(o.fault, i, s.step[i], FaultKind::invalid_action);
    action = static_cast<std::int32_t>(FillProbAction::hold);
  }
  const std::int64_t row = s.row[i];
  const double bid = static_cast<double>(m.bid_price(row, 0)) * m.tick_size;
  const double ask = static_cast<double>(m.ask_price(row, 0)) * m.tick_size;
  const double bid_depth = static_cast<double>(m.bid_size(row, 0)) * m.lot_size;
  const double ask_depth = static_cast<double>(m.ask_size(row, 0)) * m.lot_size;
  const int k = fill_prob_bucket(m.bid_size(row, 0), m.ask_size(row, 0));
  // The side k sets the probability of is hit with probability k / 9 (the
  // notebook's code: the bid is hit when k / 9 < U, the ask otherwise).
  const double u = uniform01(p.seed, stream, s.episode[i], static_cast<std::uint32_t>(s.step[i]), RngPurpose::fill);
  const bool k_side_hit = !(static_cast<double>(k) / (kFillProbBuckets - 1) < u);
  const bool ask_hit = p.hit_rule == FillProbHitRule::ask_with_k ? k_side_hit : !k_side_hit;

  double booked = 0;
  bool traded = false;
  const auto position = static_cast<FillProbPosition>(s.position[i]);
  const bool buys = action == static_cast<std::int32_t>(FillProbAction::buy) && !ask_hit;
  const bool sells = action == static_cast<std::int32_t>(FillProbAction::sell) && ask_hit;
  if (buys || sells) {
    const double price = buys ? bid : ask;
    const double volume = fill_prob_deal_volume(p, price, buys ? bid_depth : ask_depth);
    const FillProbPosition opened = buys ? FillProbPosition::long_ : FillProbPosition::short_;
    const FillProbPosition closed = buys ? FillProbPosition::short_ : FillProbPosition::long_;
    if (position == FillProbPosition::flat) {
      s.volume[i] = volume;
      s.entry_price[i] = price;
      s.position[i] = static_cast<std::int32_t>(opened);
      traded = true;
    } else if (position == closed) {
      const double closing = p.close_volume == FillProbCloseVolume::held ? s.volume[i] : volume;
      booked = buys ? closing * (s.entry_price[i] - price) : closing * (price - s.entry_price[i]);
      s.volume[i] = 0;
      s.position[i] = static_cast<std::int32_t>(FillProbPosition::flat);
      traded = true;
    } else if (p.same_side == FillProbSameSide::reprice) {
      s.volume[i] += volume;
      s.entry_price[i] = price;
      traded = true;
    }
  }
  double reward = booked - (traded ? p.cost : 0.0);
  s.trades[i] += traded ? 1 : 0;

  const std::int64_t next = row + 1;
  const std::int32_t step = s.step[i] + 1;
  s.row[i] = next;
  s.step[i] = step;
  const bool ended = step >= p.length;
  const bool closes = ended && p.episode_end == FillProbEpisodeEnd::close;
  if (closes) {
    // An open position is closed at the next row's opposite best price.
    const auto open = static_cast<FillProbPosition>(s.position[i]);
    if (open != FillProbPosition::flat) {
      const bool long_ = open == FillProbPosition::long_;
      const double exit = static_cast<double>(long_ ? m.bid_price(next, 0) : m.ask_price(next, 0)) * m.tick_size;
      const double exit_depth = static_cast<double>(long_ ? m.bid_size(next, 0) : m.ask_size(next, 0)) * m.lot_size;
      const double volume =
          p.close_volume == FillProbCloseVolume::held ? s.volume[i] : fill_prob_deal_volume(p, exit, exit_depth);
      const double closing = long_ ? volume * (exit - s.entry_price[i]) : volume * (s.entry_price[i] - exit);
      booked += closing;
      reward += closing;
    }
  }
  s.pnl[i] += booked;
  if (!(reward == reward)) report_fault(o.fault, i, step - 1, FaultKind::nan_reward);
  o.reward[i] = static_cast<float>(reward);
  o.ask_hit[i] = ask_hit ? 1 : 0;
  o.traded[i] = traded ? 1 : 0;
  o.terminated[i] = closes ? 1 : 0;
  o.truncated[i] = ended && !closes ? 1 : 0;
  if (ended) {
    o.episode_pnl[i] = s.pnl[i];
    o.episode_trades[i] = s.trades[i];
    o.final_state_index[i] = fill_prob_state_index(m, next, s.position[i]);
    s.episode[i] += 1;
    fill_prob_begin_episode(p, w, s, i, stream);
  }
  o.pnl[i] = s.pnl[i];
  o.position[i] = s.position[i];
  return {ended, closes, reward};
}

/// One step of env `i` (its random draws keyed by `i`) with its observation;
/// returns true when its episode ended (already reset).
MMSIM_HD inline bool fill_prob_step(const FillProbParams& p, const MarketView& m, const WindowRanges& w,
                                    const FillProbState& s, const FillProbOutputs& o, std::int64_t i,
                                    std::int32_t action) {
  const bool ended = fill_prob_transition(p, m, w, s, o, i, static_cast<std::uint64_t>(i), action).ended;
  fill_prob_observe(m, s, o, i);
  return ended;
}

/// N fill-probability envs. The CUDA backend's step() only enqueues work.
class FillProbEnv {
 public:
  virtual ~FillProbEnv() = default;
  virtual Backend backend() const = 0;
  std::int64_t num_envs() const { return num_envs_; }
  const FillProbParams& params() const { return params_; }
  virtual void reset(StreamHandle stream = {}) = 0;
  /// `actions` [N] int32 in {0 sell, 1 hold, 2 buy}, on the env's device.
  virtual void step(const std::int32_t* actions, StreamHandle stream = {}) = 0;
  const FillProbOutputs& outputs() const { return outputs_; }
  virtual std::vector<BufferDesc> describe_outputs() const = 0;
  virtual void check_faults(StreamHandle stream = {}) = 0;

 protected:
  FillProbEnv(std::int64_t num_envs, const FillProbParams& params) : num_envs_(num_envs), params_(params) {}
  std::int64_t num_envs_;
  FillProbParams params_;
  FillProbOutputs outputs_;
};

/// Parameters from the config and the data; throws ConfigError.
FillProbParams make_fill_prob_params(const FillProbConfig& config, const EnvData& data, std::uint64_t seed);

/// The fill-probability env's buffers (docs/mechanics.md, "Fill-probability environment").
const FieldTable<FillProbOutputs, FillProbParams>& fill_prob_output_fields();
const FieldTable<FillProbState, FillProbParams>& fill_prob_state_fields();

std::unique_ptr<FillProbEnv> make_fill_prob_cpu_env(const EnvData& data, const FillProbConfig& config,
                                                    std::int64_t num_envs, std::uint64_t seed);

}  // namespace mmsim
