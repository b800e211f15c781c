// The market-making env on the CPU with latency: orders take effect `delay`
// steps after they are sent, the observed book lags by `obs_delay` rows
// (docs/mechanics.md, "Latency").

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "env_test_util.hpp"
#include "mmsim/core/rng.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// 16. Latency: orders take effect `delay` steps after they are sent; the
// observed book lags by `obs_delay` rows
// ---------------------------------------------------------------------------

// Tick 0.01, lot 1. Row 0: bid 100x5, ask 102x5, mid 101 ticks: a bid 1 tick
// below the mid is floor(100) = 100. From row 1 on the book sits lower (bid
// 99x5, ask 100x5, mid 99.5): the stale bid at 100 meets the ask at 100 and
// fills, while a bid priced from these rows (floor(98.5) = 98) would not.
const BookRow kLatencyHigh = {{{100, 5}}, {{102, 5}}};
const BookRow kLatencyLow = {{{99, 5}}, {{100, 5}}};

TEST(EnvLatency, ADelayOfDStepsShiftsTheFillByDStepsAtThePriceOfTheSendingRow) {
  const Market m = make_market({kLatencyHigh, kLatencyLow, kLatencyLow, kLatencyLow, kLatencyLow, kLatencyLow,
                                kLatencyLow, kLatencyLow},
                               {{0, 8}});
  for (int delay = 0; delay <= 3; ++delay) {
    SCOPED_TRACE("delay " + std::to_string(delay));
    EnvConfig c = base_config(7, {{0, 0, 0, 0}});
    c.liquidate_at_end = false;
    c.latency.delay = delay;
    auto env = make_env(m, c);
    const auto& o = env->outputs();
    // A bid of 2 lots 1 tick below the mid at step 0 (row 0), then nothing.
    for (int step = 0; step < 6; ++step) {
      step_quotes(*env, {step == 0 ? ActionRow{1, 0, 2, 0} : ActionRow{0, 0, 0, 0}});
      if (step == delay) {
        // It rests at row `delay` and buys 2 at 1.00 from row delay + 1's ask:
        // cash -2.00, position 2, PnL -2.00 + 2 x 0.995 = -0.01.
        EXPECT_EQ(o.bid_quote[0], 100) << "step " << step;
        EXPECT_DOUBLE_EQ(o.bid_volume[0], 2.0) << "step " << step;
        EXPECT_NEAR(o.bid_price[0], 1.00, kDoubleRounding) << "step " << step;
      } else {
        // Before: in flight, nothing rests; after: replaced by the empty orders sent at steps 1...
        EXPECT_EQ(o.bid_quote[0], 0) << "step " << step;
        EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0) << "step " << step;
      }
      EXPECT_DOUBLE_EQ(o.position[0], step >= delay ? 2.0 : 0.0) << "step " << step;
      EXPECT_NEAR(o.cash[0], step >= delay ? -2.0 : 0.0, kDoubleRounding) << "step " << step;
      EXPECT_NEAR(o.pnl[0], step >= delay ? -0.01 : 0.0, kDoubleRounding) << "step " << step;
    }
  }
}

TEST(EnvLatency, WithAFixedDelayEachStepsActiveOrderIsTheOneSentDelayStepsBefore) {
  // Constant book (bid 9999, ask 10003, mid 10001 ticks); the bid sent at step
  // k sits k + 1 ticks below the mid, so its price names the step it was sent.
  const BookRow row = {{{9999, 5}}, {{10003, 5}}};
  const Market m = make_market(std::vector<BookRow>(12, row), {{0, 12}});
  EnvConfig c = base_config(11, {{0, 0, 0, 0}});
  c.liquidate_at_end = false;
  c.latency.delay = 3;
  auto env = make_env(m, c);
  for (int step = 0; step < 10; ++step) {
    step_quotes(*env, {{step + 1.0, 0, 1, 0}});
    EXPECT_EQ(env->outputs().bid_quote[0], step < 3 ? 0 : 10001 - (step - 3 + 1)) << "step " << step;
  }
}

/// The step at which each order sent by env `env` in its first episode takes
/// effect under delay + a draw in [0, jitter] (the env's own draws).
std::vector<std::int64_t> arrival_steps(std::uint64_t seed, std::uint64_t env, int delay, int jitter, int steps) {
  std::vector<std::int64_t> arrival;
  for (int k = 0; k < steps; ++k) {
    arrival.push_back(k + delay +
                      static_cast<std::int64_t>(uniform_index(seed, env, 0, static_cast<std::uint32_t>(k),
                                                              RngPurpose::latency,
                                                              static_cast<std::uint64_t>(jitter) + 1)));
  }
  return arrival;
}

