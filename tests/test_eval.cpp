// The evaluation protocol: metrics on hand-made trajectories, the window
// plan, the paired bootstrap, reproducible reports.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/statistics.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/eval/avellaneda_stoikov.hpp"
#include "mmsim/eval/baselines.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/eval/report.hpp"
#include "mmsim/eval/suite.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

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

TEST(Statistics, MeanStdQuantilesOrderStatisticsAndExtremesOfHandComputedSamples) {
  // 2, 4, 4, 4, 5, 5, 7, 9: sum 40, mean 5; squared deviations 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32,
  // population std sqrt(32 / 8) = 2.
  const std::vector<double> values = {9, 4, 2, 5, 4, 7, 4, 5};
  EXPECT_EQ(stats::sum(values), 40.0);
  EXPECT_EQ(stats::mean(values), 5.0);
  EXPECT_EQ(stats::population_stddev(values), 2.0);
  EXPECT_EQ(stats::population_stddev(std::vector<double>{3.5}), 0.0);
  EXPECT_EQ(stats::mean(std::vector<double>{}), 0.0);
  // Integers are summed as doubles: 3 + 4 + 8 = 15, mean 5.
  EXPECT_EQ(stats::mean(std::vector<std::int64_t>{3, 4, 8}), 5.0);
  // Sorted 10, 20, 40: q 0.75 sits at 1.5 -> 20 + 0.5 x (40 - 20) = 30; q 0.1 at 0.2 -> 12.
  const std::vector<double> three = {40, 10, 20};
  EXPECT_EQ(stats::quantile(three, 0.0), 10.0);
  EXPECT_EQ(stats::quantile(three, 0.75), 30.0);
  EXPECT_DOUBLE_EQ(stats::quantile(three, 0.1), 12.0);
  EXPECT_EQ(stats::quantile(three, 1.0), 40.0);
  // Sorted 1, 3, 5, 7: the lower order statistic at q takes index floor(3q) without
  // interpolating: q 0.5 -> index 1 (3, where quantile gives 4), q 0.95 -> 2 (5), q 1 -> 3 (7).
  const std::vector<std::int64_t> ticks = {7, 1, 5, 3};
  EXPECT_EQ(stats::lower_order_statistic(ticks, 0.5), 3);
  EXPECT_EQ(stats::quantile({7, 1, 5, 3}, 0.5), 4.0);
  EXPECT_EQ(stats::lower_order_statistic(ticks, 0.95), 5);
  EXPECT_EQ(stats::lower_order_statistic(ticks, 1.0), 7);
  EXPECT_EQ(stats::minimum(ticks), 1);
  EXPECT_EQ(stats::maximum(ticks), 7);
  EXPECT_EQ(stats::minimum(values), 2.0);
  EXPECT_EQ(stats::maximum(values), 9.0);
}

