// The market-making env on the CPU: fills of the cross fill model against the
// next row, and maker and taker fees (docs/mechanics.md, "One step", 6-7, 9).

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "env_test_util.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// 2. Fills and 3. fees
// ---------------------------------------------------------------------------

TEST(EnvFills, ABidWalksTwoAskLevels) {
  const Market m = make_market(kFillRows, {kBidRange});
  auto env = fill_env(m, base_config(2, kFillActions), 1);
  const auto& o = env->outputs();
  // Bid 101 against row 1: 100x2 <= 101 gives min(4, 2) = 2, 101x3 gives min(2, 3) = 2.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 4.0);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.bid_price[0], 1.01, kDoubleRounding);  // fill_price quote: all at 101 ticks
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 0.0);
  EXPECT_EQ(o.ask_fills[0], 0);
  EXPECT_DOUBLE_EQ(o.ask_price[0], 0.0);
  EXPECT_NEAR(o.cash[0], -4.04, kDoubleRounding);     // -4 x 1.01
  EXPECT_DOUBLE_EQ(o.position[0], 4.0);
  EXPECT_NEAR(o.pnl[0], -0.10, kDoubleRounding);      // -4.04 + 4 x mid(row 1) 0.985 = -4.04 + 3.94
  EXPECT_DOUBLE_EQ(o.fees[0], 0.0);
  EXPECT_EQ(o.terminated[0], 0);
  EXPECT_EQ(o.truncated[0], 0);
}

TEST(EnvFills, AQuoteLargerThanTheLevelsItCrossesFillsPartially) {
  const Market m = make_market(kFillRows, {kBidRange});
  auto env = fill_env(m, base_config(2, kFillActions), 2);
  const auto& o = env->outputs();
  // Bid 10 at 101: 2 at 100 and 3 at 101; 102 > 101 stops the walk: 5 of 10.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 5.0);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.cash[0], -5.05, kDoubleRounding);   // -5 x 1.01
  EXPECT_DOUBLE_EQ(o.position[0], 5.0);
  EXPECT_NEAR(o.pnl[0], -0.125, kDoubleRounding);   // -5.05 + 5 x 0.985
}

TEST(EnvFills, ABidBelowTheNextBestAskDoesNotFill) {
  const Market m = make_market(kFillRows, {kBidRange});
  auto env = fill_env(m, base_config(2, kFillActions), 3);
  const auto& o = env->outputs();
  // Bid 99 < best ask 100 of row 1.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_EQ(o.bid_fills[0], 0);
  EXPECT_DOUBLE_EQ(o.bid_price[0], 0.0);
  EXPECT_DOUBLE_EQ(o.cash[0], 0.0);
  EXPECT_DOUBLE_EQ(o.position[0], 0.0);
  EXPECT_DOUBLE_EQ(o.pnl[0], 0.0);
}

TEST(EnvFills, FillPriceLevelTradesAtTheLevelsPrices) {
  const Market m = make_market(kFillRows, {kBidRange});
  EnvConfig c = base_config(2, kFillActions);
  c.fill_price = FillPrice::level;
  auto env = fill_env(m, c, 1);
  const auto& o = env->outputs();
  // 2 at 1.00 + 2 at 1.01 = 4.02; VWAP 4.02 / 4 = 1.005.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 4.0);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.bid_price[0], 1.005, kDoubleRounding);
  EXPECT_NEAR(o.cash[0], -4.02, kDoubleRounding);
  EXPECT_NEAR(o.pnl[0], -0.08, kDoubleRounding);  // -4.02 + 3.94
}

TEST(EnvFills, AnAskWalksTwoBidLevels) {
  const Market m = make_market(kFillRows, {kAskRange});
  auto env = fill_env(m, base_config(2, kFillActions), 4);
  const auto& o = env->outputs();
  // Ask 102 against row 4: 103x2 >= 102 gives 2, 102x3 gives 2.
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 4.0);
  EXPECT_EQ(o.ask_fills[0], 2);
  EXPECT_NEAR(o.ask_price[0], 1.02, kDoubleRounding);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_EQ(o.bid_fills[0], 0);
  EXPECT_NEAR(o.cash[0], 4.08, kDoubleRounding);      // 4 x 1.02
  EXPECT_DOUBLE_EQ(o.position[0], -4.0);
  EXPECT_NEAR(o.pnl[0], -0.10, kDoubleRounding);      // 4.08 - 4 x mid(row 4) 1.045 = 4.08 - 4.18
}