TEST(EnvLatency, WithJitterTheActiveOrderIsTheNewestArrivedAndOlderArrivalsAreDropped) {
  const BookRow row = {{{9999, 5}}, {{10003, 5}}};
  constexpr int kSteps = 40, kEnvs = 3, kDelay = 1, kJitter = 4;
  constexpr std::uint64_t kSeed = 31;
  const Market m = make_market(std::vector<BookRow>(kSteps + 2, row), {{0, kSteps + 2}});
  EnvConfig c = base_config(kSteps + 1, {{0, 0, 0, 0}});
  c.liquidate_at_end = false;
  c.latency.delay = kDelay;
  c.latency.jitter = kJitter;
  auto env = make_env(m, c, kEnvs, kSeed);
  std::vector<std::vector<std::int64_t>> arrival;
  for (int i = 0; i < kEnvs; ++i) {
    arrival.push_back(arrival_steps(kSeed, static_cast<std::uint64_t>(i), kDelay, kJitter, kSteps));
  }
  int dropped = 0, gaps = 0;
  std::vector<std::int64_t> previous(kEnvs, -1);
  for (int step = 0; step < kSteps; ++step) {
    std::vector<ActionRow> quotes(kEnvs, ActionRow{step + 1.0, 0, 1, 0});
    step_quotes(*env, quotes);
    for (int i = 0; i < kEnvs; ++i) {
      const auto& a = arrival[static_cast<std::size_t>(i)];
      // Active: the newest order that has arrived by now.
      std::int64_t active = -1;
      for (int k = 0; k <= step; ++k) {
        if (a[static_cast<std::size_t>(k)] <= step) active = k;
      }
      const Ticks expected = active < 0 ? 0 : 10001 - (active + 1);
      EXPECT_EQ(env->outputs().bid_quote[i], expected) << "env " << i << " step " << step;
      for (int k = 0; k < step; ++k) {
        // Sent before the active order, arriving now or later: never takes effect.
        if (k < active && a[static_cast<std::size_t>(k)] == step) ++dropped;
      }
      if (active == previous[static_cast<std::size_t>(i)] && active >= 0) ++gaps;
      previous[static_cast<std::size_t>(i)] = active;
    }
  }
  // The draws exercise both rules: dropped late orders and steps without an arrival.
  EXPECT_GT(dropped, 0);
  EXPECT_GT(gaps, 0);
}

TEST(EnvLatency, AnOrderWithoutAReplacementKeepsWhatIsLeftOfItUnderTheCrossModel) {
  // Delay 0 + [0, 1]: an env whose order of step 0 takes effect at once and
  // whose order of step 1 only at step 2 has no new order at step 1.
  constexpr std::uint64_t kSeed = 7;
  std::int64_t picked = -1;
  for (std::uint64_t i = 0; i < 256 && picked < 0; ++i) {
    const auto a = arrival_steps(kSeed, i, 0, 1, 2);
    if (a[0] == 0 && a[1] == 2) picked = static_cast<std::int64_t>(i);
  }
  ASSERT_GE(picked, 0);
  // Ask 100 with 3 lots at every row after row 0.
  const BookRow low3 = {{{99, 5}}, {{100, 3}}};
  const Market m = make_market({kLatencyHigh, low3, low3, low3, low3, low3}, {{0, 6}});
  EnvConfig c = base_config(5, {{0, 0, 0, 0}});
  c.liquidate_at_end = false;
  c.latency.jitter = 1;
  auto env = make_env(m, c, picked + 1, kSeed);
  const auto& o = env->outputs();
  const auto all = [&](ActionRow q) { return std::vector<ActionRow>(static_cast<std::size_t>(picked + 1), q); };
  // Step 0: the bid of 5 at 100 takes effect and buys the 3 offered.
  step_quotes(*env, all({1, 0, 5, 0}));
  EXPECT_EQ(o.bid_quote[picked], 100);
  EXPECT_DOUBLE_EQ(o.bid_volume[picked], 3.0);
  // Step 1: the cancel sent now is in flight; the bid stays with the 2 left and buys them.
  step_quotes(*env, all({0, 0, 0, 0}));
  EXPECT_EQ(o.bid_quote[picked], 100);
  EXPECT_DOUBLE_EQ(o.bid_volume[picked], 2.0);
  EXPECT_DOUBLE_EQ(o.position[picked], 5.0);
  EXPECT_NEAR(o.cash[picked], -5.0, kDoubleRounding);
  // Step 2: the cancel takes effect.
  step_quotes(*env, all({0, 0, 0, 0}));
  EXPECT_EQ(o.bid_quote[picked], 0);
  EXPECT_DOUBLE_EQ(o.bid_volume[picked], 0.0);
}

