#pragma once
// The evaluation protocol (seed 000 section 2.7; docs/evaluation.md): W
// random windows of S steps of one split, every policy on the same windows,
// one env per window, final PnL after liquidation and fees. Torch-free: the
// agent enters through the Policy interface.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/env/batch_env.hpp"

namespace mmsim::eval {

/// What a policy sees at a step of the windows (host memory).
struct PolicyInput {
  const float* obs = nullptr;       ///< [n, obs_size] float32, the env's observations
  std::int64_t n = 0;               ///< envs (windows)
  std::int64_t obs_size = 0;
  std::int64_t step = 0;            ///< steps taken in the window, 0..steps-1
  std::int64_t steps = 0;           ///< S, the window length
  const std::int64_t* row = nullptr;     ///< [n] book row each env sees (env.latency.obs_delay rows back)
  const double* position = nullptr;      ///< [n] base units
};

/// Where a policy writes its decision: `actions` [n] (rows of the action
/// table) or, for a policy that quotes explicitly, `quotes` [n] (offsets from
/// the mid in ticks, BatchEnv::step_quotes, or in env.offset_unit for a
/// policy that says quotes_in_offset_unit(), BatchEnv::step_offsets; sizes in
/// the env's size unit).
struct Decision {
  std::int32_t* actions = nullptr;
  ActionRow* quotes = nullptr;
};

/// Chooses actions for a batch of envs.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  /// True when decide() writes Decision::quotes, false for Decision::actions.
  virtual bool quotes_explicitly() const { return false; }
  /// True when Decision::quotes' offsets are in env.offset_unit, not ticks.
  virtual bool quotes_in_offset_unit() const { return false; }
  virtual void decide(const PolicyInput& input, const Decision& decision) = 0;
};

/// Uniformly random actions from the counter-based RNG (the thesis's benchmark).
std::unique_ptr<Policy> random_policy(std::uint64_t seed, int actions);
/// Always the same row of the action table.
std::unique_ptr<Policy> fixed_action_policy(int action, const ActionRow& row);

/// The env backend an evaluation runs on. Empty functions mean the CPU
/// backend, whose outputs are read in place. Another backend (e.g.
/// gpu::cuda_eval_backend()) gives its env factory and copies between its
/// memory and the host: policies decide on the host, so the evaluation copies
/// the outputs after every step and the decisions before it (W windows are
/// a small batch; nothing else leaves the device).
struct EvalBackend {
  std::string name = "cpu";
  std::function<std::unique_ptr<BatchEnv>(const EnvData&, const EnvConfig&, std::int64_t envs, std::uint64_t seed)>
      make_env;
  std::function<std::shared_ptr<void>(std::size_t bytes)> allocate;  ///< memory the env reads its inputs from
  std::function<void(void* host, const void* env_memory, std::size_t bytes)> to_host;
  std::function<void(void* env_memory, const void* host, std::size_t bytes)> to_env;
  StreamHandle stream;  ///< the stream the env is made on, steps on and is read on
};

struct Protocol {
  EpisodeSplit split = EpisodeSplit::test;
  std::int64_t windows = 100;   ///< W
  std::int64_t steps = 10000;   ///< S, shrunk to what fits the split
  std::uint64_t seed = 1;       ///< window draw
  EvalBackend backend;          ///< where the windows' envs step
};

/// Where the windows are and how much of the split they cover.
struct WindowPlan {
  std::int64_t steps = 0;                 ///< S after shrinking
  std::vector<std::int64_t> starts;       ///< [W] first row of each window
  std::int64_t distinct_rows = 0;         ///< rows covered by at least one window
  std::int64_t split_rows = 0;
};

/// Horizons of the fill markouts, in steps after the fill's row.
inline constexpr int kMarkoutHorizons[] = {1, 10, 100};
inline constexpr int kMarkoutCount = 3;

/// Per-window outcomes of one policy, [W] each. The final PnL decomposes
/// exactly: pnl = spread_capture + inventory_pnl + liquidation - fees
/// (docs/evaluation.md, "PnL decomposition").
struct PolicyResult {
  std::string name;
  std::vector<double> pnl;            ///< final PnL after liquidation and fees
  std::vector<double> pnl_mark;       ///< mark-to-mid PnL before liquidation
  std::vector<double> fills;          ///< levels filled
  std::vector<double> volume;         ///< base units traded (both sides, without the liquidation)
  std::vector<double> mean_abs_position;  ///< base units, over the window's steps
  std::vector<double> flat_share;     ///< share of steps ending flat
  std::vector<double> mean_reward;
  std::vector<double> spread_capture;  ///< fills against the mid of the row the filling step started at: sum of side x (mid - price) x units
  std::vector<double> inventory_pnl;   ///< position after each step's fills x the mid's move over the step
  std::vector<double> liquidation;     ///< liquidation proceeds minus the position's mark-to-mid value
  std::vector<double> fees;            ///< maker and taker fees paid (rebates negative)
  /// Volume-weighted mean markout per horizon: side x (mid h steps after the
  /// fill's row - fill price), currency per base unit; NaN without fills.
  std::vector<double> markout[kMarkoutCount];
  /// Base units the markout of each horizon averages (fills whose horizon
  /// runs past the end of the data's row range are left out).
  std::vector<double> markout_volume[kMarkoutCount];
};

/// The sample window (window 0) step by step, for plots.
struct Trajectory {
  std::vector<std::int64_t> row;     ///< book row the step started at
  std::vector<double> mid;           ///< currency, at `row`
  std::vector<double> bid_quote, ask_quote;  ///< currency; NaN when that side rested no quote
  std::vector<double> position;      ///< base units after the step (0 after the final liquidation)
  std::vector<double> pnl;           ///< mark-to-mid PnL after the step; the last is the final PnL
  std::vector<double> reward;
  std::vector<std::int32_t> action;  ///< row of the action table; -1 for explicit quotes
  std::vector<double> bid_volume, ask_volume;  ///< base units filled in the step
};

/// The env configuration the protocol runs: fixed-length windows of the
/// split, liquidation at the end, no curriculum.
EnvConfig protocol_env_config(const EnvConfig& base, const WindowPlan& plan, const Protocol& protocol);

WindowPlan plan_windows(const EnvData& data, const EnvConfig& base, const Protocol& protocol);

/// Runs `policy` on the plan's windows (one env per window, on the
/// protocol's backend); records window 0 step by step into `trajectory` when
/// given.
PolicyResult run_policy(const EnvData& data, const EnvConfig& base, const Protocol& protocol, const WindowPlan& plan,
                        Policy& policy, Trajectory* trajectory = nullptr);

struct Summary {
  double mean = 0, stddev = 0, median = 0, q05 = 0, q95 = 0, worst = 0, mean_over_std = 0;
  double mean_abs_position = 0, flat_share = 0, fills = 0, volume = 0, mean_reward = 0, pnl_mark = 0;
  double spread_capture = 0, inventory_pnl = 0, liquidation = 0, fees = 0;  ///< means per window
  double spread_per_unit = 0;  ///< spread capture per base unit traded, pooled over windows (0 without volume)
  double spread_per_fill = 0;  ///< spread capture per fill (level filled), pooled over windows (0 without fills)
  double markout[kMarkoutCount] = {};  ///< volume-weighted over all windows; NaN without fills
};

/// The metrics of docs/evaluation.md ("Metrics per policy") over a policy's windows.
Summary summarize(const PolicyResult& result);

}  // namespace mmsim::eval
