// The market-making env on the CPU: accounting, rewards, the stacked
// observation, the inventory limit and the end of a window with its
// liquidation and auto-reset (docs/mechanics.md, "One step", 5 and 7-12).

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "env_test_util.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// 4. Accounting, 5. rewards, 9. observations: one four-step episode
// ---------------------------------------------------------------------------

const std::vector<double> kAccountPnl = {-0.10, -0.08, -0.09, -0.07};

TEST(EnvAccounting, PnlIsCashPlusPositionAtTheNewMid) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto env = make_env(m, base_config(4, kAccountActions));
  const auto& o = env->outputs();
  const double cash[] = {-4.04, -0.08, -1.09};
  const double position[] = {4, 0, 1};
  const double mid[] = {0.985, 1.01, 1.00};  // rows 1, 2, 3
  for (int k = 0; k < 3; ++k) {
    step1(*env, kAccountPlay[static_cast<std::size_t>(k)]);
    EXPECT_NEAR(o.cash[0], cash[k], kDoubleRounding) << "step " << k + 1;
    EXPECT_DOUBLE_EQ(o.position[0], position[k]) << "step " << k + 1;
    EXPECT_NEAR(o.pnl[0], cash[k] + position[k] * mid[k], kDoubleRounding) << "step " << k + 1;
    EXPECT_NEAR(o.pnl[0], kAccountPnl[static_cast<std::size_t>(k)], kDoubleRounding) << "step " << k + 1;
  }
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_EQ(o.truncated[0], 0);
  EXPECT_NEAR(o.episode_pnl_mark[0], -0.06, kDoubleRounding);
  EXPECT_NEAR(o.episode_pnl[0], -0.07, kDoubleRounding);
  EXPECT_EQ(o.episode_length[0], 4);
  EXPECT_EQ(o.episode_fills[0], 4);  // 2 + 1 + 1 levels
  // 8. The next episode has begun: its account is empty.
  EXPECT_DOUBLE_EQ(o.pnl[0], 0.0);
  EXPECT_DOUBLE_EQ(o.position[0], 0.0);
  EXPECT_DOUBLE_EQ(o.cash[0], 0.0);
}

TEST(EnvAccounting, UnrealisedPnlRestartsWhenFlat) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto env = make_env(m, base_config(4, kAccountActions));
  const auto& o = env->outputs();
  // Agent features of the newest (only) frame: F + 2 = PnL, F + 3 = unrealised PnL.
  const double unrealised[] = {-0.10, 0.0, -0.01};
  for (int k = 0; k < 3; ++k) {
    step1(*env, kAccountPlay[static_cast<std::size_t>(k)]);
    const float* frame = frame_of(*env, o.obs, 0, 0);
    EXPECT_NEAR(frame[kF + 2], kAccountPnl[static_cast<std::size_t>(k)], kFloat32Rounding) << "step " << k + 1;
    EXPECT_NEAR(frame[kF + 3], unrealised[k], kFloat32Rounding) << "step " << k + 1;
  }
}

std::vector<float> play_rewards(const EnvConfig& c) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto env = make_env(m, c);
  std::vector<float> rewards;
  for (std::int32_t a : kAccountPlay) {
    step1(*env, a);
    rewards.push_back(env->outputs().reward[0]);
  }
  return rewards;
}

// dPnL per step: -0.10, -0.08 - (-0.10) = +0.02, -0.09 - (-0.08) = -0.01, -0.07 - (-0.09) = +0.02.
TEST(EnvReward, AsymmetricDampensPositivePnlChanges) {
  EnvConfig c = base_config(4, kAccountActions);
  c.reward.kind = RewardKind::asymmetric;
  c.reward.eta = 0.5;
  const std::vector<float> r = play_rewards(c);
  EXPECT_NEAR(r[0], -0.10, kFloat32Rounding);               // negative: undamped
  EXPECT_NEAR(r[1], 0.02 - 0.5 * 0.02, kFloat32Rounding);   // 0.01
  EXPECT_NEAR(r[2], -0.01, kFloat32Rounding);
  EXPECT_NEAR(r[3], 0.02 - 0.5 * 0.02, kFloat32Rounding);   // includes the liquidation
}

