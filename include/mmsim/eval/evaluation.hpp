#pragma once
// The evaluation protocol (seed 000 section 2.7; docs/evaluation.md): W
// random windows of S steps of one split, every policy on the same windows,
// one env per window, final PnL after liquidation and fees. Torch-free: the
// agent enters through the Policy interface.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/env/batch_env.hpp"

namespace mmsim::eval {

/// Chooses actions for a batch of envs.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  /// `obs` [n, obs_size] float32 on the host; writes `actions` [n].
  virtual void act(const float* obs, std::int64_t n, std::int64_t obs_size, std::int64_t step,
                   std::int32_t* actions) = 0;
};

/// Uniformly random actions from the counter-based RNG (the thesis's benchmark).
std::unique_ptr<Policy> random_policy(std::uint64_t seed, int actions);
/// Always the same row of the action table.
std::unique_ptr<Policy> fixed_action_policy(int action, const ActionRow& row);

struct Protocol {
  EpisodeSplit split = EpisodeSplit::test;
  std::int64_t windows = 100;   ///< W
  std::int64_t steps = 10000;   ///< S, shrunk to what fits the split
  std::uint64_t seed = 1;       ///< window draw
};

/// Where the windows are and how much of the split they cover.
struct WindowPlan {
  std::int64_t steps = 0;                 ///< S after shrinking
  std::vector<std::int64_t> starts;       ///< [W] first row of each window
  std::int64_t distinct_rows = 0;         ///< rows covered by at least one window
  std::int64_t split_rows = 0;
};

/// Per-window outcomes of one policy, [W] each.
struct PolicyResult {
  std::string name;
  std::vector<double> pnl;            ///< final PnL after liquidation and fees
  std::vector<double> pnl_mark;       ///< mark-to-mid PnL before liquidation
  std::vector<double> fills;          ///< levels filled
  std::vector<double> volume;         ///< base units traded (both sides)
  std::vector<double> mean_abs_position;  ///< base units, over the window's steps
  std::vector<double> flat_share;     ///< share of steps ending flat
  std::vector<double> mean_reward;
};

/// The env configuration the protocol runs: fixed-length windows of the
/// split, liquidation at the end, no curriculum.
EnvConfig protocol_env_config(const EnvConfig& base, const WindowPlan& plan, const Protocol& protocol);

WindowPlan plan_windows(const EnvData& data, const EnvConfig& base, const Protocol& protocol);

/// Runs `policy` on the plan's windows (CPU backend, one env per window).
PolicyResult run_policy(const EnvData& data, const EnvConfig& base, const Protocol& protocol, const WindowPlan& plan,
                        Policy& policy);

struct Summary {
  double mean = 0, stddev = 0, median = 0, q05 = 0, q95 = 0, worst = 0, mean_over_std = 0;
  double mean_abs_position = 0, flat_share = 0, fills = 0, volume = 0, mean_reward = 0, pnl_mark = 0;
};

Summary summarize(const PolicyResult& result);

/// Mean of a - b over paired windows with a percentile-bootstrap 95% interval.
struct PairedDifference {
  double mean = 0, low = 0, high = 0;
};
PairedDifference paired_difference(const std::vector<double>& a, const std::vector<double>& b, std::uint64_t seed,
                                   int resamples = 2000);

/// Value at quantile q in [0, 1] (linear interpolation between order statistics).
double quantile(std::vector<double> values, double q);

}  // namespace mmsim::eval