TEST(EnvLatency, AStaleOrderKeepsItsPlaceInTheQueueWhenTheNextOneHasTheSamePrice) {
  // Trades model, delay 2: the bid at 10000 sent at step 0 joins behind 300 at
  // step 2 (row 2); the one sent at step 1 (same price) arrives at step 3 and
  // keeps the place: executions of 250 then 100 at 10000 fill 50 at step 3.
  const Market m = trades_market(std::vector<BookRow>(7, kTradesRow),
                                 {{}, {}, {}, {visible(250, 10000, +1)}, {visible(100, 10000, +1)}});
  EnvConfig c = trades_config(m);
  c.latency.delay = 2;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  const std::vector<double> expected_volume = {0, 0, 0, 50, 0};
  const std::vector<Ticks> expected_quote = {0, 0, 10000, 10000, 10000};
  for (int step = 0; step < 5; ++step) {
    step_quotes(*env, {{1, 0, 100, 0}});
    EXPECT_EQ(o.bid_quote[0], expected_quote[static_cast<std::size_t>(step)]) << "step " << step;
    EXPECT_DOUBLE_EQ(o.bid_volume[0], expected_volume[static_cast<std::size_t>(step)]) << "step " << step;
  }
  EXPECT_DOUBLE_EQ(o.position[0], 50.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 50.0);
}

TEST(EnvLatency, ANewEpisodeStartsWithNoOrderActiveOrInFlight) {
  const Market m = make_market({kLatencyHigh, kLatencyLow, kLatencyLow, kLatencyLow, kLatencyLow}, {{0, 5}});
  EnvConfig c = base_config(4, {{0, 0, 0, 0}});
  c.liquidate_at_end = false;
  c.latency.delay = 1;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  for (int step = 0; step < 4; ++step) step_quotes(*env, {{1, 0, 1, 0}});
  ASSERT_EQ(o.truncated[0], 1);
  // Next episode, from row 0 again: the first step has no order (the active
  // one ended with the window; the one sent at its last step never takes
  // effect); the order of its step 0 takes effect at step 1 (priced from row
  // 0: 100), not dropped as older than the last episode's, and buys 1 from
  // row 2's ask.
  step_quotes(*env, {{1, 0, 1, 0}});
  EXPECT_EQ(o.bid_quote[0], 0);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  step_quotes(*env, {{1, 0, 1, 0}});
  EXPECT_EQ(o.bid_quote[0], 100);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 1.0);
}

TEST(EnvLatency, TheObservationLagsTheBookByObsDelayRowsAndQuotesArePricedFromIt) {
  // Features are row x 10 + column; stack 1. Mid 101 ticks at row 0, 99.5 after.
  const Market m = make_market({kLatencyHigh, kLatencyLow, kLatencyLow, kLatencyLow, kLatencyLow, kLatencyLow},
                               {{0, 6}});
  EnvConfig c = base_config(5, {{0, 0, 0, 0}});
  c.liquidate_at_end = false;
  c.latency.obs_delay = 2;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  // The frame shows row max(row - 2, 0); the agent's own account is current.
  EXPECT_FLOAT_EQ(frame_of(*env, o.obs, 0, 0)[0], feature_value(0, 0));
  const std::int64_t shown[] = {0, 0, 1, 2};  // after steps 1..4 (rows 1..4)
  const Ticks bid[] = {100, 100, 100, 98};    // 1 tick below the seen mid: row 0's 101 -> 100, 99.5 -> 98
  for (int step = 0; step < 4; ++step) {
    step_quotes(*env, {{1, 0, 1, 0}});
    EXPECT_EQ(o.bid_quote[0], bid[step]) << "step " << step;
    EXPECT_FLOAT_EQ(frame_of(*env, o.obs, 0, 0)[0], feature_value(shown[step], 0)) << "step " << step;
    EXPECT_FLOAT_EQ(frame_of(*env, o.obs, 0, 0)[kF + 1], static_cast<float>(o.position[0])) << "step " << step;
  }
  // The bids at 100 (rows 0-2, each seeing row 0) meet the next asks at 100: one lot each.
  EXPECT_DOUBLE_EQ(o.position[0], 3.0);
}

TEST(EnvLatency, ConfigValuesOutsideTheirRangeAreRejected) {
  const EnvConfig good = base_config(10, {{1, 1, 1, 1}});
  EnvConfig c = good;
  c.latency.delay = -1;
  expect_config_error(c, "env.latency.delay");
  c = good;
  c.latency.delay = kMaxOrderDelay + 1;
  expect_config_error(c, "env.latency.delay");
  c = good;
  c.latency.delay = 10;
  c.latency.jitter = kMaxOrderDelay - 9;
  expect_config_error(c, "env.latency.jitter");
  c = good;
  c.latency.jitter = -1;
  expect_config_error(c, "env.latency.jitter");
  c = good;
  c.latency.obs_delay = -3;
  expect_config_error(c, "env.latency.obs_delay");
  c = good;
  c.latency.obs_delay = kMaxObservationDelay + 1;
  expect_config_error(c, "env.latency.obs_delay");
  c = good;
  c.latency = {kMaxOrderDelay - 5, 5, kMaxObservationDelay};
  EXPECT_NO_THROW(validate(c));
}

