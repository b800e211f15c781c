#include "mmsim/eval/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/env/step_core.hpp"

namespace mmsim::eval {
namespace {

class RandomPolicy final : public Policy {
 public:
  RandomPolicy(std::uint64_t seed, int actions) : seed_(seed), actions_(actions) {}
  std::string name() const override { return "random"; }
  void act(const float*, std::int64_t n, std::int64_t, std::int64_t step, std::int32_t* actions) override {
    for (std::int64_t i = 0; i < n; ++i) {
      actions[i] = static_cast<std::int32_t>(uniform_index(seed_, static_cast<std::uint64_t>(i), 1,
                                                           static_cast<std::uint32_t>(step), RngPurpose::evaluation,
                                                           static_cast<std::uint64_t>(actions_)));
    }
  }

 private:
  std::uint64_t seed_;
  int actions_;
};

class FixedActionPolicy final : public Policy {
 public:
  FixedActionPolicy(int action, const ActionRow& row) : action_(action) {
    char label[96];
    std::snprintf(label, sizeof label, "always %d (%g/%g)", action, row.bid_offset, row.ask_offset);
    name_ = label;
  }
  std::string name() const override { return name_; }
  void act(const float*, std::int64_t n, std::int64_t, std::int64_t, std::int32_t* actions) override {
    std::fill(actions, actions + n, action_);
  }

 private:
  int action_;
  std::string name_;
};

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

std::unique_ptr<Policy> random_policy(std::uint64_t seed, int actions) {
  return std::make_unique<RandomPolicy>(seed, actions);
}

std::unique_ptr<Policy> fixed_action_policy(int action, const ActionRow& row) {
  return std::make_unique<FixedActionPolicy>(action, row);
}

EnvConfig protocol_env_config(const EnvConfig& base, const WindowPlan& plan, const Protocol& protocol) {
  EnvConfig c = base;
  c.split = protocol.split;
  c.episode_length = plan.steps;
  c.curriculum.enabled = false;
  c.liquidate_at_end = true;
  return c;
}

WindowPlan plan_windows(const EnvData& data, const EnvConfig& base, const Protocol& protocol) {
  if (protocol.windows < 1) throw ConfigError("--windows", "must be >= 1");
  if (protocol.steps < 1) throw ConfigError("--steps", "must be >= 1");
  WindowPlan plan;
  EnvConfig c = base;
  c.split = protocol.split;
  c.episode_length = protocol.steps;
  c.curriculum.enabled = false;
  const StepParams p = make_step_params(c, data, protocol.seed);
  plan.steps = std::min(protocol.steps, p.cap);
  const Split& split = episode_split(c, *data.splits);
  plan.split_rows = split.rows();
  std::vector<std::int64_t> begin, end;
  for (const RowRange& r : split.ranges) {
    begin.push_back(r.begin);
    end.push_back(r.end);
  }
  const WindowRanges w{begin.data(), end.data(), static_cast<int>(begin.size()), split.longest_range()};
  std::vector<char> covered(data.book->time_ns.size(), 0);
  for (std::int64_t i = 0; i < protocol.windows; ++i) {
    // The env's own first draw: the windows below are exactly the ones it plays.
    const std::int64_t start = draw_window_start(p.seed, w, static_cast<std::uint64_t>(i), 0, plan.steps);
    plan.starts.push_back(start);
    std::fill(covered.begin() + start, covered.begin() + start + plan.steps + 1, 1);
  }
  plan.distinct_rows = std::count(covered.begin(), covered.end(), 1);
  return plan;
}

PolicyResult run_policy(const EnvData& data, const EnvConfig& base, const Protocol& protocol, const WindowPlan& plan,
                        Policy& policy) {
  const EnvConfig config = protocol_env_config(base, plan, protocol);
  const std::int64_t n = protocol.windows;
  auto env = make_cpu_env(data, config, n, protocol.seed);
  const EnvOutputViews& out = env->outputs();
  PolicyResult r;
  r.name = policy.name();
  for (auto* v : {&r.pnl, &r.pnl_mark, &r.fills, &r.volume, &r.mean_abs_position, &r.flat_share, &r.mean_reward}) {
    v->assign(static_cast<std::size_t>(n), 0.0);
  }
  std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
  for (std::int64_t step = 0; step < plan.steps; ++step) {
    policy.act(out.obs, n, env->observation_size(), step, actions.data());
    env->step(actions.data());
    const bool last = step + 1 == plan.steps;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      r.volume[k] += out.bid_volume[i] + out.ask_volume[i];
      r.fills[k] += out.bid_fills[i] + out.ask_fills[i];
      r.mean_reward[k] += out.reward[i];
      // At the last step the account was reset: its end position is 0 after liquidation.
      const double position = last ? 0.0 : out.position[i];
      r.mean_abs_position[k] += std::fabs(position);
      r.flat_share[k] += std::fabs(position) <= kFlatPosition ? 1.0 : 0.0;
      if (last) {
        MMSIM_ASSERT(out.terminated[i] == 1, "every window ends at the same step");
        r.pnl[k] = out.episode_pnl[i];
        r.pnl_mark[k] = out.episode_pnl_mark[i];
      }
    }
  }
  env->check_faults();
  const double steps = static_cast<double>(plan.steps);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    r.mean_abs_position[k] /= steps;
    r.flat_share[k] /= steps;
    r.mean_reward[k] /= steps;
  }
  return r;
}

double quantile(std::vector<double> values, double q) {
  MMSIM_ASSERT(!values.empty(), "quantile of nothing");
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (at - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Summary summarize(const PolicyResult& r) {
  Summary s;
  s.mean = mean_of(r.pnl);
  double squares = 0;
  for (double v : r.pnl) squares += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(squares / static_cast<double>(r.pnl.size()));
  s.median = quantile(r.pnl, 0.5);
  s.q05 = quantile(r.pnl, 0.05);
  s.q95 = quantile(r.pnl, 0.95);
  s.worst = *std::min_element(r.pnl.begin(), r.pnl.end());
  s.mean_over_std = s.stddev > 0 ? s.mean / s.stddev : 0.0;
  s.mean_abs_position = mean_of(r.mean_abs_position);
  s.flat_share = mean_of(r.flat_share);
  s.fills = mean_of(r.fills);
  s.volume = mean_of(r.volume);
  s.mean_reward = mean_of(r.mean_reward);
  s.pnl_mark = mean_of(r.pnl_mark);
  return s;
}

PairedDifference paired_difference(const std::vector<double>& a, const std::vector<double>& b, std::uint64_t seed,
                                   int resamples) {
  MMSIM_ASSERT(a.size() == b.size() && !a.empty(), "paired samples of equal, non-zero size");
  const std::size_t n = a.size();
  std::vector<double> d(n);
  for (std::size_t k = 0; k < n; ++k) d[k] = a[k] - b[k];
  PairedDifference out;
  out.mean = mean_of(d);
  std::vector<double> means(static_cast<std::size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
      sum += d[uniform_index(seed, k, static_cast<std::uint64_t>(r), 0, RngPurpose::evaluation, n)];
    }
    means[static_cast<std::size_t>(r)] = sum / static_cast<double>(n);
  }
  out.low = quantile(means, 0.025);
  out.high = quantile(means, 0.975);
  return out;
}

}  // namespace mmsim::eval
