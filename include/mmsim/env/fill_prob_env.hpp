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

struct FillProbConfig {
  EpisodeSplit split = EpisodeSplit::train;
  std::int64_t episode_length = 1000;  ///< steps per episode (capped to the split's longest range - 1)
  double cash_deal_limit = 50000;      ///< currency per trade
  double cost = 0;                     ///< currency subtracted from the reward per trade
};

/// Throws ConfigError naming the `fill_prob.*` key of a value outside its range.
void validate(const FillProbConfig& config);

/// Device-copyable parameters of the fill-probability step.
struct FillProbParams {
  std::int64_t length = 1;
  double cash_deal_limit = 0;
  double cost = 0;
  std::uint64_t seed = 0;
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
  float* reward = nullptr;            ///< [N]
  std::uint8_t* terminated = nullptr;  ///< [N]
  std::uint8_t* truncated = nullptr;   ///< [N] always 0: every window ends by closing the position
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

/// Writes obs and state_index for the env's current row.
MMSIM_HD inline void fill_prob_observe(const MarketView& m, const FillProbState& s, const FillProbOutputs& o,
                                       std::int64_t i) {
  const std::int64_t row = s.row[i];
  const int k = fill_prob_bucket(m.bid_size(row, 0), m.ask_size(row, 0));
  const std::int32_t position = s.position[i];
  float* obs = o.obs + i * kFillProbObservation;
  for (int j = 0; j < kFillProbObservation; ++j) obs[j] = 0.0f;
  obs[position] = 1.0f;
  obs[3 + k] = 1.0f;
  o.state_index[i] = position * kFillProbBuckets + k;
}

MMSIM_HD inline void fill_prob_begin_episode(const FillProbParams& p, const WindowRanges& w, const FillProbState& s,
                                             std::int64_t i) {
  s.row[i] = draw_window_start(p.seed, w, static_cast<std::uint64_t>(i), s.episode[i], p.length);
  s.step[i] = 0;
  s.position[i] = static_cast<std::int32_t>(FillProbPosition::flat);
  s.entry_price[i] = 0;
  s.volume[i] = 0;
  s.pnl[i] = 0;
  s.trades[i] = 0;
}

/// One step of env `i`; returns true when its episode ended (already reset).
MMSIM_HD inline bool fill_prob_step(const FillProbParams& p, const MarketView& m, const WindowRanges& w,
                                    const FillProbState& s, const FillProbOutputs& o, std::int64_t i,
                                    std::int32_t action) {
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
  // The notebook: the bid is hit when k / 9 < U, the ask otherwise.
  const double u = uniform01(p.seed, static_cast<std::uint64_t>(i), s.episode[i], static_cast<std::uint32_t>(s.step[i]),
                             RngPurpose::fill);
  const bool ask_hit = !(static_cast<double>(k) / (kFillProbBuckets - 1) < u);

  double booked = 0;
  bool traded = false;
  const auto position = static_cast<FillProbPosition>(s.position[i]);
  if (action == static_cast<std::int32_t>(FillProbAction::buy) && !ask_hit) {
    if (position == FillProbPosition::flat) {
      const double volume = p.cash_deal_limit / bid;
      s.volume[i] = volume < bid_depth ? volume : bid_depth;
      s.entry_price[i] = bid;
      s.position[i] = static_cast<std::int32_t>(FillProbPosition::long_);
      traded = true;
    } else if (position == FillProbPosition::short_) {
      booked = s.volume[i] * (s.entry_price[i] - bid);
      s.volume[i] = 0;
      s.position[i] = static_cast<std::int32_t>(FillProbPosition::flat);
      traded = true;
    }
  } else if (action == static_cast<std::int32_t>(FillProbAction::sell) && ask_hit) {
    if (position == FillProbPosition::flat) {
      const double volume = p.cash_deal_limit / ask;
      s.volume[i] = volume < ask_depth ? volume : ask_depth;
      s.entry_price[i] = ask;
      s.position[i] = static_cast<std::int32_t>(FillProbPosition::short_);
      traded = true;
    } else if (position == FillProbPosition::long_) {
      booked = s.volume[i] * (ask - s.entry_price[i]);
      s.volume[i] = 0;
      s.position[i] = static_cast<std::int32_t>(FillProbPosition::flat);
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
  if (ended) {
    // An open position is closed at the next row's opposite best price.
    const auto open = static_cast<FillProbPosition>(s.position[i]);
    if (open != FillProbPosition::flat) {
      const double exit = static_cast<double>(open == FillProbPosition::long_ ? m.bid_price(next, 0)
                                                                              : m.ask_price(next, 0)) *
                          m.tick_size;
      const double closing = open == FillProbPosition::long_ ? s.volume[i] * (exit - s.entry_price[i])
                                                             : s.volume[i] * (s.entry_price[i] - exit);
      booked += closing;
      reward += closing;
    }
  }
  s.pnl[i] += booked;
  if (!(reward == reward)) report_fault(o.fault, i, step - 1, FaultKind::nan_reward);
  o.reward[i] = static_cast<float>(reward);
  o.ask_hit[i] = ask_hit ? 1 : 0;
  o.traded[i] = traded ? 1 : 0;
  o.truncated[i] = 0;
  o.terminated[i] = ended ? 1 : 0;
  if (ended) {
    o.episode_pnl[i] = s.pnl[i];
    o.episode_trades[i] = s.trades[i];
    s.episode[i] += 1;
    fill_prob_begin_episode(p, w, s, i);
  }
  o.pnl[i] = s.pnl[i];
  o.position[i] = s.position[i];
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