TEST(EnvLatency, InvariantsAndDeterminismOverRandomRunsOnTheSample) {
  const GoogSample& s = goog_sample();
  const BookTensor& book = s.loaded.book;
  constexpr std::int64_t kEnvs = 64;
  constexpr int kSteps = 1500;
  EnvConfig c = sample_config();
  double largest_order = 0;
  for (const ActionRow& a : c.actions) largest_order = std::max({largest_order, a.bid_size, a.ask_size});
  largest_order *= book.instrument.lot_size;
  std::int64_t volume_delay0 = 0, volume_latency = 0;
  for (const FillModel model : {FillModel::cross, FillModel::trades}) {
    SCOPED_TRACE(to_string(model));
    c.fill_model = model;
    EnvConfig latent = c;
    latent.latency = {1, 3, 2};
    auto env = make_cpu_env(s.data(), latent, kEnvs, 99, 2);
    auto twin = make_cpu_env(s.data(), latent, kEnvs, 99, 1);
    auto prompt = make_cpu_env(s.data(), c, kEnvs, 99, 2);
    std::mt19937 random(5);
    std::vector<std::int32_t> actions(kEnvs);
    std::int64_t mismatches = 0, bad = 0;
    std::string first;
    double volume = 0, prompt_volume = 0;
    for (int step = 1; step <= kSteps; ++step) {
      for (auto& a : actions) a = static_cast<std::int32_t>(random() % c.actions.size());
      env->step(actions.data());
      twin->step(actions.data());
      prompt->step(actions.data());
      if (snapshot(*env) != snapshot(*twin)) ++mismatches;
      const auto& o = env->outputs();
      const auto bid_rest = state_of(*env, "bid_rest");
      const auto ask_rest = state_of(*env, "ask_rest");
      for (std::int64_t i = 0; i < kEnvs; ++i) {
        const auto e = static_cast<std::size_t>(i);
        volume += o.bid_volume[i] + o.ask_volume[i];
        prompt_volume += prompt->outputs().bid_volume[i] + prompt->outputs().ask_volume[i];
        auto note = [&](const std::string& what) {
          if (bad++ == 0) first = "env " + std::to_string(i) + " step " + std::to_string(step) + ": " + what;
        };
        if (o.bid_volume[i] > 0 && o.bid_quote[i] == 0) note("a buy without a resting bid");
        if (o.ask_volume[i] > 0 && o.ask_quote[i] == 0) note("a sell without a resting ask");
        if (o.bid_volume[i] < 0 || o.ask_volume[i] < 0) note("negative volume");
        if (bid_rest[e] < 0 || ask_rest[e] < 0) note("negative rest");
        if (model == FillModel::trades &&
            (o.bid_volume[i] > largest_order + kDoubleAccumulation || o.ask_volume[i] > largest_order + kDoubleAccumulation)) {
          note("a fill larger than any order");
        }
      }
    }
    EXPECT_EQ(bad, 0) << first;
    EXPECT_EQ(mismatches, 0) << "same seed, same actions, 1 or 2 threads: different outputs";
    EXPECT_NO_THROW(env->check_faults());
    EXPECT_GT(volume, 0.0);
    EXPECT_NE(volume, prompt_volume) << "latency changes nothing";
    volume_delay0 += static_cast<std::int64_t>(prompt_volume);
    volume_latency += static_cast<std::int64_t>(volume);
  }
  std::cout << "volume without latency " << volume_delay0 << ", with delay 1 + [0, 3] and obs_delay 2 "
            << volume_latency << "\n";
}

TEST(EnvLatency, SavedStateWithOrdersInFlightResumesIdentically) {
  const GoogSample& s = goog_sample();
  EnvConfig c = sample_config();
  c.latency = {2, 3, 1};
  auto env = make_cpu_env(s.data(), c, 16, 4, 1);
  std::mt19937 random(8);
  std::vector<std::int32_t> actions(16);
  auto play = [&](BatchEnv& e, int steps, std::mt19937 r) {
    std::vector<std::vector<std::vector<std::uint8_t>>> outputs;
    for (int k = 0; k < steps; ++k) {
      for (auto& a : actions) a = static_cast<std::int32_t>(r() % c.actions.size());
      e.step(actions.data());
      outputs.push_back(snapshot(e));
    }
    return outputs;
  };
  play(*env, 50, random);
  const auto saved = env->save_state();
  auto resumed = make_cpu_env(s.data(), c, 16, 4, 1);
  resumed->load_state(saved);
  EXPECT_EQ(play(*env, 40, std::mt19937(9)), play(*resumed, 40, std::mt19937(9)));
}

}  // namespace
}  // namespace mmsim::test
