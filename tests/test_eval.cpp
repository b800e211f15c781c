// The evaluation protocol: metrics on hand-made trajectories, the window
// plan, the paired bootstrap, reproducible reports.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "mmsim/data/load.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/eval/report.hpp"
#include "test_util.hpp"

namespace mmsim::test {
namespace {

eval::PolicyResult hand_made(const std::string& name, std::vector<double> pnl) {
  eval::PolicyResult r;
  r.name = name;
  const std::size_t n = pnl.size();
  r.pnl = std::move(pnl);
  r.pnl_mark.assign(n, 1.0);
  r.fills.assign(n, 2.0);
  r.volume.assign(n, 3.0);
  r.mean_abs_position.assign(n, 0.5);
  r.flat_share.assign(n, 0.25);
  r.mean_reward.assign(n, -0.1);
  return r;
}

TEST(EvalMetrics, SummaryOfAHandMadeTrajectory) {
  // PnL 1..5: mean 3, population std sqrt(2), median 3, worst 1.
  // 5% quantile: 0.05 x 4 = 0.2 -> 1 + 0.2 x (2 - 1) = 1.2; 95%: 3.8 -> 4 + 0.8 = 4.8.
  const eval::Summary s = eval::summarize(hand_made("p", {5, 1, 4, 2, 3}));
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  EXPECT_DOUBLE_EQ(s.q05, 1.2);
  EXPECT_DOUBLE_EQ(s.q95, 4.8);
  EXPECT_DOUBLE_EQ(s.worst, 1.0);
  EXPECT_DOUBLE_EQ(s.mean_over_std, 3.0 / std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(s.fills, 2.0);
  EXPECT_DOUBLE_EQ(s.flat_share, 0.25);
  EXPECT_DOUBLE_EQ(s.mean_reward, -0.1);
}

TEST(EvalMetrics, PairedBootstrapOfAConstantDifferenceIsExact) {
  // a - b = 2 in every window: every resample's mean is 2.
  const eval::PairedDifference d = eval::paired_difference({3, 5, 7, 9}, {1, 3, 5, 7}, 1);
  EXPECT_DOUBLE_EQ(d.mean, 2.0);
  EXPECT_DOUBLE_EQ(d.low, 2.0);
  EXPECT_DOUBLE_EQ(d.high, 2.0);
}

TEST(EvalMetrics, PairedBootstrapIntervalBracketsTheMeanAndIsReproducible) {
  std::vector<double> a, b;
  for (int k = 0; k < 60; ++k) {
    a.push_back(std::sin(k) * 10 + 1);
    b.push_back(std::cos(k) * 10);
  }
  const eval::PairedDifference d = eval::paired_difference(a, b, 7);
  EXPECT_LT(d.low, d.mean);
  EXPECT_GT(d.high, d.mean);
  const eval::PairedDifference again = eval::paired_difference(a, b, 7);
  EXPECT_EQ(d.low, again.low);
  EXPECT_EQ(d.high, again.high);
}

struct Sample {
  const GoogSample& goog = goog_sample();
  const Splits& splits = goog.splits;
  EnvConfig env;
  EnvData data() const { return goog.data(); }
};

const Sample& sample() {
  static const Sample s = [] {
    Sample out;
    out.env.offset_unit = OffsetUnit::half_spread;
    out.env.actions = {{0.5, 0.5, 100, 100}, {2, 2, 100, 100}};
    out.env.observation.stack = 2;
    return out;
  }();
  return s;
}

TEST(EvalProtocol, WindowsFitTheSplitAndShrinkWhenItIsShort) {
  const Sample& s = sample();
  eval::Protocol protocol;
  protocol.windows = 10;
  protocol.steps = 100000;  // longer than the test split (3,573 rows)
  const eval::WindowPlan plan = eval::plan_windows(s.data(), s.env, protocol);
  EXPECT_EQ(plan.steps, s.splits.test.longest_range() - 1);
  ASSERT_EQ(plan.starts.size(), 10u);
  for (std::int64_t start : plan.starts) {
    EXPECT_TRUE(s.splits.test.contains(start));
    EXPECT_TRUE(s.splits.test.contains(start + plan.steps));
  }
  // Ten copies of the one window that fits cover only the split's rows once.
  EXPECT_EQ(plan.distinct_rows, plan.steps + 1);
}

TEST(EvalProtocol, EveryPolicySeesTheSameWindowsAndTheSameSeedGivesTheSameReport) {
  const Sample& s = sample();
  eval::Protocol protocol;
  protocol.windows = 8;
  protocol.steps = 200;
  const eval::WindowPlan plan = eval::plan_windows(s.data(), s.env, protocol);
  auto run_all = [&]() {
    std::vector<eval::PolicyResult> results;
    auto random = eval::random_policy(3, 2);
    auto wide = eval::fixed_action_policy(1, s.env.actions[1]);
    results.push_back(eval::run_policy(s.data(), s.env, protocol, plan, *random));
    results.push_back(eval::run_policy(s.data(), s.env, protocol, plan, *wide));
    return results;
  };
  const auto first = run_all();
  const auto second = run_all();
  EXPECT_EQ(first[0].pnl, second[0].pnl);
  EXPECT_EQ(first[1].pnl, second[1].pnl);
  for (const auto& r : first) {
    EXPECT_EQ(r.pnl.size(), 8u);
    for (std::size_t k = 0; k < r.pnl.size(); ++k) {
      EXPECT_TRUE(std::isfinite(r.pnl[k]));
      EXPECT_GE(r.flat_share[k], 0.0);
      EXPECT_LE(r.flat_share[k], 1.0);
    }
  }

  TempDir dir;
  eval::ReportContext context;
  context.split = "test";
  context.data = "GOOG";
  context.seed = 1;
  context.agent = first[0].name;
  context.protocol = protocol;
  context.plan = plan;
  eval::write_report(dir.path(), context, first);
  std::ifstream in(dir.path() / "report.json");
  const nlohmann::json json = nlohmann::json::parse(in);
  ASSERT_EQ(json["policies"].size(), 2u);
  EXPECT_EQ(json["policies"][0]["name"], "random");
  EXPECT_EQ(json["policies"][1]["name"], first[1].name);
  EXPECT_TRUE(json["policies"][1].contains("agent_minus_policy"));
  EXPECT_EQ(json["steps"], 200);
  EXPECT_EQ(json["window_starts"].size(), 8u);
  EXPECT_DOUBLE_EQ(json["policies"][0]["summary"]["mean"].get<double>(), eval::summarize(first[0]).mean);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "report.md"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "windows.csv"));
}

}  // namespace
}  // namespace mmsim::test