TEST(EnvReward, SpoonerDampensOnlyTheInventoryPnl) {
  EnvConfig c = base_config(4, kAccountActions);
  c.reward.kind = RewardKind::spooner;
  c.reward.eta = 0.5;
  const std::vector<float> r = play_rewards(c);
  // Step 1: position before 0: nothing dampened.
  EXPECT_NEAR(r[0], -0.10, kFloat32Rounding);
  // Step 2: position before 4, mid 0.985 -> 1.01: inventory PnL 4 x 0.025 = 0.10.
  EXPECT_NEAR(r[1], 0.02 - 0.5 * 0.10, kFloat32Rounding);  // -0.03
  // Step 3: position before 0.
  EXPECT_NEAR(r[2], -0.01, kFloat32Rounding);
  // Step 4: position before 1, mid 1.00 -> 1.03: inventory PnL 0.03.
  EXPECT_NEAR(r[3], 0.02 - 0.5 * 0.03, kFloat32Rounding);  // 0.005
}

TEST(EnvReward, SpoonerLeavesSpreadCaptureUndamped) {
  // The crossed row of the fill rows: flat before the step, both quotes fill:
  // dPnL = PnL = 0.01 (see BothSidesFillInOneStep) with no inventory held over the step.
  const Market m = make_market(kFillRows, {kBothRange});
  EnvConfig c = base_config(2, kFillActions);
  c.reward.eta = 0.5;
  c.reward.kind = RewardKind::spooner;
  EXPECT_NEAR(fill_env(m, c, 7)->outputs().reward[0], 0.01, kFloat32Rounding);  // P_before = 0: nothing dampened
  c.reward.kind = RewardKind::asymmetric;
  EXPECT_NEAR(fill_env(m, c, 7)->outputs().reward[0], 0.01 - 0.5 * 0.01, kFloat32Rounding);
}

TEST(EnvReward, SpoonerDoesNotDampenALossOnInventory) {
  const std::vector<BookRow> rows = {
      {{{100, 5}}, {{103, 5}}},  // 0: mid2 203: bid 101
      {{{97, 5}}, {{100, 5}}},   // 1: mid2 197, mid 0.985: the bid buys 4 at 1.01
      {{{95, 5}}, {{97, 5}}},    // 2: mid2 192, mid 0.96
      {{{95, 5}}, {{97, 5}}},    // 3
  };
  const Market m = make_market(rows, {{0, 4}});
  EnvConfig c = base_config(3, kAccountActions);
  c.reward.kind = RewardKind::spooner;
  c.reward.eta = 1.0;
  auto env = make_env(m, c);
  step1(*env, 1);  // PnL -4.04 + 4 x 0.985 = -0.10
  step1(*env, 2);  // ask ceil(98.5) = 99 > bid 95: no fill; PnL -4.04 + 4 x 0.96 = -0.20
  EXPECT_DOUBLE_EQ(env->outputs().ask_volume[0], 0.0);
  // dPnL -0.10; inventory PnL 4 x (0.96 - 0.985) = -0.10 < 0: max(., 0) = 0, even with eta 1.
  EXPECT_NEAR(env->outputs().reward[0], -0.10, kFloat32Rounding);
}

TEST(EnvReward, InventoryPenalties) {
  // eta 0: reward = dPnL - w f(|position after|); positions after: 4, 0, 1, 0.
  const double w = 0.01;
  const double dpnl[] = {-0.10, 0.02, -0.01, 0.02};
  const double position[] = {4, 0, 1, 0};
  struct Case {
    PenaltyKind kind;
    double (*f)(double);
  };
  const Case cases[] = {
      {PenaltyKind::linear, [](double x) { return x; }},
      {PenaltyKind::quadratic, [](double x) { return x * x; }},
      {PenaltyKind::log1p, [](double x) { return std::log(1.0 + x); }},
  };
  for (const Case& k : cases) {
    EnvConfig c = base_config(4, kAccountActions);
    c.reward.penalty = k.kind;
    c.reward.penalty_weight = w;
    const std::vector<float> r = play_rewards(c);
    for (int s = 0; s < 4; ++s) {
      // e.g. step 1: linear -0.10 - 0.04, quadratic -0.10 - 0.16, log1p -0.10 - 0.01 log 5.
      EXPECT_NEAR(r[static_cast<std::size_t>(s)], dpnl[s] - w * k.f(position[s]), kFloat32Rounding)
          << to_string(k.kind) << " step " << s + 1;
    }
  }
  // penalty_weight 0 turns the penalty off.
  EnvConfig c = base_config(4, kAccountActions);
  c.reward.penalty = PenaltyKind::quadratic;
  const std::vector<float> r = play_rewards(c);
  EXPECT_NEAR(r[0], -0.10, kFloat32Rounding);
}