TEST(Statistics, StudentTIntervalsAcrossRuns) {
  // Tabulated quantiles, and the expansion above 30 against published values (31: 2.039513, 60: 2.000298,
  // 120: 1.979930).
  EXPECT_NEAR(stats::student_t_975(1), 12.7062, 1e-4);
  EXPECT_NEAR(stats::student_t_975(4), 2.77645, 1e-5);
  EXPECT_NEAR(stats::student_t_975(30), 2.04227, 1e-5);
  EXPECT_NEAR(stats::student_t_975(31), 2.039513, 1e-5);
  EXPECT_NEAR(stats::student_t_975(60), 2.000298, 1e-5);
  EXPECT_NEAR(stats::student_t_975(120), 1.979930, 1e-5);
  // 1, 2, 3, 4, 5: mean 3, sample std sqrt(10 / 4) = 1.5811, half-width 2.77645 x 1.5811 / sqrt(5) = 1.96324.
  const stats::MeanInterval i = stats::t_interval({1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(i.mean, 3.0);
  EXPECT_NEAR(i.low, 3 - 1.96324, 1e-5);
  EXPECT_NEAR(i.high, 3 + 1.96324, 1e-5);
  const stats::MeanInterval same = stats::t_interval({2.5, 2.5});
  EXPECT_EQ(same.low, 2.5);
  EXPECT_EQ(same.high, 2.5);
}

TEST(EvalMetrics, PairedBootstrapOfAConstantDifferenceIsExact) {
  // a - b = 2 in every window: every resample's mean is 2.
  const stats::PairedDifference d = stats::paired_difference({3, 5, 7, 9}, {1, 3, 5, 7}, 1);
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
  const stats::PairedDifference d = stats::paired_difference(a, b, 7);
  EXPECT_LT(d.low, d.mean);
  EXPECT_GT(d.high, d.mean);
  const stats::PairedDifference again = stats::paired_difference(a, b, 7);
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


// ---------------------------------------------------------------------------
// PnL decomposition, markouts and the trajectory on hand-made books
// ---------------------------------------------------------------------------

using Market = HandMarket;

/// A book of `rows` (tick 0.01, lot 1) whose test and training splits are
/// `test`: a test split of exactly S + 1 rows forces every window to start at
/// its first row. `sessions`: the book's session_begin without the final T
/// (default one session).
Market make_market(const std::vector<BookRow>& rows, RowRange test, std::vector<std::int64_t> sessions = {0}) {
  Market m = hand_market(rows, 0.01, 1.0, std::move(sessions),
                         [](std::int64_t t, int column) { return column == 0 ? static_cast<float>(t) : 0.0f; });
  m.splits.test.ranges = {test};
  m.splits.train.ranges = {test};
  return m;
}

/// Quotes explicitly from a script: quote(env, step); records what it was shown.
class ScriptedQuotes final : public eval::Policy {
 public:
  explicit ScriptedQuotes(std::function<ActionRow(std::int64_t, std::int64_t)> quote) : quote_(std::move(quote)) {}
  std::string name() const override { return "scripted"; }
  bool quotes_explicitly() const override { return true; }
  void decide(const eval::PolicyInput& input, const eval::Decision& decision) override {
    rows.push_back(input.row[0]);
    positions.push_back(input.position[0]);
    for (std::int64_t i = 0; i < input.n; ++i) decision.quotes[i] = quote_(i, input.step);
  }
  std::vector<std::int64_t> rows;     ///< env 0's row at each decision
  std::vector<double> positions;      ///< env 0's position at each decision

 private:
  std::function<ActionRow(std::int64_t, std::int64_t)> quote_;
};

// Depth 2, tick 0.01, lot 1; a test split {0, 5}: 4-step windows from row 0.
const std::vector<BookRow> kDecompositionRows = {
    {{{100, 5}}, {{102, 5}}},                       // 0: mid 101 ticks = 1.01
    {{{98, 5}}, {{100, 1}, {101, 5}}},              // 1: mid 99 = 0.99
    {{{100, 3}, {99, 5}}, {{101, 5}}},              // 2: mid 100.5 = 1.005
    {{{97, 5}}, {{99, 2}, {100, 5}}},               // 3: mid 98 = 0.98
    {{{96, 1}, {95, 5}}, {{98, 5}}},                // 4: mid 97 = 0.97
};

/// Maker fee 10 bps (0.001 of notional), taker fee 20 bps (0.002).
EnvConfig decomposition_config(std::vector<ActionRow> actions) {
  EnvConfig c;
  c.actions = std::move(actions);
  c.maker_fee_bps = 10;
  c.taker_fee_bps = 20;
  c.reward.eta = 0.0;
  c.observation.stack = 1;
  return c;
}

eval::Protocol protocol_of(std::int64_t windows, std::int64_t steps) {
  eval::Protocol p;
  p.split = EpisodeSplit::test;
  p.windows = windows;
  p.steps = steps;
  return p;
}

void expect_identity(const eval::PolicyResult& r, std::size_t k, double tolerance) {
  EXPECT_NEAR(r.pnl[k], r.spread_capture[k] + r.inventory_pnl[k] + r.liquidation[k] - r.fees[k], tolerance)
      << r.name << ", window " << k;
}

TEST(EvalDecomposition, FixedActionOnAHandMadeBook) {
  const Market m = make_market(kDecompositionRows, {0, 5});
  // Always bid 2 and ask 2 one tick from the mid (ticks).
  const EnvConfig c = decomposition_config({{1, 1, 2, 2}});
  const eval::Protocol protocol = protocol_of(2, 4);
  const eval::WindowPlan plan = eval::plan_windows(m.data(), c, protocol);
  ASSERT_EQ(plan.steps, 4);
  ASSERT_EQ(plan.starts, (std::vector<std::int64_t>{0, 0}));
  auto policy = eval::fixed_action_policy(0, c.actions[0]);
  const eval::PolicyResult r = eval::run_policy(m.data(), c, protocol, plan, *policy);
  // step 1, row 0 (mid 1.01): bid floor(100) = 100, ask ceil(102) = 102. Row 1: the bid buys 1
  //         from 100x1 (101 > 100 stops) at 1.00; 98 < 102: no sell.
  //         spread 1 x (1.01 - 1.00) = 0.01; held 1: inventory 1 x (0.99 - 1.01) = -0.02
  // step 2, row 1 (mid 0.99): bid 98, ask 100. Row 2: the ask sells 2 to 100x3 at 1.00.
  //         spread 2 x (1.00 - 0.99) = 0.02; held 1 - 2 = -1: inventory -1 x (1.005 - 0.99) = -0.015
  // step 3, row 2 (mid 1.005): bid floor(99.5) = 99, ask ceil(101.5) = 102. Row 3: the bid buys
  //         2 from 99x2 at 0.99. spread 2 x (1.005 - 0.99) = 0.03; held 1:
  //         inventory 1 x (0.98 - 1.005) = -0.025
  // step 4, row 3 (mid 0.98): bid 97, ask 99; row 4 (asks 98, bids 96): no fill.
  //         inventory 1 x (0.97 - 0.98) = -0.01
  // Liquidation at row 4: sell 1 to 96x1 at 0.96; liquidation 0.96 - 1 x 0.97 = -0.01.
  // Fees: maker 0.001 x (1.00 + 2.00 + 1.98) = 0.00498, taker 0.002 x 0.96 = 0.00192: 0.0069.
  // Cash: -1.00 + 2.00 - 1.98 + 0.96 - 0.0069 = -0.0269 = 0.06 - 0.07 - 0.01 - 0.0069.
  // Mark before liquidation: -0.98 + 1 x 0.97 - 0.00498 = -0.01498.
  for (std::size_t k = 0; k < 2; ++k) {
    SCOPED_TRACE("window " + std::to_string(k));
    EXPECT_NEAR(r.spread_capture[k], 0.06, kDoubleRounding);
    EXPECT_NEAR(r.inventory_pnl[k], -0.07, kDoubleRounding);
    EXPECT_NEAR(r.liquidation[k], -0.01, kDoubleRounding);
    EXPECT_NEAR(r.fees[k], 0.0069, kDoubleRounding);
    EXPECT_NEAR(r.pnl[k], -0.0269, kDoubleRounding);
    EXPECT_NEAR(r.pnl_mark[k], -0.01498, kDoubleRounding);
    expect_identity(r, k, kDoubleRounding);
    EXPECT_DOUBLE_EQ(r.volume[k], 5.0);  // 1 + 2 + 2
    EXPECT_DOUBLE_EQ(r.fills[k], 3.0);
    EXPECT_DOUBLE_EQ(r.mean_abs_position[k], 0.75);  // |1|, |-1|, |1|, 0 over 4 steps
    EXPECT_DOUBLE_EQ(r.flat_share[k], 0.25);
  }
}

TEST(EvalDecomposition, ExplicitQuotesOnAHandMadeBook) {
  const Market m = make_market(kDecompositionRows, {0, 5});
  const EnvConfig c = decomposition_config({{0, 0, 1, 1}});  // the table is not used
  const eval::Protocol protocol = protocol_of(2, 4);
  const eval::WindowPlan plan = eval::plan_windows(m.data(), c, protocol);
  // Offsets in ticks from the mid, sizes in lots.
  const std::vector<ActionRow> script = {{-1, 5, 2, 2}, {3, 0.3, 0, 3}, {1.2, 0, 4, 0}, {0, 0, 0, 0}};
  ScriptedQuotes policy([&](std::int64_t, std::int64_t step) { return script[static_cast<std::size_t>(step)]; });
  eval::Trajectory t;
  const eval::PolicyResult r = eval::run_policy(m.data(), c, protocol, plan, policy, &t);
  // step 1, row 0 (mid 101 ticks, 1.01): bid floor(101 + 1) = 102 through the mid, ask ceil(106) = 106.
  //         Row 1: the bid buys 1 from 100x1 and 1 from 101x5, both at 1.02 (2 levels); no sell.
  //         spread 2 x (1.01 - 1.02) = -0.02; held 2: inventory 2 x (0.99 - 1.01) = -0.04
  // step 2, row 1 (mid 99): no bid (size 0); ask ceil(99.3) = 100 sells 3 to row 2's 100x3 at 1.00.
  //         spread 3 x (1.00 - 0.99) = 0.03; held -1: inventory -1 x (1.005 - 0.99) = -0.015
  // step 3, row 2 (mid 100.5): bid floor(99.3) = 99 buys 2 from row 3's 99x2 at 0.99; no ask.
  //         spread 2 x (1.005 - 0.99) = 0.03; held 1: inventory 1 x (0.98 - 1.005) = -0.025
  // step 4, row 3: no quote; inventory 1 x (0.97 - 0.98) = -0.01.
  // Liquidation: sell 1 at 0.96: -0.01. Fees: maker 0.001 x (2.04 + 3.00 + 1.98) = 0.00702,
  // taker 0.00192: 0.00894. PnL -2.04 + 3.00 - 1.98 + 0.96 - 0.00894 = -0.06894
  //   = 0.04 - 0.09 - 0.01 - 0.00894.
  for (std::size_t k = 0; k < 2; ++k) {
    SCOPED_TRACE("window " + std::to_string(k));
    EXPECT_NEAR(r.spread_capture[k], 0.04, kDoubleRounding);
    EXPECT_NEAR(r.inventory_pnl[k], -0.09, kDoubleRounding);
    EXPECT_NEAR(r.liquidation[k], -0.01, kDoubleRounding);
    EXPECT_NEAR(r.fees[k], 0.00894, kDoubleRounding);
    EXPECT_NEAR(r.pnl[k], -0.06894, kDoubleRounding);
    EXPECT_NEAR(r.pnl_mark[k], -0.05702, kDoubleRounding);  // -1.02 + 1 x 0.97 - 0.00702
    expect_identity(r, k, kDoubleRounding);
    EXPECT_DOUBLE_EQ(r.volume[k], 7.0);
    EXPECT_DOUBLE_EQ(r.fills[k], 4.0);
    EXPECT_DOUBLE_EQ(r.mean_abs_position[k], 1.0);  // 2, 1, 1, 0
    // +1 markouts: fill row 1 buys 2 at 1.02 vs mid(2) 1.005: -0.03; fill row 2 sells 3 at
    // 1.00 vs mid(3) 0.98: +0.06; fill row 3 buys 2 at 0.99 vs mid(4) 0.97: -0.04.
    // -0.01 over 7 units. +10 and +100 run past the 5 rows: left out.
    EXPECT_NEAR(r.markout[0][k], -0.01 / 7, kDoubleRounding);
    EXPECT_DOUBLE_EQ(r.markout_volume[0][k], 7.0);
    EXPECT_DOUBLE_EQ(r.markout_volume[1][k], 0.0);
    EXPECT_TRUE(std::isnan(r.markout[1][k]));
    EXPECT_DOUBLE_EQ(r.markout_volume[2][k], 0.0);
    EXPECT_TRUE(std::isnan(r.markout[2][k]));
  }
  // The policy saw consecutive rows and the position before each step.
  EXPECT_EQ(policy.rows, (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(policy.positions, (std::vector<double>{0, 2, -1, 1}));
  // Trajectory of window 0.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ASSERT_EQ(t.row.size(), 4u);
  EXPECT_EQ(t.row, (std::vector<std::int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(t.action, (std::vector<std::int32_t>{-1, -1, -1, -1}));
  const double mid[] = {1.01, 0.99, 1.005, 0.98};
  const double bid[] = {1.02, nan, 0.99, nan};
  const double ask[] = {1.06, 1.00, nan, nan};
  const double position[] = {2, -1, 1, 0};
  // Mark-to-mid PnL after each step, maker fees included:
  //   -2.04 - 0.00204 + 2 x 0.99 = -0.06204; cash 0.95496 (+3.00 - 0.003), -1 x 1.005: -0.05004;
  //   cash -1.02702 (-1.98 - 0.00198) + 1 x 0.98 = -0.04702; then the final PnL -0.06894.
  const double pnl[] = {-0.06204, -0.05004, -0.04702, -0.06894};
  const double bought[] = {2, 0, 2, 0};
  const double sold[] = {0, 3, 0, 0};
  for (std::size_t k = 0; k < 4; ++k) {
    SCOPED_TRACE("step " + std::to_string(k));
    EXPECT_NEAR(t.mid[k], mid[k], kDoubleRounding);
    if (std::isnan(bid[k])) EXPECT_TRUE(std::isnan(t.bid_quote[k])) << t.bid_quote[k];
    else EXPECT_NEAR(t.bid_quote[k], bid[k], kDoubleRounding);
    if (std::isnan(ask[k])) EXPECT_TRUE(std::isnan(t.ask_quote[k])) << t.ask_quote[k];
    else EXPECT_NEAR(t.ask_quote[k], ask[k], kDoubleRounding);
    EXPECT_DOUBLE_EQ(t.position[k], position[k]);
    EXPECT_NEAR(t.pnl[k], pnl[k], kDoubleRounding);
    EXPECT_DOUBLE_EQ(t.bid_volume[k], bought[k]);
    EXPECT_DOUBLE_EQ(t.ask_volume[k], sold[k]);
  }
  EXPECT_DOUBLE_EQ(t.pnl.back(), r.pnl[0]);
}

// A rising book over two sessions (rows 0-109 and 110-129): row r has bid
// 1000 + 2r and ask 1002 + 2r (10 lots each), mid 1001 + 2r ticks. Test split
// {0, 21}: 20-step windows from row 0.
Market trending_market() {
  std::vector<BookRow> rows;
  for (Ticks r = 0; r < 130; ++r) rows.push_back({{{1000 + 2 * r, 10}}, {{1002 + 2 * r, 10}}});
  return make_market(rows, {0, 21}, {0, 110});
}

TEST(EvalDecomposition, MarkoutsAtOneTenAndHundredSteps) {
  const Market m = trending_market();
  const EnvConfig c = decomposition_config({{0, 0, 1, 1}});
  const eval::Protocol protocol = protocol_of(2, 20);
  const eval::WindowPlan plan = eval::plan_windows(m.data(), c, protocol);
  ASSERT_EQ(plan.starts, (std::vector<std::int64_t>{0, 0}));
  // Env 0, step 0 at row 0 (mid 1001): bid floor(1001 + 3) = 1004 buys 3 from row 1's ask
  //   1004 at 10.04 (fill row 1). Buy markout per unit: mid(1 + h) - 10.04 =
  //   (1003 + 2h - 1004) ticks = 2h - 1 ticks: +1 0.01, +10 0.19, +100 1.99 (row 101 < 110).
  // Both envs, step 19 at row 19 (mid 1039): ask ceil(1039 + 1) = 1040 sells 2 to row 20's bid
  //   1040 at 10.40 (fill row 20). Sell markout: 10.40 - mid(20 + h) = (1040 - 1041 - 2h) ticks
  //   = -1 - 2h ticks: +1 -0.03, +10 -0.21; +100 is row 120, past the session's end 110: left
  //   out although the book has that row.
  ScriptedQuotes policy([](std::int64_t env, std::int64_t step) {
    if (step == 0 && env == 0) return ActionRow{-3, 0, 3, 0};
    if (step == 19) return ActionRow{0, 1, 0, 2};
    return ActionRow{};
  });
  const eval::PolicyResult r = eval::run_policy(m.data(), c, protocol, plan, policy);
  ASSERT_DOUBLE_EQ(r.volume[0], 5.0);
  ASSERT_DOUBLE_EQ(r.volume[1], 2.0);
  // Env 0: +1 (3 x 0.01 - 2 x 0.03) / 5 = -0.006; +10 (3 x 0.19 - 2 x 0.21) / 5 = 0.03;
  // +100 only the buy: 1.99 over 3 units.
  EXPECT_NEAR(r.markout[0][0], -0.006, kDoubleAccumulation);
  EXPECT_NEAR(r.markout[1][0], 0.03, kDoubleAccumulation);
  EXPECT_NEAR(r.markout[2][0], 1.99, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(r.markout_volume[0][0], 5.0);
  EXPECT_DOUBLE_EQ(r.markout_volume[1][0], 5.0);
  EXPECT_DOUBLE_EQ(r.markout_volume[2][0], 3.0);
  // Env 1: the sell only; no +100 markout.
  EXPECT_NEAR(r.markout[0][1], -0.03, kDoubleAccumulation);
  EXPECT_NEAR(r.markout[1][1], -0.21, kDoubleAccumulation);
  EXPECT_TRUE(std::isnan(r.markout[2][1])) << r.markout[2][1];
  EXPECT_DOUBLE_EQ(r.markout_volume[0][1], 2.0);
  EXPECT_DOUBLE_EQ(r.markout_volume[1][1], 2.0);
  EXPECT_DOUBLE_EQ(r.markout_volume[2][1], 0.0);
  // Pooled over windows by volume: +1 (-0.006 x 5 - 0.03 x 2) / 7 = -0.09 / 7;
  // +10 (0.03 x 5 - 0.21 x 2) / 7 = -0.27 / 7; +100 1.99 (env 0 only).
  const eval::Summary s = eval::summarize(r);
  EXPECT_NEAR(s.markout[0], -0.09 / 7, kDoubleAccumulation);
  EXPECT_NEAR(s.markout[1], -0.27 / 7, kDoubleAccumulation);
  EXPECT_NEAR(s.markout[2], 1.99, kDoubleAccumulation);
  for (std::size_t k = 0; k < 2; ++k) expect_identity(r, k, kDoubleAccumulation);
}

TEST(EvalDecomposition, SummaryPoolsSpreadPerUnitAndMarkoutsByVolume) {
  eval::PolicyResult r = hand_made("p", {1, 2, 3});
  r.volume = {2, 0, 6};
  r.fills = {1, 0, 3};
  r.spread_capture = {0.3, 0.0, 0.5};
  r.inventory_pnl = {-0.1, 0.2, 0.5};
  r.liquidation = {0.0, -0.3, -0.6};
  r.fees = {0.01, 0.02, 0.06};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.markout[0] = {0.02, nan, -0.01};
  r.markout_volume[0] = {2, 0, 6};
  r.markout[1] = {nan, nan, nan};
  r.markout_volume[1] = {0, 0, 0};
  r.markout[2] = {0.5, 1.0, nan};
  r.markout_volume[2] = {1, 3, 0};
  const eval::Summary s = eval::summarize(r);
  // Pooled: (0.3 + 0 + 0.5) / (2 + 0 + 6) = 0.1 (the mean of per-window ratios would be
  // (0.15 + 0.0833) / 2).
  EXPECT_DOUBLE_EQ(s.spread_per_unit, 0.1);
  // Per fill: 0.8 / (1 + 0 + 3) = 0.2.
  EXPECT_NEAR(s.spread_per_fill, 0.2, kDoubleRoundingOfHundredths);
  EXPECT_NEAR(s.spread_capture, 0.8 / 3, kDoubleRoundingOfHundredths);
  EXPECT_NEAR(s.inventory_pnl, 0.2, kDoubleRoundingOfHundredths);
  EXPECT_NEAR(s.liquidation, -0.3, kDoubleRoundingOfHundredths);
  EXPECT_NEAR(s.fees, 0.03, kDoubleRoundingOfHundredths);
  // +1: (0.02 x 2 - 0.01 x 6) / 8 = -0.0025; +10: no volume anywhere: NaN;
  // +100: (0.5 x 1 + 1.0 x 3) / 4 = 0.875.
  EXPECT_NEAR(s.markout[0], -0.0025, kDoubleRoundingOfHundredths);
  EXPECT_TRUE(std::isnan(s.markout[1])) << s.markout[1];
  EXPECT_NEAR(s.markout[2], 0.875, kDoubleRoundingOfHundredths);
  // Without volume the spread per unit is 0, without fills the spread per fill.
  r.volume = {0, 0, 0};
  r.fills = {0, 0, 0};
  EXPECT_EQ(eval::summarize(r).spread_per_unit, 0.0);
  EXPECT_EQ(eval::summarize(r).spread_per_fill, 0.0);
}

/// The GOOG fixture's config with fees on both sides and an ask-only row (NaN bid quotes).
EnvConfig goog_config() {
  EnvConfig c = sample().env;
  c.actions = {{0.5, 0.5, 100, 100}, {2, 2, 100, 100}, {0, 3, 0, 100}};
  c.maker_fee_bps = -0.2;
  c.taker_fee_bps = 3;
  return c;
}

const eval::Calibration& goog_calibration() {
  static const eval::Calibration calibration = eval::calibrate(goog_sample().loaded.book, goog_sample().splits.train);
  return calibration;
}

TEST(EvalDecomposition, IdentityHoldsForEveryWindowAndPolicyOnTheSample) {
  const GoogSample& goog = goog_sample();
  const EnvConfig c = goog_config();
  const eval::Protocol protocol = protocol_of(20, 300);
  const eval::WindowPlan plan = eval::plan_windows(goog.data(), c, protocol);
  ASSERT_EQ(plan.steps, 300);
  const StepParams params = make_step_params(eval::protocol_env_config(c, plan, protocol), goog.data(), protocol.seed);
  std::vector<std::unique_ptr<eval::Policy>> policies;
  policies.push_back(eval::random_policy(5, 3));
  policies.push_back(eval::fixed_action_policy(0, c.actions[0]));
  eval::AsBaselineConfig as;  // order_size 0: the first action's 100 lots
  for (const eval::AsForm form : {eval::AsForm::finite_horizon, eval::AsForm::asymptotic}) {
    policies.push_back(eval::avellaneda_stoikov_policy(form, goog_calibration(), as, goog.data(), params));
  }
  as.quotes = eval::AsQuoteMode::snap;
  policies.push_back(eval::avellaneda_stoikov_policy(eval::AsForm::asymptotic, goog_calibration(), as, goog.data(), params));
  for (const auto& policy : policies) {
    const eval::PolicyResult r = eval::run_policy(goog.data(), c, protocol, plan, *policy);
    ASSERT_EQ(r.pnl.size(), 20u) << r.name;
    double volume = 0, liquidation = 0;
    for (std::size_t k = 0; k < 20; ++k) {
      expect_identity(r, k, kEvaluationSumOverSteps);
      volume += r.volume[k];
      liquidation += std::fabs(r.liquidation[k]);
      // Liquidation is the final PnL minus the mark before it, without the taker fee (>= 0 here).
      EXPECT_LE(r.pnl[k] - r.pnl_mark[k], r.liquidation[k] + kDoubleAccumulation) << r.name << ", window " << k;
    }
    EXPECT_GT(volume, 0.0) << r.name << " never traded: the identity would be vacuous";
    EXPECT_GT(liquidation, 0.0) << r.name;
  }
}

TEST(EvalDecomposition, TrajectoryOfWindowZeroOnTheSample) {
  const GoogSample& goog = goog_sample();
  const BookTensor& book = goog.loaded.book;
  const EnvConfig c = goog_config();
  const eval::Protocol protocol = protocol_of(20, 300);
  const eval::WindowPlan plan = eval::plan_windows(goog.data(), c, protocol);
  const StepParams params = make_step_params(eval::protocol_env_config(c, plan, protocol), goog.data(), protocol.seed);
  auto as = eval::avellaneda_stoikov_policy(eval::AsForm::asymptotic, goog_calibration(), eval::AsBaselineConfig{},
                                            goog.data(), params);
  auto ask_only = eval::fixed_action_policy(2, c.actions[2]);
  for (eval::Policy* policy : {as.get(), ask_only.get()}) {
    SCOPED_TRACE(policy->name());
    eval::Trajectory t;
    const eval::PolicyResult r = eval::run_policy(goog.data(), c, protocol, plan, *policy, &t);
    ASSERT_EQ(t.row.size(), 300u);
    for (auto* v : {&t.mid, &t.bid_quote, &t.ask_quote, &t.position, &t.pnl, &t.reward, &t.bid_volume,
                    &t.ask_volume}) {
      EXPECT_EQ(v->size(), 300u);
    }
    EXPECT_EQ(t.action.size(), 300u);
    const std::int32_t action = policy->quotes_explicitly() ? -1 : 2;
    std::int64_t bid_quotes = 0, ask_quotes = 0;
    for (std::size_t k = 0; k < 300; ++k) {
      EXPECT_EQ(t.row[k], plan.starts[0] + static_cast<std::int64_t>(k)) << "step " << k;
      const auto at = static_cast<std::size_t>(t.row[k]) * static_cast<std::size_t>(book.depth);
      EXPECT_DOUBLE_EQ(t.mid[k], 0.5 * static_cast<double>(book.bid_price[at] + book.ask_price[at]) * 0.01);
      EXPECT_EQ(t.action[k], action);
      bid_quotes += !std::isnan(t.bid_quote[k]);
      ask_quotes += !std::isnan(t.ask_quote[k]);
    }
    // The recorded position moves by each step's fills (the last step also liquidates).
    for (std::size_t k = 1; k + 1 < 300; ++k) {
      EXPECT_DOUBLE_EQ(t.position[k] - t.position[k - 1], t.bid_volume[k] - t.ask_volume[k]) << "step " << k;
    }
    EXPECT_DOUBLE_EQ(t.pnl.back(), r.pnl[0]);
    EXPECT_EQ(t.position.back(), 0.0);
    EXPECT_EQ(ask_quotes, 300);
    // The ask-only row never bids: every bid quote is NaN; the model quotes both sides.
    EXPECT_EQ(bid_quotes, policy->quotes_explicitly() ? 300 : 0);
  }
}

/// An evaluation backend that keeps the CPU env but reads it through host
/// copies, as the CUDA backend does: the copy path runs without a GPU.
eval::EvalBackend host_copy_backend() {
  eval::EvalBackend backend;
  backend.name = "host copies";
  backend.allocate = [](std::size_t bytes) {
    return std::shared_ptr<void>(::operator new(bytes), [](void* memory) { ::operator delete(memory); });
  };
  backend.to_host = [](void* host, const void* env_memory, std::size_t bytes) { std::memcpy(host, env_memory, bytes); };
  backend.to_env = [](void* env_memory, const void* host, std::size_t bytes) { std::memcpy(env_memory, host, bytes); };
  return backend;
}

TEST(EvalProtocol, AnEnvReadThroughCopiesGivesTheSameWindows) {
  const Sample& s = sample();
  for (const FillModel fill : {FillModel::cross, FillModel::trades}) {
    SCOPED_TRACE(fill == FillModel::cross ? "cross" : "trades with latency");
    EnvConfig env = s.env;
    env.fill_model = fill;
    if (fill == FillModel::trades) env.latency = {1, 2, 1};
    eval::Protocol direct;
    direct.windows = 16;
    direct.steps = 200;
    direct.seed = 3;
    eval::Protocol copied = direct;
    copied.backend = host_copy_backend();
    const eval::WindowPlan plan = eval::plan_windows(s.data(), env, direct);
    auto random = eval::random_policy(9, static_cast<int>(env.actions.size()));
    ScriptedQuotes scripted([](std::int64_t i, std::int64_t step) {
      const double offset = 0.5 + 0.25 * static_cast<double>((i + step) % 4);
      return ActionRow{offset, 2.0 - offset, 100, 100};
    });
    double volume = 0;
    for (eval::Policy* policy : {random.get(), static_cast<eval::Policy*>(&scripted)}) {
      eval::Trajectory direct_path, copied_path;
      const eval::PolicyResult a = eval::run_policy(s.data(), env, direct, plan, *policy, &direct_path);
      const eval::PolicyResult b = eval::run_policy(s.data(), env, copied, plan, *policy, &copied_path);
      EXPECT_EQ(a.pnl, b.pnl) << policy->name();
      EXPECT_EQ(a.fills, b.fills) << policy->name();
      EXPECT_EQ(a.spread_capture, b.spread_capture) << policy->name();
      EXPECT_EQ(a.mean_reward, b.mean_reward) << policy->name();
      EXPECT_EQ(direct_path.pnl, copied_path.pnl) << policy->name();
      for (double v : a.volume) volume += v;
    }
    EXPECT_GT(volume, 0.0);  // the comparison covers fills
  }
}

// ---------------------------------------------------------------------------
// The Avellaneda-Stoikov policy's decisions on a hand-made book
// ---------------------------------------------------------------------------

// Row 0: 100 / 103 (mid 101.5 ticks, half-spread 1.5); row 1: 100 / 106 (mid 103, half-spread 3).
const std::vector<BookRow> kAsRows = {
    {{{100, 5}}, {{103, 5}}},
    {{{100, 5}}, {{106, 5}}},
    {{{100, 5}}, {{103, 5}}},
};

// The model of tests/test_avellaneda_stoikov.cpp: sigma 0.02 per step, A 0.5, kappa 20,
// gamma 0.1, Delta = 100 lots of 1 unit: sigma_u^2 = 4, kappa_u = 0.2, ln(1 + gamma / kappa_u)
// = ln 1.5 = 0.4054651081081644.
eval::Calibration as_calibration() {
  eval::Calibration c;
  c.sigma = 0.02;
  c.intensity.A = 0.5;
  c.intensity.kappa = 20;
  return c;
}

eval::AsBaselineConfig as_config(double order_size, eval::AsQuoteMode mode = eval::AsQuoteMode::continuous) {
  eval::AsBaselineConfig c;
  c.gamma = 0.1;
  c.order_size = order_size;
  c.quotes = mode;
  return c;
}

/// Runs one decision for envs at `rows` holding `positions`, `step` of `steps`.
struct Decided {
  std::vector<ActionRow> quotes;
  std::vector<std::int32_t> actions;
};
Decided decide(eval::Policy& policy, std::vector<std::int64_t> rows, std::vector<double> positions,
               std::int64_t step, std::int64_t steps) {
  Decided d;
  d.quotes.assign(rows.size(), ActionRow{-99, -99, -99, -99});
  d.actions.assign(rows.size(), -99);
  eval::PolicyInput input;
  input.n = static_cast<std::int64_t>(rows.size());
  input.step = step;
  input.steps = steps;
  input.row = rows.data();
  input.position = positions.data();
  policy.decide(input, eval::Decision{d.actions.data(), d.quotes.data()});
  return d;
}

struct AsSetup {
  Market market = make_market(kAsRows, {0, 3});
  EnvConfig env;
  StepParams params;
  explicit AsSetup(std::vector<ActionRow> actions, OffsetUnit unit = OffsetUnit::ticks,
                   SizeUnit size = SizeUnit::base) {
    env.actions = std::move(actions);
    env.offset_unit = unit;
    env.size_unit = size;
    env.observation.stack = 1;
    params = make_step_params(env, market.data(), 1);
  }
  std::unique_ptr<eval::Policy> policy(eval::AsForm form, const eval::AsBaselineConfig& config) const {
    return eval::avellaneda_stoikov_policy(form, as_calibration(), config, market.data(), params);
  }
};

void expect_quote(const ActionRow& q, double bid, double ask, double size, const std::string& what) {
  EXPECT_NEAR(q.bid_offset, bid, kDoubleAccumulation) << what;
  EXPECT_NEAR(q.ask_offset, ask, kDoubleAccumulation) << what;
  EXPECT_DOUBLE_EQ(q.bid_size, size) << what;
  EXPECT_DOUBLE_EQ(q.ask_size, size) << what;
}

TEST(EvalAvellanedaStoikov, FiniteHorizonQuotesInTicksWithThePostOnlyClamp) {
  const AsSetup setup({{1, 1, 7, 7}});
  auto policy = setup.policy(eval::AsForm::finite_horizon, as_config(100));
  EXPECT_TRUE(policy->quotes_explicitly());
  // Step 2 of 12: T - t = 10. Per order: gamma sigma_u^2 (T - t) = 0.1 x 4 x 10 = 4, half spread
  // 4 / 2 + ln 1.5 / 0.1 = 6.054651081081644, skew q x 4; per unit / 100 currency = x 100 ticks:
  // half spread 6.054651081081644 ticks, skew 4q ticks (q = position / 100).
  //  position 0: 6.0546510810816 on both sides
  //  position 50 (q 0.5, skew 2): bid 8.0546510810816, ask 4.0546510810816
  //  position -150 (q -1.5, skew -6): bid 0.0546510810816, ask 12.054651081081644
  //  position -300 (q -3, skew -12): the model's bid -5.9453489189184 would be 101.5 + 5.95
  //     = 107.4 ticks, through row 0's best ask 103: post-only puts it at 102, offset
  //     101.5 - 102 = -0.5; the ask 18.054651081081644 is unchanged.
  //  At row 1 (mid 103, best ask 106) the same short clamps to 103 - 105 = -2.
  const Decided d = decide(*policy, {0, 0, 0, 0, 1}, {0, 50, -150, -300, -300}, 2, 12);
  expect_quote(d.quotes[0], 6.054651081081644, 6.054651081081644, 100, "flat");
  expect_quote(d.quotes[1], 8.054651081081644, 4.054651081081644, 100, "long 50");
  expect_quote(d.quotes[2], 0.054651081081643, 12.054651081081644, 100, "short 150");
  expect_quote(d.quotes[3], -0.5, 18.054651081081644, 100, "short 300, clamped");
  expect_quote(d.quotes[4], -2.0, 18.054651081081644, 100, "short 300 at row 1, clamped");
  // The horizon shrinks with the step: at step 11 of 12, T - t = 1: half spread
  // 0.2 + 4.054651081081644 = 4.254651081081644 ticks, skew 0.4q.
  const Decided late = decide(*policy, {0, 0}, {0, 50}, 11, 12);
  expect_quote(late.quotes[0], 4.254651081081644, 4.254651081081644, 100, "flat, last step");
  expect_quote(late.quotes[1], 4.454651081081644, 4.054651081081644, 100, "long 50, last step");
}

TEST(EvalAvellanedaStoikov, AsymptoticQuotesInTicksWithThePostOnlyClamp) {
  const AsSetup setup({{1, 1, 7, 7}});
  auto policy = setup.policy(eval::AsForm::asymptotic, as_config(100));
  // base ln 1.5 / 0.1 / 100 = 4.054651081081644 ticks; c = sqrt(4 x 0.1 / (2 x 0.2 x 0.5) x 1.5^3)
  // = sqrt(6.75) = 2.598076211353316 per order = 2.598076211353316 ticks per unit.
  // bid = base + (2q + 1) / 2 c, ask = base - (2q - 1) / 2 c; no horizon.
  //  q 0: base + c / 2 = 5.353689186758301 on both sides
  //  q 0.5: bid base + c = 6.652727292434959, ask base = 4.054651081081644
  //  q -1.5: bid base - c = 1.456574869728328, ask base + 2c = 9.250803503788276
  //  q -3: bid base - 2.5c = -2.440539447301647 through the best ask: clamped to -0.5;
  //        ask base + 3.5c = 13.14791782081825
  //  q 3: ask base - 2.5c through the best bid 100: clamped to 101 - 101.5 = -0.5;
  //        bid 13.14791782081825
  for (std::int64_t step : {0, 7}) {
    const Decided d = decide(*policy, {0, 0, 0, 0, 0}, {0, 50, -150, -300, 300}, step, 12);
    expect_quote(d.quotes[0], 5.353689186758301, 5.353689186758301, 100, "flat");
    expect_quote(d.quotes[1], 6.652727292434959, 4.054651081081644, 100, "long 50");
    expect_quote(d.quotes[2], 1.456574869728328, 9.250803503788276, 100, "short 150");
    expect_quote(d.quotes[3], -0.5, 13.14791782081825, 100, "short 300, clamped");
    expect_quote(d.quotes[4], 13.14791782081825, -0.5, 100, "long 300, clamped");
  }
}

TEST(EvalAvellanedaStoikov, NotionalSizesSetTheOrderInBaseUnitsAtTheMid) {
  // size_unit quote: an order of 101.5 currency at row 0's mid 1.015 is Delta = 100 units,
  // so the quotes are those of 100 lots above (finite horizon, T - t = 10, position 50).
  const AsSetup setup({{1, 1, 7, 7}}, OffsetUnit::ticks, SizeUnit::quote);
  auto policy = setup.policy(eval::AsForm::finite_horizon, as_config(101.5));
  const Decided d = decide(*policy, {0}, {50}, 2, 12);
  expect_quote(d.quotes[0], 8.054651081081644, 4.054651081081644, 101.5, "notional");
}

TEST(EvalAvellanedaStoikov, SnapModePicksTheNearestActionAtTheCurrentRow) {
  {
    // Ticks: finite horizon, T - t = 10 (as above): flat (6.05, 6.05) -> row 1 (6, 6);
    // long 50 (8.05, 4.05) -> row 2 (8, 4); short 150 (0.05, 12.05) -> row 3 (0, 12).
    const AsSetup setup({{1, 1, 100, 100}, {6, 6, 100, 100}, {8, 4, 100, 100}, {0, 12, 100, 100}, {4, 4, 100, 100}});
    auto policy = setup.policy(eval::AsForm::finite_horizon, as_config(100, eval::AsQuoteMode::snap));
    EXPECT_FALSE(policy->quotes_explicitly());
    const Decided d = decide(*policy, {0, 0, 0}, {0, 50, -150}, 2, 12);
    EXPECT_EQ(d.actions, (std::vector<std::int32_t>{1, 2, 3}));
    // Asymptotic, flat: (5.35, 5.35) is 0.65 x sqrt(2) from (6, 6) and 1.35 x sqrt(2) from (4, 4).
    auto glft = setup.policy(eval::AsForm::asymptotic, as_config(100, eval::AsQuoteMode::snap));
    EXPECT_EQ(decide(*glft, {0}, {0}, 0, 12).actions[0], 1);
  }
  {
    // Half-spreads: row 0 (1.5 ticks) makes the rows (6, 6) and (3, 3) ticks, row 1
    // (3 ticks) (12, 12) and (6, 6). Flat, T - t = 10: (6.05, 6.05) -> row 0 at book row 0,
    // row 1 at book row 1.
    const AsSetup setup({{4, 4, 100, 100}, {2, 2, 100, 100}}, OffsetUnit::half_spread);
    auto policy = setup.policy(eval::AsForm::finite_horizon, as_config(100, eval::AsQuoteMode::snap));
    const Decided d = decide(*policy, {0, 1}, {0, 0}, 2, 12);
    EXPECT_EQ(d.actions, (std::vector<std::int32_t>{0, 1}));
  }
}

TEST(EvalAvellanedaStoikov, OrderSizeZeroTakesTheFirstActionsBidSize) {
  // First row bids 50 lots: Delta = 50. sigma_u = 1, kappa_u = 20 / 50 = 0.4,
  // ln(1 + 0.1 / 0.4) = ln 1.25 = 0.22314355131420976. T - t = 10: half spread per order
  // 0.5 x 0.1 x 1 x 10 + 2.2314355131420976 = 2.7314355131420976, / 50 per unit
  // = 5.462871026284195 ticks; position 25 (q 0.5): skew 0.5 x 0.1 x 1 x 10 / 50 = 0.01 = 1 tick.
  const AsSetup setup({{1, 1, 50, 70}, {2, 2, 0, 0}});
  auto policy = setup.policy(eval::AsForm::finite_horizon, as_config(0));
  const Decided d = decide(*policy, {0, 0}, {0, 25}, 2, 12);
  expect_quote(d.quotes[0], 5.462871026284195, 5.462871026284195, 50, "flat");
  expect_quote(d.quotes[1], 6.462871026284195, 4.462871026284195, 50, "long 25");
  // A first row without a bid and no order_size: nothing to quote.
  const AsSetup no_bid({{1, 1, 0, 70}, {2, 2, 50, 50}});
  try {
    no_bid.policy(eval::AsForm::finite_horizon, as_config(0));
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "baselines.as.order_size");
    EXPECT_NE(std::string(e.what()).find("baselines.as.order_size"), std::string::npos) << e.what();
  }
  // An explicit order_size needs no bid in the table.
  EXPECT_NO_THROW(no_bid.policy(eval::AsForm::asymptotic, as_config(10)));
}

TEST(EvalSuite, RunsAgentsAndBaselinesOnThePlannedWindowsAndReportsTheAgentsAcrossSeeds) {
  const Sample& s = sample();
  Config config;
  config.env = s.env;
  config.data.load.files = {"somewhere/GOOG_orderbook.csv"};
  config.baselines.as.enabled = false;
  eval::Protocol protocol;
  protocol.windows = 6;
  protocol.steps = 120;
  protocol.seed = 5;
  eval::EvaluationSuite suite(config, s.data(), protocol);
  EXPECT_EQ(suite.plan().starts, eval::plan_windows(s.data(), s.env, protocol).starts);
  // Two stand-in agents, as a seed group gives: the report compares against the first.
  suite.add_agent(eval::fixed_action_policy(1, s.env.actions[1]));
  suite.add_agent(eval::fixed_action_policy(0, s.env.actions[0]));
  std::ostringstream out;
  suite.add_baselines(config.baselines.as, s.splits.train, out);
  const std::vector<eval::PolicyResult>& results = suite.run(out);
  std::vector<std::string> names;
  for (const auto& r : results) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"always 1 (2/2)", "always 0 (0.5/0.5)", "random", "always 0 (0.5/0.5)",
                                             "always 1 (2/2)"}));
  EXPECT_NE(out.str().find("evaluating random ..."), std::string::npos);
  // Each row is run_policy's on the same windows.
  const auto random = eval::random_policy(protocol.seed, 2);
  EXPECT_EQ(results[2].pnl, eval::run_policy(s.data(), s.env, protocol, suite.plan(), *random).pnl);
  EXPECT_EQ(results[1].pnl, results[3].pnl);
  const std::string table = suite.table();
  EXPECT_NE(table.find("always 1 (2/2) - policy"), std::string::npos) << table;
  EXPECT_NE(table.find("Across seeds"), std::string::npos) << table;
  // Two seeds, though a baseline shares each one's name.
  EXPECT_NE(table.find("Mean PnL across 2 seeds"), std::string::npos) << table;
  // The seeds' means against each other policy, with the intervals across seeds and across windows.
  const double random_mean = stats::mean(results[2].pnl);
  const stats::MeanInterval against_random =
      stats::t_interval({stats::mean(results[0].pnl) - random_mean, stats::mean(results[1].pnl) - random_mean});
  std::vector<double> seeds_mean;
  for (std::size_t w = 0; w < results[0].pnl.size(); ++w) seeds_mean.push_back((results[0].pnl[w] + results[1].pnl[w]) / 2);
  const stats::PairedDifference over_windows = stats::paired_difference(seeds_mean, results[2].pnl, protocol.seed);
  EXPECT_NE(table.find(format("| random | %.2f | [%.2f, %.2f] | [%.2f, %.2f] |", against_random.mean,
                              against_random.low, against_random.high, over_windows.low, over_windows.high)),
            std::string::npos)
      << table;
  const TempDir dir;
  suite.write_report(dir.path() / "report");
  const nlohmann::json json = nlohmann::json::parse(std::ifstream(dir.path() / "report" / "report.json"));
  EXPECT_EQ(json["seed"], 5);
  EXPECT_EQ(json["data"], "GOOG_orderbook.csv");
  EXPECT_EQ(json["seed_agents"], (std::vector<std::string>{"always 1 (2/2)", "always 0 (0.5/0.5)"}));
  // The seed group's intervals, as report.md gives them.
  const nlohmann::json& group = json["across_seeds"];
  EXPECT_EQ(group["seed_means"], (std::vector<double>{stats::mean(results[0].pnl), stats::mean(results[1].pnl)}));
  const nlohmann::json& random_row = group["seeds_minus_policy"][0];
  EXPECT_EQ(random_row["policy"], "random");
  EXPECT_DOUBLE_EQ(random_row["ci95_across_seeds_low"].get<double>(), against_random.low);
  EXPECT_DOUBLE_EQ(random_row["ci95_across_windows_high"].get<double>(), over_windows.high);
}

}  // namespace
}  // namespace mmsim::test