TEST(EnvFills, AskSidePartialNoFillAndLevelPrice) {
  const Market m = make_market(kFillRows, {kAskRange});
  {
    auto env = fill_env(m, base_config(2, kFillActions), 5);
    const auto& o = env->outputs();
    // Ask 10 at 102: 2 at 103, 3 at 102; 101 < 102 stops: 5 of 10.
    EXPECT_DOUBLE_EQ(o.ask_volume[0], 5.0);
    EXPECT_EQ(o.ask_fills[0], 2);
    EXPECT_NEAR(o.cash[0], 5.10, kDoubleRounding);     // 5 x 1.02
    EXPECT_DOUBLE_EQ(o.position[0], -5.0);
    EXPECT_NEAR(o.pnl[0], -0.125, kDoubleRounding);    // 5.10 - 5 x 1.045
  }
  {
    auto env = fill_env(m, base_config(2, kFillActions), 6);
    const auto& o = env->outputs();
    // Ask 104 > best bid 103 of row 4.
    EXPECT_DOUBLE_EQ(o.ask_volume[0], 0.0);
    EXPECT_EQ(o.ask_fills[0], 0);
    EXPECT_DOUBLE_EQ(o.ask_price[0], 0.0);
    EXPECT_DOUBLE_EQ(o.cash[0], 0.0);
  }
  {
    EnvConfig c = base_config(2, kFillActions);
    c.fill_price = FillPrice::level;
    auto env = fill_env(m, c, 4);
    const auto& o = env->outputs();
    // 2 at 1.03 + 2 at 1.02 = 4.10; VWAP 1.025.
    EXPECT_NEAR(o.ask_price[0], 1.025, kDoubleRounding);
    EXPECT_NEAR(o.cash[0], 4.10, kDoubleRounding);
    EXPECT_NEAR(o.pnl[0], -0.08, kDoubleRounding);  // 4.10 - 4.18
  }
}

TEST(EnvFills, BothSidesFillInOneStep) {
  // Only a crossed next row can fill both quotes (bid 101 < ask 102); loaders
  // never produce one, but the rule is defined for any book.
  const Market m = make_market(kFillRows, {kBothRange});
  auto env = fill_env(m, base_config(2, kFillActions), 7);
  const auto& o = env->outputs();
  // Bid 101 buys 1 from ask 101x1 at 1.01; ask 102 sells 1 to bid 102x1 at 1.02.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 1.0);
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 1.0);
  EXPECT_EQ(o.bid_fills[0], 1);
  EXPECT_EQ(o.ask_fills[0], 1);
  EXPECT_NEAR(o.bid_price[0], 1.01, kDoubleRounding);
  EXPECT_NEAR(o.ask_price[0], 1.02, kDoubleRounding);
  EXPECT_DOUBLE_EQ(o.position[0], 0.0);
  EXPECT_NEAR(o.cash[0], 0.01, kDoubleRounding);  // -1.01 + 1.02
  EXPECT_NEAR(o.pnl[0], 0.01, kDoubleRounding);   // flat: PnL = cash
}

TEST(EnvFills, NotionalSizesCompareLevelsAsNotionals) {
  const Market m = make_market(kFillRows, {kBidRange});
  EnvConfig c = base_config(2, {{0, 0, 3.03, 0}, {0, 0, 10.0, 0}});
  c.size_unit = SizeUnit::quote;
  {
    auto env = fill_env(m, c, 0);
    const auto& o = env->outputs();
    // Bid 101 (1.01) for 3.03 of notional: level 100x2 is 2 x 1.01 = 2.02 at the fill
    // price, all taken (2 units); 1.01 remains; level 101x3 is 3.03: 1.01 taken (1 unit).
    EXPECT_NEAR(o.bid_volume[0], 3.0, kDoubleAccumulation);
    EXPECT_EQ(o.bid_fills[0], 2);
    EXPECT_NEAR(o.bid_price[0], 1.01, kDoubleRounding);
    EXPECT_NEAR(o.cash[0], -3.03, kDoubleRounding);
    EXPECT_NEAR(o.position[0], 3.0, kDoubleAccumulation);  // notional / price
    EXPECT_NEAR(o.pnl[0], -0.075, kDoubleAccumulation);    // -3.03 + 3 x 0.985
  }
  {
    auto env = fill_env(m, c, 1);
    const auto& o = env->outputs();
    // 10.0 of notional: 2.02 + 3.03 = 5.05 (5 units); 102 > 101 stops the walk.
    EXPECT_NEAR(o.bid_volume[0], 5.0, kDoubleAccumulation);
    EXPECT_NEAR(o.cash[0], -5.05, kDoubleRounding);
  }
}