TEST(EnvObservation, StackOfThreeOldestFirstWithScaledAgentFeatures) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  EnvConfig c = base_config(4, kAccountActions);
  c.observation.stack = 3;
  c.observation.cash_scale = 2;
  c.observation.position_scale = 4;
  c.observation.pnl_scale = 0.1;
  auto env = make_env(m, c);
  ASSERT_EQ(env->observation_size(), 3 * kFrame);
  const auto& o = env->outputs();
  // Frames after k steps (cash / 2, position / 4, PnL / 0.1, unrealised / 0.1, (4 - k) / 4):
  const std::vector<double> f0 = frame_at(0, 0, 0, 0, 0, 1);
  const std::vector<double> f1 = frame_at(1, -4.04 / 2, 4.0 / 4, -0.10 / 0.1, -0.10 / 0.1, 0.75);
  const std::vector<double> f2 = frame_at(2, -0.08 / 2, 0, -0.08 / 0.1, 0, 0.5);
  const std::vector<double> f3 = frame_at(3, -1.09 / 2, 1.0 / 4, -0.09 / 0.1, -0.01 / 0.1, 0.25);
  // After the liquidation: cash -0.07, flat (unrealised 0), time left 0.
  const std::vector<double> f4 = frame_at(4, -0.07 / 2, 0, -0.07 / 0.1, 0, 0);
  const std::vector<std::vector<std::vector<double>>> expected = {
      {kZeroFrame, kZeroFrame, f0}, {kZeroFrame, f0, f1}, {f0, f1, f2}, {f1, f2, f3}};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    if (k > 0) step1(*env, kAccountPlay[k - 1]);
    for (int slot = 0; slot < 3; ++slot) {
      expect_frame(frame_of(*env, o.obs, 0, slot), expected[k][static_cast<std::size_t>(slot)],
                   "after " + std::to_string(k) + " steps, slot " + std::to_string(slot));
    }
  }
  step1(*env, kAccountPlay[3]);
  ASSERT_EQ(o.terminated[0], 1);
  // final_obs: the last row's frame newest; obs: the next episode's first one.
  const std::vector<std::vector<double>> final_expected = {f2, f3, f4};
  const std::vector<std::vector<double>> reset_expected = {kZeroFrame, kZeroFrame, f0};
  for (int slot = 0; slot < 3; ++slot) {
    expect_frame(frame_of(*env, o.final_obs, 0, slot), final_expected[static_cast<std::size_t>(slot)],
                 "final_obs slot " + std::to_string(slot));
    expect_frame(frame_of(*env, o.obs, 0, slot), reset_expected[static_cast<std::size_t>(slot)],
                 "obs after the reset, slot " + std::to_string(slot));
  }
}

// ---------------------------------------------------------------------------
// 6. Inventory limit
// ---------------------------------------------------------------------------

// Depth 1, sizes 10. Rows 0-3 fall by 4 ticks a row: the bid at the mid rounded
// down (100 - 4k at row k, mid2 201 - 8k) always fills against the next ask
// (97 - 4k). Rows 4-7 rise: the ask (101 + 4j) always fills against the next bid.
std::vector<BookRow> trend_rows() {
  std::vector<BookRow> rows;
  for (Ticks k = 0; k < 4; ++k) rows.push_back({{{100 - 4 * k, 10}}, {{101 - 4 * k, 10}}});
  for (Ticks j = 0; j < 4; ++j) rows.push_back({{{100 + 4 * j, 10}}, {{101 + 4 * j, 10}}});
  return rows;
}
const std::vector<ActionRow> kLimitActions = {
    {0, 0, 0, 0},  // 0
    {0, 0, 4, 0},  // 1: bid 4
    {0, 0, 1, 0},  // 2: bid 1
    {0, 0, 0, 4},  // 3: ask 4
    {0, 0, 0, 1},  // 4: ask 1
};

struct LimitRun {
  std::vector<double> volume;    // bid volume (buy side) or ask volume
  std::vector<double> position;  // after steps 1 and 2 (step 3 ends the episode)
};

LimitRun run_limit(InventoryLimitMode mode, bool buy, const std::vector<std::int32_t>& play) {
  const Market m = make_market(trend_rows(), {buy ? RowRange{0, 4} : RowRange{4, 8}});
  EnvConfig c = base_config(3, kLimitActions);
  c.inventory_limit = 5;
  c.inventory_limit_mode = mode;
  c.liquidate_at_end = false;
  auto env = make_env(m, c);
  LimitRun run;
  for (std::int32_t a : play) {
    step1(*env, a);
    const auto& o = env->outputs();
    run.volume.push_back(buy ? o.bid_volume[0] : o.ask_volume[0]);
    EXPECT_DOUBLE_EQ(buy ? o.ask_volume[0] : o.bid_volume[0], 0.0);
    run.position.push_back(o.position[0]);
  }
  return run;
}

TEST(EnvInventoryLimit, ShrinkReducesTheQuoteToTheRoomLeft) {
  // Limit 5. Bid 4 at position 0: 4 <= 5, placed whole. Bid 4 at position 4:
  // room 5 - 4 = 1, shrunk to 1. Bid 4 at position 5: room 0, nothing placed.
  const LimitRun bids = run_limit(InventoryLimitMode::shrink, true, {1, 1, 1});
  EXPECT_EQ(bids.volume, (std::vector<double>{4, 1, 0}));
  EXPECT_DOUBLE_EQ(bids.position[0], 4);
  EXPECT_DOUBLE_EQ(bids.position[1], 5);
  // The ask mirrors it with limit + position: room 5, then 5 - 4 = 1, then 0.
  const LimitRun asks = run_limit(InventoryLimitMode::shrink, false, {3, 3, 3});
  EXPECT_EQ(asks.volume, (std::vector<double>{4, 1, 0}));
  EXPECT_DOUBLE_EQ(asks.position[0], -4);
  EXPECT_DOUBLE_EQ(asks.position[1], -5);
}

TEST(EnvInventoryLimit, SkipDropsAQuoteThatCouldBreachTheLimit) {
  // Bid 4 at position 0: placed. Bid 4 at position 4: 4 > 1, not placed.
  // Bid 1 at position 4: 1 <= 1, placed.
  const LimitRun bids = run_limit(InventoryLimitMode::skip, true, {1, 1, 2});
  EXPECT_EQ(bids.volume, (std::vector<double>{4, 0, 1}));
  EXPECT_DOUBLE_EQ(bids.position[1], 4);
  const LimitRun asks = run_limit(InventoryLimitMode::skip, false, {3, 3, 4});
  EXPECT_EQ(asks.volume, (std::vector<double>{4, 0, 1}));
  EXPECT_DOUBLE_EQ(asks.position[1], -4);
}

TEST(EnvInventoryLimit, NotionalQuotesAreMeasuredInBaseUnitsAtTheQuotePrice) {
  const Market m = make_market(trend_rows(), {{0, 4}});
  EnvConfig c = base_config(3, {{0, 0, 4.00, 0}});
  c.size_unit = SizeUnit::quote;
  c.inventory_limit = 2;
  auto env = make_env(m, c);
  step1(*env, 0);
  // Bid 100 ticks = 1.00: 4.00 of notional stands for 4 units > 2: shrunk to 2
  // units (2.00 of notional), filled against row 1's ask 97x10 at 1.00.
  EXPECT_NEAR(env->outputs().bid_volume[0], 2.0, kDoubleRounding);
  EXPECT_NEAR(env->outputs().cash[0], -2.0, kDoubleRounding);
}


// ---------------------------------------------------------------------------
// 7. End of window, 8. auto-reset
// ---------------------------------------------------------------------------