TEST(EnvFills, LotSizeScalesBaseUnitsAndNotionals) {
  const Market m = make_market(kFillRows, {kBidRange}, 0.01, 0.5);
  {
    auto env = fill_env(m, base_config(2, kFillActions), 1);
    const auto& o = env->outputs();
    // 4 lots: 2 lots at 100 and 2 lots at 101 = 4 lots x 0.5 = 2 base units at 1.01.
    EXPECT_DOUBLE_EQ(o.bid_volume[0], 2.0);
    EXPECT_EQ(o.bid_fills[0], 2);
    EXPECT_NEAR(o.cash[0], -2.02, kDoubleRounding);
    EXPECT_DOUBLE_EQ(o.position[0], 2.0);
    EXPECT_NEAR(o.pnl[0], -0.05, kDoubleRounding);  // -2.02 + 2 x 0.985
  }
  {
    EnvConfig c = base_config(2, {{0, 0, 2.02, 0}});
    c.size_unit = SizeUnit::quote;
    c.fill_price = FillPrice::level;
    auto env = fill_env(m, c, 0);
    const auto& o = env->outputs();
    // Level 100x2: 2 x 0.5 x 1.00 = 1.00 of notional, all taken (1 unit); 1.02 remains.
    // Level 101x3: 3 x 0.5 x 1.01 = 1.515 >= 1.02: 1.02 taken, 1.02 / 1.01 units.
    const double units = 1.0 + 1.02 / 1.01;
    EXPECT_NEAR(o.bid_volume[0], units, kDoubleRounding);
    EXPECT_EQ(o.bid_fills[0], 2);
    EXPECT_NEAR(o.bid_price[0], 2.02 / units, kDoubleRounding);
    EXPECT_NEAR(o.cash[0], -2.02, kDoubleRounding);
    EXPECT_NEAR(o.position[0], units, kDoubleRounding);
    EXPECT_NEAR(o.pnl[0], -2.02 + units * 0.985, kDoubleRounding);
  }
}

TEST(EnvFees, MakerFeeAndRebateOnFills) {
  const Market bid_market = make_market(kFillRows, {kBidRange});
  const Market ask_market = make_market(kFillRows, {kAskRange});
  EnvConfig c = base_config(2, kFillActions);
  c.maker_fee_bps = 2;
  {
    auto env = fill_env(bid_market, c, 1);
    const auto& o = env->outputs();
    // 2 bps of 4.04 = 0.000808, subtracted from cash.
    EXPECT_NEAR(o.fees[0], 0.000808, kDoubleRounding);
    EXPECT_NEAR(o.cash[0], -4.040808, kDoubleRounding);
    EXPECT_NEAR(o.pnl[0], -0.100808, kDoubleRounding);  // -4.040808 + 3.94
  }
  {
    auto env = fill_env(ask_market, c, 4);
    const auto& o = env->outputs();
    // Sells pay it too: 2 bps of 4.08 = 0.000816.
    EXPECT_NEAR(o.fees[0], 0.000816, kDoubleRounding);
    EXPECT_NEAR(o.cash[0], 4.08 - 0.000816, kDoubleRounding);
  }
  c.maker_fee_bps = -1;
  {
    auto env = fill_env(bid_market, c, 1);
    const auto& o = env->outputs();
    // A rebate: -1 bps of 4.04 = -0.000404, added to cash.
    EXPECT_NEAR(o.fees[0], -0.000404, kDoubleRounding);
    EXPECT_NEAR(o.cash[0], -4.039596, kDoubleRounding);
  }
}

TEST(EnvFees, TakerFeeOnLiquidationAndEpisodeTotals) {
  const Market m = make_market(kFillRows, {kBidRange});
  EnvConfig c = base_config(2, kFillActions);
  c.maker_fee_bps = 2;
  c.taker_fee_bps = 10;
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  step1(*env, 1);  // buys 4 at 1.01: cash -4.04 - 0.000808 = -4.040808
  step1(*env, 0);  // the window ends at row 2 (bids 100x5): sell 4 at 1.00 = 4.00
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_NEAR(o.fees[0], 0.004, kDoubleRounding);  // this step: taker 10 bps of 4.00, no maker fill
  // Mark before liquidation: -4.040808 + 4 x mid(row 2) 1.015 = 0.019192.
  EXPECT_NEAR(o.episode_pnl_mark[0], 0.019192, kDoubleRounding);
  // After: -4.040808 + 4.00 - 0.004 = -0.044808 (both fees of the episode included).
  EXPECT_NEAR(o.episode_pnl[0], -0.044808, kDoubleRounding);
  EXPECT_NEAR(o.reward[0], -0.044808 - (-0.100808), kFloat32Rounding);  // dPnL, eta 0
  EXPECT_EQ(o.episode_fills[0], 2);
  EXPECT_EQ(o.episode_length[0], 2);
}

}  // namespace
}  // namespace mmsim::test