// Depth 2, tick 0.5 (currency per tick). Range {0, 3}: a long position;
// range {3, 6}: a short one.
const std::vector<BookRow> kEndRows = {
    {{{200, 10}, {199, 10}}, {{202, 10}, {203, 10}}},  // 0: mid2 402: bid 201
    {{{198, 10}, {197, 10}}, {{200, 6}, {201, 6}}},    // 1: mid2 398, mid 99.5
    {{{199, 3}, {198, 4}}, {{201, 5}, {202, 5}}},      // 2: mid2 400, mid 100
    {{{200, 10}, {199, 10}}, {{202, 10}, {203, 10}}},  // 3: mid2 402: ask 201
    {{{202, 6}, {201, 6}}, {{204, 10}, {205, 10}}},    // 4: mid2 406, mid 101.5
    {{{201, 5}, {200, 5}}, {{203, 3}, {204, 4}}},      // 5: mid2 404, mid 101
};
const std::vector<ActionRow> kEndActions = {{0, 0, 0, 0}, {0, 0, 10, 0}, {0, 0, 0, 10}};

TEST(EnvEndOfWindow, ALongIsSoldIntoTheBidsAndBeyondTheVisibleDepth) {
  const Market m = make_market(kEndRows, {{0, 3}}, 0.5);
  EnvConfig c = base_config(2, kEndActions);
  c.taker_fee_bps = 10;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  step1(*env, 1);
  // Bid 201 buys 6 at 200 and 4 at 201 of row 1, at 201 x 0.5 = 100.5: cash -1005.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 10);
  EXPECT_NEAR(o.cash[0], -1005.0, kDoubleAccumulation);
  EXPECT_NEAR(o.pnl[0], -10.0, kDoubleAccumulation);  // -1005 + 10 x 99.5
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_EQ(o.truncated[0], 0);
  // Mark at row 2: -1005 + 10 x 100 = -5.
  EXPECT_NEAR(o.episode_pnl_mark[0], -5.0, kDoubleAccumulation);
  // Sell 10: 3 at 199 (99.5) = 298.5, 4 at 198 (99.0) = 396, the 3 beyond the
  // visible depth at the deepest price 99.0 = 297: 991.5; taker 10 bps = 0.9915.
  EXPECT_NEAR(o.fees[0], 0.9915, kDoubleAccumulation);
  EXPECT_NEAR(o.episode_pnl[0], -1005.0 + 991.5 - 0.9915, kDoubleAccumulation);  // -14.4915
  EXPECT_NEAR(o.reward[0], -14.4915 - (-10.0), kFloat32RoundingOfHundreds);
  EXPECT_EQ(o.episode_length[0], 2);
  EXPECT_EQ(o.episode_fills[0], 2);
}

TEST(EnvEndOfWindow, AShortBuysTheAsks) {
  const Market m = make_market(kEndRows, {{3, 6}}, 0.5);
  EnvConfig c = base_config(2, kEndActions);
  c.taker_fee_bps = 10;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  step1(*env, 2);
  // Ask 201 sells 6 at 202 and 4 at 201 of row 4, at 100.5: cash +1005.
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 10);
  EXPECT_NEAR(o.pnl[0], -10.0, kDoubleAccumulation);  // 1005 - 10 x 101.5
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_NEAR(o.episode_pnl_mark[0], -5.0, kDoubleAccumulation);  // 1005 - 10 x 101
  // Buy 10: 3 at 203 (101.5) = 304.5, 4 at 204 (102) = 408, 3 more at 102 = 306:
  // 1018.5; taker 1.0185.
  EXPECT_NEAR(o.fees[0], 1.0185, kDoubleAccumulation);
  EXPECT_NEAR(o.episode_pnl[0], 1005.0 - 1018.5 - 1.0185, kDoubleAccumulation);  // -14.5185
}

TEST(EnvEndOfWindow, TheLastStepOutputsTheLiquidationAgainstTheMarkAndItsTakerFee) {
  EnvConfig c = base_config(2, kEndActions);
  c.taker_fee_bps = 10;
  for (const bool long_position : {true, false}) {
    SCOPED_TRACE(long_position ? "long" : "short");
    const Market m = make_market(kEndRows, {long_position ? RowRange{0, 3} : RowRange{3, 6}}, 0.5);
    auto env = make_env(m, c);
    const auto& o = env->outputs();
    step1(*env, long_position ? 1 : 2);
    EXPECT_EQ(o.liquidation[0], 0.0);  // no liquidation before the window's end
    EXPECT_EQ(o.liquidation_fee[0], 0.0);
    step1(*env, 0);
    ASSERT_EQ(o.terminated[0], 1);
    // Long: sells 10 for 991.5 against a mark of 10 x 100 = 1000: -8.5; taker 0.9915.
    // Short: buys 10 for 1018.5 against a mark of 10 x 101 = 1010: -8.5; taker 1.0185.
    EXPECT_NEAR(o.liquidation[0], -8.5, kDoubleAccumulation);
    EXPECT_NEAR(o.liquidation_fee[0], long_position ? 0.9915 : 1.0185, kDoubleRounding);
    // The episode's PnL is its mark plus the liquidation, less the taker fee.
    EXPECT_NEAR(o.episode_pnl[0], o.episode_pnl_mark[0] + o.liquidation[0] - o.liquidation_fee[0], kDoubleAccumulation);
    step1(*env, 0);  // the next episode's first step liquidates nothing
    EXPECT_EQ(o.liquidation[0], 0.0);
    EXPECT_EQ(o.liquidation_fee[0], 0.0);
  }
  // Without liquidation the window ends with nothing to report.
  c.liquidate_at_end = false;
  const Market m = make_market(kEndRows, {{0, 3}}, 0.5);
  auto env = make_env(m, c);
  step1(*env, 1);
  step1(*env, 0);
  ASSERT_EQ(env->outputs().truncated[0], 1);
  EXPECT_EQ(env->outputs().liquidation[0], 0.0);
  EXPECT_EQ(env->outputs().liquidation_fee[0], 0.0);
}

TEST(EnvEndOfWindow, WithoutLiquidationTheEpisodeIsTruncatedWithAFinalObservation) {
  const Market m = make_market(kEndRows, {{0, 3}}, 0.5);
  EnvConfig c = base_config(2, kEndActions);
  c.liquidate_at_end = false;
  c.taker_fee_bps = 10;
  c.observation.stack = 2;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  step1(*env, 1);
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 0);
  EXPECT_EQ(o.truncated[0], 1);
  EXPECT_NEAR(o.episode_pnl[0], -5.0, kDoubleAccumulation);  // no liquidation: the mark, no taker fee
  EXPECT_NEAR(o.episode_pnl_mark[0], -5.0, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(o.fees[0], 0.0);
  EXPECT_NEAR(o.reward[0], 5.0, kFloat32RoundingOfTens);  // -5 - (-10)
  EXPECT_EQ(o.episode_length[0], 2);
  EXPECT_EQ(o.episode_fills[0], 2);
  // final_obs: row 1 then row 2 (its features 20, 21), time left 1/2 then 0.
  expect_frame(frame_of(*env, o.final_obs, 0, 0), frame_at(1, -1005, 10, -10, -10, 0.5), "final_obs, older");
  expect_frame(frame_of(*env, o.final_obs, 0, 1), frame_at(2, -1005, 10, -5, -5, 0), "final_obs, newest");
  // 8. The new episode's first observation: a zero frame, then row 0 with an empty account.
  expect_frame(frame_of(*env, o.obs, 0, 0), kZeroFrame, "obs after the reset, older");
  expect_frame(frame_of(*env, o.obs, 0, 1), frame_at(0, 0, 0, 0, 0, 1), "obs after the reset, newest");
  EXPECT_DOUBLE_EQ(o.pnl[0], 0.0);
  EXPECT_DOUBLE_EQ(o.position[0], 0.0);
  EXPECT_DOUBLE_EQ(o.cash[0], 0.0);
  // The new episode plays the same way: the dPnL of its first step starts from 0.
  step1(*env, 1);
  EXPECT_NEAR(o.pnl[0], -10.0, kDoubleAccumulation);
  EXPECT_NEAR(o.reward[0], -10.0, kFloat32RoundingOfTens);
  EXPECT_EQ(o.truncated[0], 0);
}

}  // namespace
}  // namespace mmsim::test
