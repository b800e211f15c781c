// The batched market-making environment on the CPU (docs/mechanics.md):
// hand-computed scenarios on tiny books for every rule of a step (quotes,
// fills, fees, accounting, rewards, inventory limit, end of window, resets,
// observations, curriculum, faults), determinism, and invariants over many
// random steps on the shipped GOOG sample.
//
// Hand-built books use integer ticks and lots; a feature table of 2 columns
// holds row * 10 + column, so an observation shows which row it came from.
// A training split of exactly L + 1 rows forces the episode's start row.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/layout.hpp"
#include "test_util.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// Hand-built markets
// ---------------------------------------------------------------------------

constexpr int kF = 2;  // market features per frame of the hand-built tables
constexpr int kFrame = kF + kAgentFeatures;

float feature_value(std::int64_t row, int column) { return static_cast<float>(row * 10 + column); }

using Market = HandMarket;

Market make_market(const std::vector<BookRow>& rows, std::vector<RowRange> train, double tick_size = 0.01,
                   double lot_size = 1.0) {
  Market m = hand_market(rows, tick_size, lot_size, {0}, feature_value);
  m.splits.train.ranges = std::move(train);
  return m;
}

/// Mechanics off unless a test turns them on: no dampening, one frame.
EnvConfig base_config(std::int64_t episode_length, std::vector<ActionRow> actions) {
  EnvConfig c;
  c.episode_length = episode_length;
  c.actions = std::move(actions);
  c.reward.eta = 0.0;
  c.observation.stack = 1;
  return c;
}

std::unique_ptr<BatchEnv> make_env(const Market& m, const EnvConfig& c, std::int64_t n = 1, std::uint64_t seed = 7,
                                   int threads = 1) {
  return make_cpu_env(m.data(), c, n, seed, threads);
}

void step1(BatchEnv& env, std::int32_t action) { env.step(&action); }

/// Frame `slot` (0 = oldest) of env `i`'s observation in `obs`.
const float* frame_of(const BatchEnv& env, const float* obs, std::int64_t i, int slot) {
  return obs + i * env.observation_size() + static_cast<std::int64_t>(slot) * env.params().frame_size;
}

/// Expects a whole frame: 2 market features then 5 agent features.
void expect_frame(const float* frame, const std::vector<double>& expected, const std::string& what) {
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kFrame));
  for (int j = 0; j < kFrame; ++j) {
    EXPECT_NEAR(frame[j], expected[static_cast<std::size_t>(j)], 1e-5) << what << ", feature " << j;
  }
}

/// The frame of `row` with agent features (already scaled).
std::vector<double> frame_at(std::int64_t row, double cash, double position, double pnl, double unrealised,
                             double time_left) {
  return {feature_value(row, 0), feature_value(row, 1), cash, position, pnl, unrealised, time_left};
}

const std::vector<double> kZeroFrame(kFrame, 0.0);

// ---------------------------------------------------------------------------
// 1. Quote placement
// ---------------------------------------------------------------------------

// Rows 0-1: mid 101.5 ticks, then a row whose asks lie far below any bid quote
// (every bid fills, at its own price). Rows 2-3: the same mid, then a row whose
// bids lie far above any ask quote. Rows 4-5: a low-priced book for the grid
// tolerance. A one-step episode over a two-row range always starts at its first row.
const std::vector<BookRow> kQuoteRows = {
    {{{100, 1000}}, {{103, 1000}}},  // 0: mid2 = 203, spread 3 ticks
    {{{40, 1000}}, {{41, 1000}}},    // 1
    {{{100, 1000}}, {{103, 1000}}},  // 2: mid2 = 203
    {{{200, 1000}}, {{201, 1000}}},  // 3
    {{{9, 1000}}, {{11, 1000}}},     // 4: mid2 = 20
    {{{1, 1000}}, {{2, 1000}}},      // 5
};

/// The tick price at which a one-lot quote was placed, read from its fill.
Ticks placed_quote(OffsetUnit unit, double offset, bool bid, RowRange range) {
  const Market m = make_market(kQuoteRows, {range});
  EnvConfig c = base_config(1, {bid ? ActionRow{offset, 0, 1, 0} : ActionRow{0, offset, 0, 1}});
  c.offset_unit = unit;
  c.liquidate_at_end = false;
  auto env = make_env(m, c);
  step1(*env, 0);
  const auto& o = env->outputs();
  EXPECT_DOUBLE_EQ(bid ? o.bid_volume[0] : o.ask_volume[0], 1.0) << "the quote did not fill";
  // fill_price quote: the VWAP is the quote's price.
  return std::lround((bid ? o.bid_price[0] : o.ask_price[0]) / 0.01);
}

Ticks placed_bid(OffsetUnit unit, double offset) { return placed_quote(unit, offset, true, {0, 2}); }
Ticks placed_ask(OffsetUnit unit, double offset) { return placed_quote(unit, offset, false, {2, 4}); }

TEST(EnvQuotes, OffsetsInTicksAroundAHalfTickMid) {
  // mid = 203 / 2 = 101.5 ticks: bid = floor(101.5 - d), ask = ceil(101.5 + d).
  EXPECT_EQ(placed_bid(OffsetUnit::ticks, 0), 101);     // floor(101.5)
  EXPECT_EQ(placed_ask(OffsetUnit::ticks, 0), 102);     // ceil(101.5): offset 0, odd spread
  EXPECT_EQ(placed_bid(OffsetUnit::ticks, 1), 100);     // floor(100.5)
  EXPECT_EQ(placed_ask(OffsetUnit::ticks, 1), 103);     // ceil(102.5)
  EXPECT_EQ(placed_bid(OffsetUnit::ticks, 2.5), 99);    // floor(99) on the grid
  EXPECT_EQ(placed_ask(OffsetUnit::ticks, 2.5), 104);   // ceil(104) on the grid
  EXPECT_EQ(placed_bid(OffsetUnit::ticks, 0.25), 101);  // floor(101.25)
  EXPECT_EQ(placed_ask(OffsetUnit::ticks, 0.25), 102);  // ceil(101.75)
}

TEST(EnvQuotes, OffsetsInPrice) {
  // d = o / tick_size: 0.03 / 0.01 = 3 ticks; 0.005 / 0.01 = 0.5 ticks.
  EXPECT_EQ(placed_bid(OffsetUnit::price, 0.03), 98);    // floor(98.5)
  EXPECT_EQ(placed_ask(OffsetUnit::price, 0.03), 105);   // ceil(104.5)
  EXPECT_EQ(placed_bid(OffsetUnit::price, 0.005), 101);  // floor(101.0)
  EXPECT_EQ(placed_ask(OffsetUnit::price, 0.005), 102);  // ceil(102.0)
}

TEST(EnvQuotes, OffsetsInHalfSpreads) {
  // Half-spread = (103 - 100) / 2 = 1.5 ticks.
  EXPECT_EQ(placed_bid(OffsetUnit::half_spread, 1), 100);    // d = 1.5: floor(100.0)
  EXPECT_EQ(placed_ask(OffsetUnit::half_spread, 1), 103);    // ceil(103.0)
  EXPECT_EQ(placed_bid(OffsetUnit::half_spread, 0.5), 100);  // d = 0.75: floor(100.75)
  EXPECT_EQ(placed_ask(OffsetUnit::half_spread, 0.5), 103);  // ceil(102.25)
  EXPECT_EQ(placed_bid(OffsetUnit::half_spread, 2), 98);     // d = 3: floor(98.5)
  EXPECT_EQ(placed_ask(OffsetUnit::half_spread, 2), 105);    // ceil(104.5)
  EXPECT_EQ(placed_bid(OffsetUnit::half_spread, 0), 101);    // d = 0: floor(101.5)
  EXPECT_EQ(placed_ask(OffsetUnit::half_spread, 0), 102);    // ceil(101.5)
}

TEST(EnvQuotes, AnOffsetOnTheGridUpToRoundingIsNotMovedATick) {
  // 0.07 / 0.01 is 7.000000000000001 in doubles, so (20 - 2 d) / 2 = 2.999999999999999:
  // a plain floor would give 2 ticks; the spec places the bid at 10 - 7 = 3 ticks.
  ASSERT_GT(0.07 / 0.01, 7.0);
  EXPECT_EQ(placed_quote(OffsetUnit::price, 0.07, true, {4, 6}), 3);
}

// ---------------------------------------------------------------------------
// 2. Fills and 3. fees
// ---------------------------------------------------------------------------

// Depth 3, tick 0.01. Two-step episodes over three-row ranges:
//   {0, 3}: bids fill against row 1's asks 100x2, 101x3, 102x4 (mid 98.5 ticks);
//   {3, 6}: asks fill against row 4's bids 103x2, 102x3, 101x4 (mid 104.5 ticks);
//   {6, 9}: row 7 is crossed (bid 102 > ask 101), so both quotes fill in one step.
const BookRow kCalm = {{{100, 5}, {99, 5}, {98, 5}}, {{103, 5}, {104, 5}, {105, 5}}};  // mid2 = 203
const std::vector<BookRow> kFillRows = {
    kCalm,                                                             // 0
    {{{97, 2}, {96, 3}, {95, 4}}, {{100, 2}, {101, 3}, {102, 4}}},     // 1: mid2 = 197
    kCalm,                                                             // 2
    kCalm,                                                             // 3
    {{{103, 2}, {102, 3}, {101, 4}}, {{106, 2}, {107, 3}, {108, 4}}},  // 4: mid2 = 209
    kCalm,                                                             // 5
    kCalm,                                                             // 6
    {{{102, 1}}, {{101, 1}}},                                          // 7: crossed, mid2 = 203
    kCalm,                                                             // 8
};
const RowRange kBidRange{0, 3}, kAskRange{3, 6}, kBothRange{6, 9};

// Offsets in ticks. At a mid of 101.5 ticks, offset 0 quotes bid 101 / ask 102.
const std::vector<ActionRow> kFillActions = {
    {0, 0, 0, 0},   // 0: no quote
    {0, 0, 4, 0},   // 1: bid 4 at 101
    {0, 0, 10, 0},  // 2: bid 10 at 101
    {2, 0, 4, 0},   // 3: bid 4 at floor(99.5) = 99
    {0, 0, 0, 4},   // 4: ask 4 at 102
    {0, 0, 0, 10},  // 5: ask 10 at 102
    {0, 2, 0, 4},   // 6: ask 4 at ceil(103.5) = 104
    {0, 0, 1, 1},   // 7: bid 1 at 101 and ask 1 at 102
};

std::unique_ptr<BatchEnv> fill_env(const Market& m, const EnvConfig& c, std::int32_t action) {
  auto env = make_env(m, c);
  step1(*env, action);
  return env;
}

TEST(EnvFills, ABidWalksTwoAskLevels) {
  const Market m = make_market(kFillRows, {kBidRange});
  auto env = fill_env(m, base_config(2, kFillActions), 1);
  const auto& o = env->outputs();
  // Bid 101 against row 1: 100x2 <= 101 gives min(4, 2) = 2, 101x3 gives min(2, 3) = 2.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 4.0);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.bid_price[0], 1.01, 1e-12);  // fill_price quote: all at 101 ticks
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 0.0);
  EXPECT_EQ(o.ask_fills[0], 0);
  EXPECT_DOUBLE_EQ(o.ask_price[0], 0.0);
  EXPECT_NEAR(o.cash[0], -4.04, 1e-12);     // -4 x 1.01
  EXPECT_DOUBLE_EQ(o.position[0], 4.0);
  EXPECT_NEAR(o.pnl[0], -0.10, 1e-12);      // -4.04 + 4 x mid(row 1) 0.985 = -4.04 + 3.94
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
  EXPECT_NEAR(o.cash[0], -5.05, 1e-12);   // -5 x 1.01
  EXPECT_DOUBLE_EQ(o.position[0], 5.0);
  EXPECT_NEAR(o.pnl[0], -0.125, 1e-12);   // -5.05 + 5 x 0.985
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
  EXPECT_NEAR(o.bid_price[0], 1.005, 1e-12);
  EXPECT_NEAR(o.cash[0], -4.02, 1e-12);
  EXPECT_NEAR(o.pnl[0], -0.08, 1e-12);  // -4.02 + 3.94
}

TEST(EnvFills, AnAskWalksTwoBidLevels) {
  const Market m = make_market(kFillRows, {kAskRange});
  auto env = fill_env(m, base_config(2, kFillActions), 4);
  const auto& o = env->outputs();
  // Ask 102 against row 4: 103x2 >= 102 gives 2, 102x3 gives 2.
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 4.0);
  EXPECT_EQ(o.ask_fills[0], 2);
  EXPECT_NEAR(o.ask_price[0], 1.02, 1e-12);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_EQ(o.bid_fills[0], 0);
  EXPECT_NEAR(o.cash[0], 4.08, 1e-12);      // 4 x 1.02
  EXPECT_DOUBLE_EQ(o.position[0], -4.0);
  EXPECT_NEAR(o.pnl[0], -0.10, 1e-12);      // 4.08 - 4 x mid(row 4) 1.045 = 4.08 - 4.18
}

TEST(EnvFills, AskSidePartialNoFillAndLevelPrice) {
  const Market m = make_market(kFillRows, {kAskRange});
  {
    auto env = fill_env(m, base_config(2, kFillActions), 5);
    const auto& o = env->outputs();
    // Ask 10 at 102: 2 at 103, 3 at 102; 101 < 102 stops: 5 of 10.
    EXPECT_DOUBLE_EQ(o.ask_volume[0], 5.0);
    EXPECT_EQ(o.ask_fills[0], 2);
    EXPECT_NEAR(o.cash[0], 5.10, 1e-12);     // 5 x 1.02
    EXPECT_DOUBLE_EQ(o.position[0], -5.0);
    EXPECT_NEAR(o.pnl[0], -0.125, 1e-12);    // 5.10 - 5 x 1.045
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
    EXPECT_NEAR(o.ask_price[0], 1.025, 1e-12);
    EXPECT_NEAR(o.cash[0], 4.10, 1e-12);
    EXPECT_NEAR(o.pnl[0], -0.08, 1e-12);  // 4.10 - 4.18
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
  EXPECT_NEAR(o.bid_price[0], 1.01, 1e-12);
  EXPECT_NEAR(o.ask_price[0], 1.02, 1e-12);
  EXPECT_DOUBLE_EQ(o.position[0], 0.0);
  EXPECT_NEAR(o.cash[0], 0.01, 1e-12);  // -1.01 + 1.02
  EXPECT_NEAR(o.pnl[0], 0.01, 1e-12);   // flat: PnL = cash
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
    EXPECT_NEAR(o.bid_volume[0], 3.0, 1e-9);
    EXPECT_EQ(o.bid_fills[0], 2);
    EXPECT_NEAR(o.bid_price[0], 1.01, 1e-12);
    EXPECT_NEAR(o.cash[0], -3.03, 1e-12);
    EXPECT_NEAR(o.position[0], 3.0, 1e-9);  // notional / price
    EXPECT_NEAR(o.pnl[0], -0.075, 1e-9);    // -3.03 + 3 x 0.985
  }
  {
    auto env = fill_env(m, c, 1);
    const auto& o = env->outputs();
    // 10.0 of notional: 2.02 + 3.03 = 5.05 (5 units); 102 > 101 stops the walk.
    EXPECT_NEAR(o.bid_volume[0], 5.0, 1e-9);
    EXPECT_NEAR(o.cash[0], -5.05, 1e-12);
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
    EXPECT_NEAR(o.cash[0], -2.02, 1e-12);
    EXPECT_DOUBLE_EQ(o.position[0], 2.0);
    EXPECT_NEAR(o.pnl[0], -0.05, 1e-12);  // -2.02 + 2 x 0.985
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
    EXPECT_NEAR(o.bid_volume[0], units, 1e-12);
    EXPECT_EQ(o.bid_fills[0], 2);
    EXPECT_NEAR(o.bid_price[0], 2.02 / units, 1e-12);
    EXPECT_NEAR(o.cash[0], -2.02, 1e-12);
    EXPECT_NEAR(o.position[0], units, 1e-12);
    EXPECT_NEAR(o.pnl[0], -2.02 + units * 0.985, 1e-12);
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
    EXPECT_NEAR(o.fees[0], 0.000808, 1e-12);
    EXPECT_NEAR(o.cash[0], -4.040808, 1e-12);
    EXPECT_NEAR(o.pnl[0], -0.100808, 1e-12);  // -4.040808 + 3.94
  }
  {
    auto env = fill_env(ask_market, c, 4);
    const auto& o = env->outputs();
    // Sells pay it too: 2 bps of 4.08 = 0.000816.
    EXPECT_NEAR(o.fees[0], 0.000816, 1e-12);
    EXPECT_NEAR(o.cash[0], 4.08 - 0.000816, 1e-12);
  }
  c.maker_fee_bps = -1;
  {
    auto env = fill_env(bid_market, c, 1);
    const auto& o = env->outputs();
    // A rebate: -1 bps of 4.04 = -0.000404, added to cash.
    EXPECT_NEAR(o.fees[0], -0.000404, 1e-12);
    EXPECT_NEAR(o.cash[0], -4.039596, 1e-12);
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
  EXPECT_NEAR(o.fees[0], 0.004, 1e-12);  // this step: taker 10 bps of 4.00, no maker fill
  // Mark before liquidation: -4.040808 + 4 x mid(row 2) 1.015 = 0.019192.
  EXPECT_NEAR(o.episode_pnl_mark[0], 0.019192, 1e-12);
  // After: -4.040808 + 4.00 - 0.004 = -0.044808 (both fees of the episode included).
  EXPECT_NEAR(o.episode_pnl[0], -0.044808, 1e-12);
  EXPECT_NEAR(o.reward[0], -0.044808 - (-0.100808), 1e-6);  // dPnL, eta 0
  EXPECT_EQ(o.episode_fills[0], 2);
  EXPECT_EQ(o.episode_length[0], 2);
}

// ---------------------------------------------------------------------------
// 4. Accounting, 5. rewards, 9. observations: one four-step episode
// ---------------------------------------------------------------------------

// Depth 2, tick 0.01, the range {0, 5} forces a four-step episode from row 0.
const std::vector<BookRow> kAccountRows = {
    {{{100, 5}, {99, 5}}, {{103, 5}, {104, 5}}},  // 0: mid2 203, mid 1.015
    {{{97, 5}, {96, 5}}, {{100, 2}, {101, 3}}},   // 1: mid2 197, mid 0.985
    {{{100, 4}, {99, 5}}, {{102, 4}, {103, 5}}},  // 2: mid2 202, mid 1.01
    {{{99, 1}, {98, 5}}, {{101, 1}, {102, 5}}},   // 3: mid2 200, mid 1.00
    {{{102, 1}, {101, 5}}, {{104, 1}, {105, 5}}}, // 4: mid2 206, mid 1.03
};
const std::vector<ActionRow> kAccountActions = {
    {0, 0, 0, 0},  // 0: no quote
    {0, 0, 4, 0},  // 1: bid 4 at the mid rounded down
    {0, 0, 0, 4},  // 2: ask 4 at the mid rounded up
    {0, 0, 1, 0},  // 3: bid 1
};
// The episode played with actions 1, 2, 3, 0:
//  step 1 at row 0: bid floor(101.5) = 101 buys 2 at 100 + 2 at 101 of row 1, at 1.01:
//          cash -4.04, position 4, PnL -4.04 + 4 x 0.985 = -0.10; not flat: unrealised -0.10
//  step 2 at row 1: ask ceil(98.5) = 99 sells 4 to row 2's 100x4 at 0.99:
//          cash -4.04 + 3.96 = -0.08, position 0, PnL -0.08; flat: unrealised 0
//  step 3 at row 2: bid floor(101) = 101 buys 1 from row 3's 101x1 (102 > 101 stops):
//          cash -1.09, position 1, PnL -1.09 + 1.00 = -0.09; unrealised -0.09 - (-0.08) = -0.01
//  step 4 at row 3: no quote; the window ends at row 4: mark -1.09 + 1.03 = -0.06;
//          liquidation sells 1 to 102x1 at 1.02: cash = PnL = -0.07, flat
const std::vector<std::int32_t> kAccountPlay = {1, 2, 3, 0};
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
    EXPECT_NEAR(o.cash[0], cash[k], 1e-12) << "step " << k + 1;
    EXPECT_DOUBLE_EQ(o.position[0], position[k]) << "step " << k + 1;
    EXPECT_NEAR(o.pnl[0], cash[k] + position[k] * mid[k], 1e-12) << "step " << k + 1;
    EXPECT_NEAR(o.pnl[0], kAccountPnl[static_cast<std::size_t>(k)], 1e-12) << "step " << k + 1;
  }
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_EQ(o.truncated[0], 0);
  EXPECT_NEAR(o.episode_pnl_mark[0], -0.06, 1e-12);
  EXPECT_NEAR(o.episode_pnl[0], -0.07, 1e-12);
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
    EXPECT_NEAR(frame[kF + 2], kAccountPnl[static_cast<std::size_t>(k)], 1e-6) << "step " << k + 1;
    EXPECT_NEAR(frame[kF + 3], unrealised[k], 1e-6) << "step " << k + 1;
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
  EXPECT_NEAR(r[0], -0.10, 1e-6);               // negative: undamped
  EXPECT_NEAR(r[1], 0.02 - 0.5 * 0.02, 1e-6);   // 0.01
  EXPECT_NEAR(r[2], -0.01, 1e-6);
  EXPECT_NEAR(r[3], 0.02 - 0.5 * 0.02, 1e-6);   // includes the liquidation
}

TEST(EnvReward, SpoonerDampensOnlyTheInventoryPnl) {
  EnvConfig c = base_config(4, kAccountActions);
  c.reward.kind = RewardKind::spooner;
  c.reward.eta = 0.5;
  const std::vector<float> r = play_rewards(c);
  // Step 1: position before 0: nothing dampened.
  EXPECT_NEAR(r[0], -0.10, 1e-6);
  // Step 2: position before 4, mid 0.985 -> 1.01: inventory PnL 4 x 0.025 = 0.10.
  EXPECT_NEAR(r[1], 0.02 - 0.5 * 0.10, 1e-6);  // -0.03
  // Step 3: position before 0.
  EXPECT_NEAR(r[2], -0.01, 1e-6);
  // Step 4: position before 1, mid 1.00 -> 1.03: inventory PnL 0.03.
  EXPECT_NEAR(r[3], 0.02 - 0.5 * 0.03, 1e-6);  // 0.005
}

TEST(EnvReward, SpoonerLeavesSpreadCaptureUndamped) {
  // The crossed row of the fill rows: flat before the step, both quotes fill:
  // dPnL = PnL = 0.01 (see BothSidesFillInOneStep) with no inventory held over the step.
  const Market m = make_market(kFillRows, {kBothRange});
  EnvConfig c = base_config(2, kFillActions);
  c.reward.eta = 0.5;
  c.reward.kind = RewardKind::spooner;
  EXPECT_NEAR(fill_env(m, c, 7)->outputs().reward[0], 0.01, 1e-6);  // P_before = 0: nothing dampened
  c.reward.kind = RewardKind::asymmetric;
  EXPECT_NEAR(fill_env(m, c, 7)->outputs().reward[0], 0.01 - 0.5 * 0.01, 1e-6);
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
  EXPECT_NEAR(env->outputs().reward[0], -0.10, 1e-6);
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
      EXPECT_NEAR(r[static_cast<std::size_t>(s)], dpnl[s] - w * k.f(position[s]), 1e-6)
          << to_string(k.kind) << " step " << s + 1;
    }
  }
  // penalty_weight 0 turns the penalty off.
  EnvConfig c = base_config(4, kAccountActions);
  c.reward.penalty = PenaltyKind::quadratic;
  const std::vector<float> r = play_rewards(c);
  EXPECT_NEAR(r[0], -0.10, 1e-6);
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
  EXPECT_NEAR(env->outputs().bid_volume[0], 2.0, 1e-12);
  EXPECT_NEAR(env->outputs().cash[0], -2.0, 1e-12);
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
  EXPECT_NEAR(o.cash[0], -1005.0, 1e-9);
  EXPECT_NEAR(o.pnl[0], -10.0, 1e-9);  // -1005 + 10 x 99.5
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_EQ(o.truncated[0], 0);
  // Mark at row 2: -1005 + 10 x 100 = -5.
  EXPECT_NEAR(o.episode_pnl_mark[0], -5.0, 1e-9);
  // Sell 10: 3 at 199 (99.5) = 298.5, 4 at 198 (99.0) = 396, the 3 beyond the
  // visible depth at the deepest price 99.0 = 297: 991.5; taker 10 bps = 0.9915.
  EXPECT_NEAR(o.fees[0], 0.9915, 1e-9);
  EXPECT_NEAR(o.episode_pnl[0], -1005.0 + 991.5 - 0.9915, 1e-9);  // -14.4915
  EXPECT_NEAR(o.reward[0], -14.4915 - (-10.0), 1e-4);
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
  EXPECT_NEAR(o.pnl[0], -10.0, 1e-9);  // 1005 - 10 x 101.5
  step1(*env, 0);
  EXPECT_EQ(o.terminated[0], 1);
  EXPECT_NEAR(o.episode_pnl_mark[0], -5.0, 1e-9);  // 1005 - 10 x 101
  // Buy 10: 3 at 203 (101.5) = 304.5, 4 at 204 (102) = 408, 3 more at 102 = 306:
  // 1018.5; taker 1.0185.
  EXPECT_NEAR(o.fees[0], 1.0185, 1e-9);
  EXPECT_NEAR(o.episode_pnl[0], 1005.0 - 1018.5 - 1.0185, 1e-9);  // -14.5185
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
    EXPECT_NEAR(o.liquidation[0], -8.5, 1e-9);
    EXPECT_NEAR(o.liquidation_fee[0], long_position ? 0.9915 : 1.0185, 1e-12);
    // The episode's PnL is its mark plus the liquidation, less the taker fee.
    EXPECT_NEAR(o.episode_pnl[0], o.episode_pnl_mark[0] + o.liquidation[0] - o.liquidation_fee[0], 1e-9);
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
  EXPECT_NEAR(o.episode_pnl[0], -5.0, 1e-9);  // no liquidation: the mark, no taker fee
  EXPECT_NEAR(o.episode_pnl_mark[0], -5.0, 1e-9);
  EXPECT_DOUBLE_EQ(o.fees[0], 0.0);
  EXPECT_NEAR(o.reward[0], 5.0, 1e-5);  // -5 - (-10)
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
  EXPECT_NEAR(o.pnl[0], -10.0, 1e-9);
  EXPECT_NEAR(o.reward[0], -10.0, 1e-5);
  EXPECT_EQ(o.truncated[0], 0);
}

// ---------------------------------------------------------------------------
// Episode starts
// ---------------------------------------------------------------------------

TEST(EnvEpisodes, StartsAreDrawnOverEveryFittingStartInRangeOrder) {
  // L = 2 needs 3 rows. Ranges [0, 4): starts 0, 1; [4, 6): none (2 rows);
  // [10, 15): starts 10, 11, 12. Offered starts in range order: 0, 1, 10, 11, 12.
  const Market m = make_market(std::vector<BookRow>(15, BookRow{{{100, 5}}, {{101, 5}}}), {{0, 4}, {4, 6}, {10, 15}});
  const std::int64_t offered[] = {0, 1, 10, 11, 12};
  constexpr std::int64_t kEnvs = 40;
  constexpr std::uint64_t kSeed = 77;
  auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}), kEnvs, kSeed);
  const std::vector<std::int32_t> actions(kEnvs, 0);
  std::set<std::int64_t> seen;
  for (std::uint64_t episode = 0; episode < 4; ++episode) {
    if (episode > 0) {
      env->step(actions.data());
      env->step(actions.data());
      ASSERT_EQ(env->outputs().terminated[0], 1);
    }
    for (std::int64_t i = 0; i < kEnvs; ++i) {
      // pick = uniform_index(seed, env, episode, 0, episode_start) over the 5 offered starts.
      const std::uint64_t pick =
          uniform_index(kSeed, static_cast<std::uint64_t>(i), episode, 0, RngPurpose::episode_start, 5);
      const std::int64_t start = offered[pick];
      // The first frame shows the start row's features: f0 = 10 x row.
      const float* frame = frame_of(*env, env->outputs().obs, i, 0);
      EXPECT_FLOAT_EQ(frame[0], feature_value(start, 0)) << "env " << i << " episode " << episode;
      seen.insert(static_cast<std::int64_t>(std::lround(frame[0] / 10)));
    }
  }
  // 160 draws over 5 starts reach every one of them and nothing else.
  EXPECT_EQ(seen, (std::set<std::int64_t>{0, 1, 10, 11, 12}));
}

// ---------------------------------------------------------------------------
// 10. Curriculum
// ---------------------------------------------------------------------------

// One range of 11 rows: cap = 10 steps.
Market curriculum_market() {
  return make_market(std::vector<BookRow>(11, BookRow{{{100, 5}}, {{101, 5}}}), {{0, 11}});
}

/// Lengths of the episodes env `i` finished within `steps` steps, read from
/// episode_length; each is also checked against the steps counted.
std::vector<std::vector<int>> episode_lengths(BatchEnv& env, int steps) {
  const std::int64_t n = env.num_envs();
  std::vector<std::vector<int>> lengths(static_cast<std::size_t>(n));
  std::vector<int> since(static_cast<std::size_t>(n), 0);
  const std::vector<std::int32_t> actions(static_cast<std::size_t>(n), 0);
  for (int s = 0; s < steps; ++s) {
    env.step(actions.data());
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      since[k] += 1;
      if (env.outputs().terminated[i] || env.outputs().truncated[i]) {
        lengths[k].push_back(env.outputs().episode_length[i]);
        EXPECT_EQ(env.outputs().episode_length[i], since[k]) << "env " << i << " at step " << s + 1;
        since[k] = 0;
      }
    }
  }
  return lengths;
}

EnvConfig curriculum_config(CurriculumCount count, std::int64_t every, std::int64_t max_length) {
  EnvConfig c = base_config(2, {{0, 0, 0, 0}});
  c.curriculum.enabled = true;
  c.curriculum.count = count;
  c.curriculum.increment = 3;
  c.curriculum.every = every;
  c.curriculum.max_length = max_length;
  return c;
}

TEST(EnvCurriculum, PerEnvGrowthUpToTheMaximum) {
  const Market m = curriculum_market();
  auto env = make_env(m, curriculum_config(CurriculumCount::per_env, 1, 9));
  // L = min(2 + 3 e, 9) with e = this env's finished episodes: 2, 5, 8, min(11, 9), min(14, 9).
  // 2 + 5 + 8 + 9 + 9 = 33 steps.
  const auto lengths = episode_lengths(*env, 33);
  EXPECT_EQ(lengths[0], (std::vector<int>{2, 5, 8, 9, 9}));
  EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(env->finished_total(), 5);
}

TEST(EnvCurriculum, PerEnvEveryAndTheCapOfTheLongestRange) {
  const Market m = curriculum_market();
  auto env = make_env(m, curriculum_config(CurriculumCount::per_env, 2, 20));
  // L = min(2 + 3 floor(e / 2), 20), capped at 11 - 1 = 10:
  // e = 0..6: 2, 2, 5, 5, 8, 8, min(11, 10) = 10. 2+2+5+5+8+8+10 = 40 steps.
  const auto lengths = episode_lengths(*env, 40);
  EXPECT_EQ(lengths[0], (std::vector<int>{2, 2, 5, 5, 8, 8, 10}));
}

TEST(EnvCurriculum, AllEnvsCountsEveryEnvsEpisodesAtTheStartOfTheStep) {
  const Market m = curriculum_market();
  auto env = make_env(m, curriculum_config(CurriculumCount::all_envs, 1, 20), 2);
  // Both envs run episode 0 of 2 steps. Step 2: both end; at the start of that
  // step 0 episodes had finished: episode 1 is 2 steps. Step 4: both end, 2 had
  // finished: 2 + 3 x 2 = 8. Step 12: 4 had finished: 2 + 12 = 14, capped at 10
  // (ends at step 22).
  const auto lengths = episode_lengths(*env, 22);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(lengths[static_cast<std::size_t>(i)], (std::vector<int>{2, 2, 8, 10}));
  EXPECT_EQ(env->finished_total(), 8);
  EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{4, 4}));
}

TEST(EnvCurriculum, SetFinishedEpisodesRestoresTheState) {
  const Market m = curriculum_market();
  {
    auto env = make_env(m, curriculum_config(CurriculumCount::per_env, 1, 20));
    env->set_finished_episodes({1}, 1);
    EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(env->finished_total(), 1);
    // Episode 0 has begun (2 steps); when it ends e = 1 + 1 = 2: 2 + 6 = 8.
    const auto lengths = episode_lengths(*env, 10);
    EXPECT_EQ(lengths[0], (std::vector<int>{2, 8}));
    EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{3}));
    // reset() clears the counters: episodes of 2 steps again, then 5.
    env->reset();
    EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{0}));
    EXPECT_EQ(env->finished_total(), 0);
    EXPECT_EQ(episode_lengths(*env, 7)[0], (std::vector<int>{2, 5}));
    EXPECT_THROW(env->set_finished_episodes({1, 2}, 3), Error);
  }
  {
    auto env = make_env(m, curriculum_config(CurriculumCount::all_envs, 1, 20), 2);
    env->set_finished_episodes({0, 0}, 2);
    // Step 2: both end with 2 episodes counted before the step: 2 + 6 = 8.
    const auto lengths = episode_lengths(*env, 10);
    EXPECT_EQ(lengths[0], (std::vector<int>{2, 8}));
    EXPECT_EQ(lengths[1], (std::vector<int>{2, 8}));
    EXPECT_EQ(env->finished_total(), 6);
  }
}

// ---------------------------------------------------------------------------
// The shipped GOOG sample (11. determinism, 13. invariants)
// ---------------------------------------------------------------------------

struct Sample {
  BookTensor book;
  FeatureTable table;
  Splits splits;
  EnvData data() const { return {&book, &table, &splits}; }
};

const Sample& sample() {
  static const Sample s = [] {
    Sample out;
    LoadOptions options;
    options.format = DataFormat::lobster;
    options.files = {sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")};
    out.book = load_book_uncached(options).book;
    out.table = compute_features_cpu(out.book, FeatureConfig{});
    out.splits = make_splits(out.book, out.table.layout.warmup_rows(), SplitConfig{});
    normalise_features(out.table, out.splits.train);
    return out;
  }();
  return s;
}

EnvConfig sample_config() {
  EnvConfig c;
  c.episode_length = 300;
  c.offset_unit = OffsetUnit::half_spread;
  c.actions = {{0.5, 0.5, 100, 100}, {1, 1, 100, 100}, {2, 2, 200, 200},
               {0, 3, 100, 0},       {3, 0, 0, 100},    {1, 1, 0, 0}};
  c.maker_fee_bps = -0.2;
  c.taker_fee_bps = 3;
  c.inventory_limit = 1000;
  c.reward.eta = 0.1;
  c.observation.stack = 2;
  c.observation.cash_scale = 1e5;
  c.observation.position_scale = 100;
  c.observation.pnl_scale = 100;
  return c;
}

/// Every output buffer's bytes.
std::vector<std::vector<std::uint8_t>> snapshot(const BatchEnv& env) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const BufferDesc& d : env.describe_outputs()) {
    const auto* p = static_cast<const std::uint8_t*>(d.data);
    out.emplace_back(p, p + buffer_bytes(d));
  }
  return out;
}

std::vector<std::vector<std::vector<std::uint8_t>>> trajectory(BatchEnv& env, int steps, std::uint32_t action_seed) {
  std::mt19937 random(action_seed);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(env.num_envs()));
  std::vector<std::vector<std::vector<std::uint8_t>>> all = {snapshot(env)};
  for (int s = 0; s < steps; ++s) {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % static_cast<std::uint32_t>(env.action_count()));
    env.step(actions.data());
    all.push_back(snapshot(env));
  }
  return all;
}

TEST(EnvOutputs, DescribeNamesEveryBufferWithItsShape) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  EnvConfig c = base_config(4, kAccountActions);
  c.observation.stack = 3;
  auto env = make_env(m, c, 4);
  const auto buffers = env->describe_outputs();
  ASSERT_EQ(buffers.size(), 24u);
  EXPECT_EQ(buffers[0].name, "obs");
  EXPECT_EQ(buffers[0].dtype, DType::float32);
  EXPECT_EQ(buffers[0].shape, (std::vector<std::int64_t>{4, 3, kFrame}));
  EXPECT_EQ(buffers[0].data, static_cast<void*>(env->outputs().obs));
  EXPECT_EQ(buffers[1].name, "final_obs");
  EXPECT_EQ(buffers.back().name, "fault");
  EXPECT_EQ(buffers.back().shape, (std::vector<std::int64_t>{3}));
  for (const BufferDesc& d : buffers) EXPECT_EQ(d.device, Backend::cpu) << d.name;
}

TEST(EnvDeterminism, SameSeedSameTrajectoryAnyThreadCount) {
  const Sample& s = sample();
  EnvConfig c = sample_config();
  c.episode_length = 50;  // several episodes in 200 steps
  auto a = make_cpu_env(s.data(), c, 16, 42, 2);
  auto b = make_cpu_env(s.data(), c, 16, 42, 2);
  auto one_thread = make_cpu_env(s.data(), c, 16, 42, 1);
  const auto ta = trajectory(*a, 200, 5);
  EXPECT_GE(a->finished_total(), 3 * 16);
  EXPECT_TRUE(ta == trajectory(*b, 200, 5)) << "same seed, same actions: different outputs";
  EXPECT_TRUE(ta == trajectory(*one_thread, 200, 5)) << "1 thread and 2 threads differ";
  // reset() replays episode 0 of every env.
  a->reset();
  EXPECT_TRUE(ta == trajectory(*a, 200, 5)) << "reset() does not replay the trajectory";
  // Another seed draws other windows: the first observations differ.
  auto other = make_cpu_env(s.data(), c, 16, 43, 2);
  const auto first = snapshot(*other);
  int envs_differing = 0;
  const std::int64_t obs_size = a->observation_size();
  for (std::int64_t i = 0; i < 16; ++i) {
    envs_differing += std::memcmp(first[0].data() + i * obs_size * 4, ta[0][0].data() + i * obs_size * 4,
                                  static_cast<std::size_t>(obs_size) * 4) != 0;
  }
  EXPECT_GE(envs_differing, 12);  // thousands of starts: equal windows are rare
}

TEST(EnvInvariants, RandomActionsOnTheSample) {
  const Sample& s = sample();
  const BookTensor& book = s.book;
  const EnvConfig c = sample_config();
  constexpr std::int64_t kEnvs = 64;
  constexpr int kSteps = 1563;  // 64 x 1563 = 100,032 env-steps
  auto env = make_cpu_env(s.data(), c, kEnvs, 2024, 2);
  const auto& o = env->outputs();
  const double tick = book.instrument.tick_size, lot = book.instrument.lot_size;
  const int depth = book.depth;
  const int F = s.table.columns();
  const std::int64_t obs_size = env->observation_size();
  const int frame = env->params().frame_size;
  ASSERT_EQ(frame, F + kAgentFeatures);
  ASSERT_EQ(obs_size, 2 * frame);

  // The book's mids (half-ticks) and the largest visible depth per side (base units).
  std::set<std::int64_t> mids;
  double max_ask_depth = 0, max_bid_depth = 0;
  for (std::int64_t r = 0; r < book.rows(); ++r) {
    mids.insert(book.bid_price[static_cast<std::size_t>(r * depth)] + book.ask_price[static_cast<std::size_t>(r * depth)]);
    double asks = 0, bids = 0;
    for (int l = 0; l < depth; ++l) {
      asks += static_cast<double>(book.ask_size[static_cast<std::size_t>(r * depth + l)]);
      bids += static_cast<double>(book.bid_size[static_cast<std::size_t>(r * depth + l)]);
    }
    max_ask_depth = std::max(max_ask_depth, asks * lot);
    max_bid_depth = std::max(max_bid_depth, bids * lot);
  }
  const double min_mid = static_cast<double>(*mids.begin()) / 2 * tick;
  const double max_mid = static_cast<double>(*mids.rbegin()) / 2 * tick;

  std::mt19937 random(99);
  std::vector<std::int32_t> actions(kEnvs);
  std::vector<int> k(kEnvs, 0);  // steps taken in the current episode
  std::vector<double> cash(kEnvs, 0), position(kEnvs, 0), pnl(kEnvs, 0);
  std::int64_t bad_mark = 0, bad_flat = 0, bad_volume = 0, bad_nan = 0, bad_time = 0, bad_account = 0,
               bad_reward = 0, bad_limit = 0, ended = 0, fills = 0, holding = 0, liquidated = 0;
  std::string first_problem;
  auto note = [&](std::int64_t& counter, const std::string& what) {
    if (counter++ == 0 && first_problem.empty()) first_problem = what;
  };
  for (int step = 1; step <= kSteps; ++step) {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % c.actions.size());
    env->step(actions.data());
    for (std::int64_t i = 0; i < kEnvs; ++i) {
      const auto e = static_cast<std::size_t>(i);
      const std::string where = "env " + std::to_string(i) + " step " + std::to_string(step);
      const bool done = o.terminated[i] || o.truncated[i];
      if (o.truncated[i] != 0) note(bad_account, where + ": truncated with liquidate_at_end");
      k[e] = done ? 0 : k[e] + 1;
      ended += done;
      fills += o.bid_fills[i] + o.ask_fills[i];
      // No NaN in the observation or the reward.
      for (std::int64_t j = 0; j < obs_size; ++j) {
        if (!std::isfinite(o.obs[i * obs_size + j])) note(bad_nan, where + ": obs not finite");
      }
      if (!std::isfinite(o.reward[i])) note(bad_nan, where + ": reward not finite");
      // Time left of the newest frame: (L - k) / L, in [0, 1].
      const float time_left = o.obs[i * obs_size + frame + F + 4];
      if (!(time_left >= 0.0f && time_left <= 1.0f) ||
          std::fabs(time_left - (300.0 - k[e]) / 300.0) > 1e-6) {
        note(bad_time, where + ": time left " + std::to_string(time_left));
      }
      // Fill volumes never exceed the visible depth.
      if (o.bid_volume[i] > max_ask_depth || o.ask_volume[i] > max_bid_depth || o.bid_volume[i] < 0 ||
          o.ask_volume[i] < 0) {
        note(bad_volume, where + ": fill volume beyond the visible depth");
      }
      // Mark: PnL = cash + position x a mid of the book (on the half-tick grid).
      if (done && o.episode_pnl[i] != o.episode_pnl_mark[i]) ++liquidated;
      if (std::fabs(o.position[i]) > 1e-9) {
        ++holding;
        const double mid = (o.pnl[i] - o.cash[i]) / o.position[i];
        const double half_ticks = mid * 2 / tick;
        if (mid < min_mid - 1e-6 || mid > max_mid + 1e-6 || std::fabs(half_ticks - std::round(half_ticks)) > 1e-4 ||
            mids.count(std::llround(half_ticks)) == 0) {
          note(bad_mark, where + ": PnL - cash = position x " + std::to_string(mid) + ", not a mid of the book");
        }
      } else if (std::fabs(o.pnl[i] - o.cash[i]) > 1e-9) {
        note(bad_flat, where + ": flat but PnL != cash");
      }
      if (!done) {
        // The account moves by the step's fills and fees only.
        const double expected_position = position[e] + o.bid_volume[i] - o.ask_volume[i];
        const double expected_cash =
            cash[e] - o.bid_volume[i] * o.bid_price[i] + o.ask_volume[i] * o.ask_price[i] - o.fees[i];
        if (std::fabs(o.position[i] - expected_position) > 1e-9 ||
            std::fabs(o.cash[i] - expected_cash) > 1e-9 * std::max(1.0, std::fabs(expected_cash))) {
          note(bad_account, where + ": cash or position moved by more than the fills and fees");
        }
        // Asymmetric reward with eta 0.1, no penalty.
        const double dpnl = o.pnl[i] - pnl[e];
        const double reward = dpnl - 0.1 * std::max(dpnl, 0.0);
        if (std::fabs(o.reward[i] - reward) > 1e-5 * std::max(1.0, std::fabs(reward))) {
          note(bad_reward, where + ": reward " + std::to_string(o.reward[i]) + ", expected " + std::to_string(reward));
        }
        if (std::fabs(o.position[i]) > c.inventory_limit + 1e-9) note(bad_limit, where + ": beyond the limit");
      } else {
        // The new episode starts empty; the old one ended flat after liquidation.
        if (o.pnl[i] != 0 || o.position[i] != 0 || o.cash[i] != 0) note(bad_account, where + ": reset not empty");
      }
      cash[e] = o.cash[i];
      position[e] = o.position[i];
      pnl[e] = o.pnl[i];
    }
  }
  EXPECT_EQ(bad_nan, 0) << first_problem;
  EXPECT_EQ(bad_time, 0) << first_problem;
  EXPECT_EQ(bad_volume, 0) << first_problem;
  EXPECT_EQ(bad_mark, 0) << first_problem;
  EXPECT_EQ(bad_flat, 0) << first_problem;
  EXPECT_EQ(bad_account, 0) << first_problem;
  EXPECT_EQ(bad_reward, 0) << first_problem;
  EXPECT_EQ(bad_limit, 0) << first_problem;
  // 1563 steps of 300-step episodes: 5 per env.
  EXPECT_EQ(ended, 5 * kEnvs);
  EXPECT_EQ(env->finished_total(), 5 * kEnvs);
  EXPECT_GT(fills, 100);          // the scenario trades,
  EXPECT_GT(holding, kSteps);     // holds positions (the mark check ran),
  EXPECT_GT(liquidated, kEnvs);   // and liquidates at the ends of windows
  EXPECT_NO_THROW(env->check_faults());
}

// ---------------------------------------------------------------------------
// 12. Faults and configuration errors
// ---------------------------------------------------------------------------

TEST(EnvFaults, AnInvalidActionIsReportedWithItsEnvAndStepThenCleared) {
  const Market m = make_market(kFillRows, {kBidRange});
  // Action 0 bids 4: an invalid index falls back to it.
  auto env = make_env(m, base_config(2, {{0, 0, 4, 0}, {0, 0, 0, 0}}), 3);
  const auto& o = env->outputs();
  const std::int32_t actions[] = {1, 7, -1};
  env->step(actions);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 4.0);  // action 0 was used
  EXPECT_DOUBLE_EQ(o.bid_volume[2], 4.0);
  EXPECT_EQ(o.fault[0], 1);  // the lowest env
  EXPECT_EQ(o.fault[1], 0);
  EXPECT_EQ(o.fault[2], static_cast<std::int64_t>(FaultKind::invalid_action));
  try {
    env->check_faults();
    ADD_FAILURE() << "no fault reported";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("env 1"), std::string::npos) << what;
    EXPECT_NE(what.find("step 0"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(env->check_faults());
  EXPECT_EQ(o.fault[0], -1);
  const std::int32_t valid[] = {0, 0, 0};
  env->step(valid);
  EXPECT_NO_THROW(env->check_faults());
}

TEST(EnvFaults, TheFirstFaultIsKeptUntilChecked) {
  const Market m = make_market(kFillRows, {{0, 9}});
  auto env = make_env(m, base_config(4, {{0, 0, 0, 0}}), 3);
  const std::int32_t first[] = {0, 0, 5};   // env 2, step 0 of its episode
  const std::int32_t second[] = {5, 0, 0};  // env 0, step 1: later, not the first
  env->step(first);
  env->step(second);
  try {
    env->check_faults();
    ADD_FAILURE() << "no fault reported";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("env 2, step 0"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(env->check_faults());
}

void expect_config_error(const EnvConfig& c, const std::string& key) {
  try {
    validate(c);
    ADD_FAILURE() << "no ConfigError for " << key;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key);
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
}

TEST(EnvConfigValidation, RejectsValuesOutsideTheirRange) {
  const EnvConfig good = base_config(10, {{1, 1, 1, 1}});
  EXPECT_NO_THROW(validate(good));
  EnvConfig c = good;
  c.actions.clear();
  expect_config_error(c, "env.actions");
  c = good;
  c.actions = {{1, 1, 1, 1}, {-0.5, 1, 1, 1}};
  expect_config_error(c, "env.actions[1]");
  c = good;
  c.observation.stack = 0;
  expect_config_error(c, "env.observation.stack");
  c = good;
  c.reward.eta = 1.5;
  expect_config_error(c, "env.reward.eta");
  c = good;
  c.episode_length = 0;
  expect_config_error(c, "env.episode_length");
  // make_cpu_env validates too.
  const Market m = make_market(kFillRows, {kBidRange});
  c = good;
  c.actions.clear();
  EXPECT_THROW(make_env(m, c), ConfigError);
  // A split without a range of 2 rows cannot hold one step.
  const Market short_split = make_market(kFillRows, {{0, 1}, {4, 5}});
  try {
    make_env(short_split, good);
    ADD_FAILURE() << "no ConfigError for env.split";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "env.split");
  }
}


// ---------------------------------------------------------------------------
// 14. Explicit quotes (BatchEnv::step_quotes): offsets in ticks from the mid
// ---------------------------------------------------------------------------

/// Steps every env of `env` with the explicit quotes `quotes` [N].
void step_quotes(BatchEnv& env, std::vector<ActionRow> quotes) {
  ASSERT_EQ(static_cast<std::int64_t>(quotes.size()), env.num_envs());
  env.step_quotes(quotes.data());
}

/// Expects every output buffer of `a` and `b` to hold the same bytes, naming the first that differs.
void expect_same_outputs(const BatchEnv& a, const BatchEnv& b, const std::string& what) {
  const auto da = a.describe_outputs();
  const auto db = b.describe_outputs();
  ASSERT_EQ(da.size(), db.size());
  for (std::size_t k = 0; k < da.size(); ++k) {
    ASSERT_EQ(da[k].name, db[k].name);
    ASSERT_EQ(buffer_bytes(da[k]), buffer_bytes(db[k])) << da[k].name;
    EXPECT_EQ(std::memcmp(da[k].data, db[k].data, static_cast<std::size_t>(buffer_bytes(da[k]))), 0)
        << what << ": output '" << da[k].name << "' differs";
  }
}

// Two envs over kAccountRows (range {0, 5}: four-step episodes from row 0),
// six steps: the first episode ends (liquidation, final_obs, reset) and a
// second one starts, both envs at the same row at every step.
const std::vector<std::vector<std::int32_t>> kQuotePlays = {{1, 2, 3, 0, 1, 2}, {2, 3, 1, 1, 0, 3}};

/// Mechanics on: fees, dampening, a penalty, an inventory limit, a stack of 2.
EnvConfig explicit_quote_config(std::vector<ActionRow> actions) {
  EnvConfig c = base_config(4, std::move(actions));
  c.maker_fee_bps = 2;
  c.taker_fee_bps = 10;
  c.reward.eta = 0.1;
  c.reward.penalty = PenaltyKind::quadratic;
  c.reward.penalty_weight = 0.01;
  c.inventory_limit = 3;
  c.observation.stack = 2;
  return c;
}

/// Plays kQuotePlays on an action-table env and, with `quote_of(action, step)`,
/// on an explicit-quote env; expects the same outputs after every step.
void expect_explicit_quotes_match_actions(const EnvConfig& action_config, const EnvConfig& quote_config,
                                          const std::function<ActionRow(std::int32_t, int)>& quote_of) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto by_action = make_env(m, action_config, 2);
  auto by_quote = make_env(m, quote_config, 2);
  expect_same_outputs(*by_action, *by_quote, "after reset");
  std::int64_t fills = 0;
  for (int k = 0; k < 6; ++k) {
    const std::int32_t actions[] = {kQuotePlays[0][static_cast<std::size_t>(k)],
                                    kQuotePlays[1][static_cast<std::size_t>(k)]};
    by_action->step(actions);
    step_quotes(*by_quote, {quote_of(actions[0], k), quote_of(actions[1], k)});
    expect_same_outputs(*by_action, *by_quote, "step " + std::to_string(k + 1));
    const auto& o = by_quote->outputs();
    fills += o.bid_fills[0] + o.ask_fills[0] + o.bid_fills[1] + o.ask_fills[1];
    if (k == 3) {
      EXPECT_EQ(o.terminated[0], 1);  // the episode ended inside the compared steps
      EXPECT_EQ(o.terminated[1], 1);
    }
  }
  EXPECT_GT(fills, 2) << "the scenario should trade";
  EXPECT_NO_THROW(by_quote->check_faults());
}

TEST(EnvExplicitQuotes, TicksGiveTheSameOutputsAsTheActionTableInTicks) {
  // kAccountActions are in ticks; the explicit quotes carry the same rows.
  const EnvConfig actions = explicit_quote_config(kAccountActions);
  expect_explicit_quotes_match_actions(actions, actions, [](std::int32_t a, int) {
    return kAccountActions[static_cast<std::size_t>(a)];
  });
  // Explicit offsets are ticks whatever env.offset_unit says: the explicit env
  // below is configured in price units, where offsets of 1 and 2 would mean
  // 100 and 200 ticks, and still quotes 1 and 2 ticks from the mid.
  const std::vector<ActionRow> wider = {{0, 0, 0, 0}, {1, 0, 4, 0}, {0, 2, 0, 4}, {2, 1, 1, 1}};
  EnvConfig in_price = explicit_quote_config(wider);
  in_price.offset_unit = OffsetUnit::price;
  expect_explicit_quotes_match_actions(explicit_quote_config(wider), in_price, [&](std::int32_t a, int) {
    return wider[static_cast<std::size_t>(a)];
  });
}

TEST(EnvExplicitQuotes, HalfSpreadOffsetsEqualTheirTicksAtTheCurrentRow) {
  // Half-spreads of kAccountRows in ticks: row 0 (103 - 100) / 2 = 1.5,
  // row 1 (100 - 97) / 2 = 1.5, row 2 (102 - 100) / 2 = 1, row 3 (101 - 99) / 2 = 1.
  // Steps 1-4 start at rows 0-3, steps 5-6 (the next episode) at rows 0-1.
  const double half_spread_ticks[] = {1.5, 1.5, 1.0, 1.0, 1.5, 1.5};
  const std::vector<ActionRow> table = {{0, 0, 0, 0}, {1, 1, 4, 4}, {0.5, 2, 2, 3}, {3, 0, 1, 5}};
  EnvConfig c = explicit_quote_config(table);
  c.offset_unit = OffsetUnit::half_spread;
  // The explicit env has offset_unit half_spread too: its quotes are still read as ticks.
  expect_explicit_quotes_match_actions(c, c, [&](std::int32_t a, int step) {
    ActionRow q = table[static_cast<std::size_t>(a)];
    q.bid_offset *= half_spread_ticks[step];
    q.ask_offset *= half_spread_ticks[step];
    return q;
  });
}

// Depth 2, tick 0.01; three steps over rows 0-3 (range {0, 4}).
const std::vector<BookRow> kFractionRows = {
    {{{100, 5}}, {{103, 5}}},             // 0: mid2 203 (101.5 ticks)
    {{{102, 3}, {101, 5}}, {{105, 5}}},   // 1: mid2 207 (103.5 ticks), mid 1.035
    {{{100, 5}}, {{102, 2}, {103, 5}}},   // 2: mid2 202, mid 1.01
    {{{100, 5}}, {{101, 5}}},             // 3
};

TEST(EnvExplicitQuotes, FractionalTickOffsetsRoundAwayFromTheMid) {
  const Market m = make_market(kFractionRows, {{0, 4}});
  EnvConfig c = base_config(3, {{0, 0, 0, 0}});
  auto env = make_env(m, c, 3);
  const auto& o = env->outputs();
  // Step 1 at row 0, mid 101.5 ticks; the quotes fill against row 1 (bids 102x3, 101x5; ask 105).
  //  env 0 (1.3, 0.2): bid floor(100.2) = 100, ask ceil(101.7) = 102: the ask sells 3 to 102x3
  //        (101 < 102 stops) at 1.02: cash 3.06, position -3, PnL 3.06 - 3 x 1.035 = -0.045.
  //  env 1 (0.7, 0.6): bid floor(100.8) = 100 (not rounded to 101), ask ceil(102.1) = 103 (not
  //        102): no fill on either side.
  //  env 2 (1.3, 0.2) with bid size 0: no bid (output 0), the ask sells 3 like env 0.
  step_quotes(*env, {{1.3, 0.2, 4, 4}, {0.7, 0.6, 4, 4}, {1.3, 0.2, 0, 4}});
  EXPECT_EQ(o.bid_quote[0], 100);
  EXPECT_EQ(o.ask_quote[0], 102);
  EXPECT_EQ(o.bid_quote[1], 100);
  EXPECT_EQ(o.ask_quote[1], 103);
  EXPECT_EQ(o.bid_quote[2], 0);
  EXPECT_EQ(o.ask_quote[2], 102);
  for (int i : {0, 2}) {
    EXPECT_DOUBLE_EQ(o.bid_volume[i], 0.0) << "env " << i;
    EXPECT_DOUBLE_EQ(o.ask_volume[i], 3.0) << "env " << i;
    EXPECT_EQ(o.ask_fills[i], 1) << "env " << i;
    EXPECT_NEAR(o.ask_price[i], 1.02, 1e-12) << "env " << i;
    EXPECT_NEAR(o.cash[i], 3.06, 1e-12) << "env " << i;
    EXPECT_DOUBLE_EQ(o.position[i], -3.0) << "env " << i;
    EXPECT_NEAR(o.pnl[i], -0.045, 1e-12) << "env " << i;
  }
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 0.0);
  EXPECT_DOUBLE_EQ(o.ask_volume[1], 0.0);
  EXPECT_DOUBLE_EQ(o.cash[1], 0.0);
  // Step 2 at row 1, mid 103.5 ticks; the quotes fill against row 2 (asks 102x2, 103x5; bid 100).
  //  env 0 (1.3, 0.2): bid floor(102.2) = 102 buys 2 from 102x2 (103 > 102 stops) at 1.02;
  //        ask ceil(103.7) = 104: no fill. Position -3 + 2 = -1, cash 3.06 - 2.04 = 1.02,
  //        PnL 1.02 - 1 x 1.01 = 0.01.
  //  env 1 (0.7, 0.6): bid floor(102.8) = 102 also buys only 2 (rounded to 103 it would buy 4);
  //        ask ceil(104.1) = 105. Position 2, cash -2.04, PnL -2.04 + 2 x 1.01 = -0.02.
  //  env 2 (1.3, 0.2) with ask size 0: the bid buys 2 like env 0; no ask (output 0).
  step_quotes(*env, {{1.3, 0.2, 4, 4}, {0.7, 0.6, 4, 4}, {1.3, 0.2, 4, 0}});
  EXPECT_EQ(o.bid_quote[0], 102);
  EXPECT_EQ(o.ask_quote[0], 104);
  EXPECT_EQ(o.bid_quote[1], 102);
  EXPECT_EQ(o.ask_quote[1], 105);
  EXPECT_EQ(o.bid_quote[2], 102);
  EXPECT_EQ(o.ask_quote[2], 0);
  for (int i : {0, 1, 2}) {
    EXPECT_DOUBLE_EQ(o.bid_volume[i], 2.0) << "env " << i;
    EXPECT_EQ(o.bid_fills[i], 1) << "env " << i;
    EXPECT_NEAR(o.bid_price[i], 1.02, 1e-12) << "env " << i;
    EXPECT_DOUBLE_EQ(o.ask_volume[i], 0.0) << "env " << i;
  }
  EXPECT_DOUBLE_EQ(o.position[0], -1.0);
  EXPECT_NEAR(o.cash[0], 1.02, 1e-12);
  EXPECT_NEAR(o.pnl[0], 0.01, 1e-12);
  EXPECT_DOUBLE_EQ(o.position[1], 2.0);
  EXPECT_NEAR(o.cash[1], -2.04, 1e-12);
  EXPECT_NEAR(o.pnl[1], -0.02, 1e-12);
  EXPECT_DOUBLE_EQ(o.position[2], -1.0);
  EXPECT_NEAR(o.cash[2], 1.02, 1e-12);
  EXPECT_NO_THROW(env->check_faults());
}

TEST(EnvExplicitQuotes, NegativeOffsetsQuoteThroughTheMidAndFillWhenTheNextRowCrossesThem) {
  // Row 0: 100 / 103, mid 101.5 ticks. Row 1: bid 102x3, ask 103x2 (mid2 205, mid 1.025).
  const std::vector<BookRow> rows = {
      {{{100, 5}}, {{103, 5}}},
      {{{102, 3}}, {{103, 2}}},
      {{{100, 5}}, {{103, 5}}},
  };
  const Market m = make_market(rows, {{0, 3}});
  auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}), 2);
  const auto& o = env->outputs();
  //  env 0 (-2, -1): bid floor(101.5 + 2) = 103 (row 0's best ask) and ask ceil(101.5 - 1) = 101,
  //        both through the mid. Against row 1 the bid buys 2 from 103x2 at 1.03 and the ask
  //        sells 3 to 102x3 at 1.01:
  //        position 2 - 3 = -1, cash -2.06 + 3.03 = 0.97, PnL 0.97 - 1 x 1.025 = -0.055.
  //  env 1 (-0.5, 0) bid only: floor(102) = 102 < row 1's ask 103: no fill.
  step_quotes(*env, {{-2, -1, 4, 4}, {-0.5, 0, 4, 0}});
  EXPECT_EQ(o.bid_quote[0], 103);
  EXPECT_EQ(o.ask_quote[0], 101);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 2.0);
  EXPECT_NEAR(o.bid_price[0], 1.03, 1e-12);
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 3.0);
  EXPECT_NEAR(o.ask_price[0], 1.01, 1e-12);
  EXPECT_DOUBLE_EQ(o.position[0], -1.0);
  EXPECT_NEAR(o.cash[0], 0.97, 1e-12);
  EXPECT_NEAR(o.pnl[0], -0.055, 1e-12);
  EXPECT_EQ(o.bid_quote[1], 102);
  EXPECT_EQ(o.ask_quote[1], 0);
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 0.0);
  EXPECT_DOUBLE_EQ(o.position[1], 0.0);
  EXPECT_NO_THROW(env->check_faults());  // negative offsets are valid explicit quotes
}

TEST(EnvExplicitQuotes, InvalidQuotesAreFaultsAndPlaceNothing) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  // Each invalid quote would fill its bid if it were placed (offset 0 at row 0 of
  // kFillRows: bid 101 against row 1's asks 100x2, 101x3).
  const std::vector<std::pair<std::string, ActionRow>> invalid = {
      {"NaN bid offset", {nan, 0, 4, 4}},     {"infinite ask offset", {0, inf, 4, 4}},
      {"-inf bid offset", {-inf, 0, 4, 4}},   {"1e13 ticks", {1e13, 0, 4, 4}},
      {"-1e13 ask ticks", {0, -1e13, 4, 4}},  {"negative ask size", {0, 0, 4, -1}},
      {"NaN bid size", {0, 0, nan, 4}},       {"infinite ask size", {0, 0, 4, inf}},
  };
  const Market m = make_market(kFillRows, {kBidRange});
  for (const auto& [what, quote] : invalid) {
    SCOPED_TRACE(what);
    auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}), 3);
    const auto& o = env->outputs();
    // Env 0 and env 2 quote validly: bid 4 at 101 buys 2 at 100 + 2 at 101 of row 1 at 1.01.
    step_quotes(*env, {{0, 0, 4, 0}, quote, {0, 0, 4, 0}});
    for (int i : {0, 2}) {
      EXPECT_DOUBLE_EQ(o.bid_volume[i], 4.0) << "env " << i;
      EXPECT_EQ(o.bid_quote[i], 101) << "env " << i;
      EXPECT_NEAR(o.cash[i], -4.04, 1e-12) << "env " << i;
    }
    // Env 1: no quote on either side.
    EXPECT_EQ(o.bid_quote[1], 0);
    EXPECT_EQ(o.ask_quote[1], 0);
    EXPECT_DOUBLE_EQ(o.bid_volume[1], 0.0);
    EXPECT_DOUBLE_EQ(o.ask_volume[1], 0.0);
    EXPECT_EQ(o.bid_fills[1] + o.ask_fills[1], 0);
    EXPECT_DOUBLE_EQ(o.cash[1], 0.0);
    EXPECT_DOUBLE_EQ(o.position[1], 0.0);
    EXPECT_DOUBLE_EQ(o.pnl[1], 0.0);
    EXPECT_TRUE(std::isfinite(o.reward[1]));
    EXPECT_EQ(o.fault[0], 1);
    EXPECT_EQ(o.fault[1], 0);
    EXPECT_EQ(o.fault[2], static_cast<std::int64_t>(FaultKind::invalid_quote));
    try {
      env->check_faults();
      ADD_FAILURE() << "no fault reported";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("env 1, step 0"), std::string::npos) << message;
      EXPECT_NE(message.find("quote"), std::string::npos) << message;
    }
    EXPECT_NO_THROW(env->check_faults());  // cleared
  }
  // The fault names the step within the episode: a valid first step, then an invalid one.
  auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}), 2);
  step_quotes(*env, {{0, 0, 0, 0}, {0, 0, 0, 0}});
  EXPECT_NO_THROW(env->check_faults());
  step_quotes(*env, {{0, 0, -2, 0}, {0, 0, 0, 0}});
  try {
    env->check_faults();
    ADD_FAILURE() << "no fault reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("env 0, step 1"), std::string::npos) << e.what();
  }
}

TEST(EnvExplicitQuotes, LargeButValidOffsetsAreNotFaults) {
  // 1e11 ticks is inside the bound: the ask rests far away (no fill) and the bid
  // floor(101.5 - 1e11) is at or below 0 ticks, so it is not placed (output 0).
  const Market m = make_market(kFillRows, {kBidRange});
  auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}));
  const auto& o = env->outputs();
  step_quotes(*env, {{1e11, 1e11, 4, 4}});
  EXPECT_EQ(o.bid_quote[0], 0);
  EXPECT_EQ(o.ask_quote[0], 100000000102);  // ceil(101.5 + 1e11)
  EXPECT_DOUBLE_EQ(o.bid_volume[0] + o.ask_volume[0], 0.0);
  EXPECT_NO_THROW(env->check_faults());
}

TEST(EnvExplicitQuotes, AnAskAtOrBelowZeroTicksIsNotPlaced) {
  // Mid 101.5 at row 0: an ask offset of -101.5 puts the ask at ceil(0) = 0 ticks,
  // -200 at ceil(-98.5) = -98. Neither is placed, so nothing sells against row 1's
  // bids, while the valid bid (offset 0: 101) still buys 4.
  const Market m = make_market(kFillRows, {kBidRange});
  for (const double offset : {-101.5, -200.0}) {
    SCOPED_TRACE(offset);
    auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}));
    const auto& o = env->outputs();
    step_quotes(*env, {{0, offset, 4, 4}});
    EXPECT_EQ(o.ask_quote[0], 0);
    EXPECT_DOUBLE_EQ(o.ask_volume[0], 0.0);
    EXPECT_EQ(o.bid_quote[0], 101);
    EXPECT_DOUBLE_EQ(o.bid_volume[0], 4.0);
    EXPECT_NO_THROW(env->check_faults());
  }
}

TEST(EnvExplicitQuotes, TheActionPathReportsItsQuotesToo) {
  // kAccountPlay on kAccountActions (bid size 0 or ask size 0 in every row):
  //  step 1 at row 0 (mid2 203): action 1 bids at floor(101.5) = 101, no ask;
  //  step 2 at row 1 (mid2 197): action 2 asks at ceil(98.5) = 99, no bid;
  //  step 3 at row 2 (mid2 202): action 3 bids at floor(101) = 101;
  //  step 4 at row 3: action 0 quotes nothing.
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto env = make_env(m, base_config(4, kAccountActions));
  const auto& o = env->outputs();
  const Ticks bid[] = {101, 0, 101, 0};
  const Ticks ask[] = {0, 99, 0, 0};
  for (int k = 0; k < 4; ++k) {
    step1(*env, kAccountPlay[static_cast<std::size_t>(k)]);
    EXPECT_EQ(o.bid_quote[0], bid[k]) << "step " << k + 1;
    EXPECT_EQ(o.ask_quote[0], ask[k]) << "step " << k + 1;
  }
  // Both sides in half-spreads at row 0 (half-spread 1.5 ticks): bid floor(100) = 100,
  // ask ceil(103) = 103; 200 ticks below the mid the bid is at or below 0: not placed.
  {
    EnvConfig c = base_config(4, {{1, 1, 1, 1}, {200, 0, 1, 1}});
    c.offset_unit = OffsetUnit::half_spread;
    auto both = make_env(m, c);
    step1(*both, 0);
    EXPECT_EQ(both->outputs().bid_quote[0], 100);
    EXPECT_EQ(both->outputs().ask_quote[0], 103);
    c.offset_unit = OffsetUnit::ticks;
    auto low = make_env(m, c);
    step1(*low, 1);
    EXPECT_EQ(low->outputs().bid_quote[0], 0);    // floor(101.5 - 200) = -99
    EXPECT_EQ(low->outputs().ask_quote[0], 102);  // ceil(101.5)
  }
  // A bid the inventory limit skips is not placed either: limit 2, bid 4 lots.
  {
    EnvConfig c = base_config(4, kAccountActions);
    c.inventory_limit = 2;
    c.inventory_limit_mode = InventoryLimitMode::skip;
    auto limited = make_env(m, c);
    step1(*limited, 1);
    EXPECT_EQ(limited->outputs().bid_quote[0], 0);
    EXPECT_DOUBLE_EQ(limited->outputs().bid_volume[0], 0.0);
  }
}


// ---------------------------------------------------------------------------
// 15. Fill model trades (docs/mechanics.md, "Fill model trades"): resting
// orders filled by the message log's executions behind the visible queue.
// ---------------------------------------------------------------------------

/// One message of a hand-made log: price in half-ticks (2 x ticks).
struct TradeMsg {
  MessageType type;
  Lots size;
  std::int64_t half_ticks;
  std::int8_t direction;  ///< resting side: +1 bids, -1 asks
};

TradeMsg msg(MessageType type, Lots size, Ticks price, int direction) {
  return {type, size, 2 * price, static_cast<std::int8_t>(direction)};
}
TradeMsg visible(Lots size, Ticks price, int direction) {
  return msg(MessageType::visible_execution, size, price, direction);
}
TradeMsg hidden(Lots size, Ticks price, int direction) {
  return msg(MessageType::hidden_execution, size, price, direction);
}

/// Attaches a message log to a hand-made market: `led_to[t]` are the messages
/// that led from row t - 1 to row t (rows past the list get none).
void attach_messages(Market& m, const std::vector<std::vector<TradeMsg>>& led_to) {
  const std::int64_t rows = m.book.rows();
  ASSERT_LE(static_cast<std::int64_t>(led_to.size()), rows);
  MessageLog& log = m.book.messages;
  m.book.message_begin.assign(static_cast<std::size_t>(rows), 0);
  m.book.message_end.assign(static_cast<std::size_t>(rows), 0);
  std::int64_t id = 1;
  for (std::int64_t t = 0; t < rows; ++t) {
    m.book.message_begin[static_cast<std::size_t>(t)] = log.size_rows();
    if (t < static_cast<std::int64_t>(led_to.size())) {
      const auto& batch = led_to[static_cast<std::size_t>(t)];
      for (std::size_t k = 0; k < batch.size(); ++k) {
        // Between the previous row's time and this row's.
        log.time_ns.push_back((t - 1) * 1000000000LL + static_cast<std::int64_t>(k + 1) * 1000);
        log.type.push_back(static_cast<std::int8_t>(batch[k].type));
        log.order_id.push_back(id++);
        log.size.push_back(batch[k].size);
        log.price_half_ticks.push_back(batch[k].half_ticks);
        log.direction.push_back(batch[k].direction);
      }
    }
    m.book.message_end[static_cast<std::size_t>(t)] = log.size_rows();
  }
}

// Tick 0.01, lot 1: 10000 ticks = 100.00. Mid 10001 ticks (mid2 20002):
// bid offset 1 -> floor(10000) = 10000 (the best bid, 300 lots ahead),
// bid offset 0 -> floor(10001) = 10001 (inside the spread, nothing ahead),
// ask offset 1 -> ceil(10002) = 10002 (the best ask, 400 lots ahead),
// ask offset 0 -> ceil(10001) = 10001 (inside the spread).
const BookRow kTradesRow = {{{10000, 300}, {9999, 200}, {9998, 100}}, {{10002, 400}, {10003, 200}, {10004, 100}}};
constexpr double kMid = 100.01;  // currency, 10001 ticks

/// A market over `rows` with the message log `led_to`; episodes start at row
/// 0 and last rows - 1 steps (no end of window in the steps a test takes).
Market trades_market(const std::vector<BookRow>& rows, const std::vector<std::vector<TradeMsg>>& led_to) {
  Market m = make_market(rows, {{0, static_cast<std::int64_t>(rows.size())}});
  attach_messages(m, led_to);
  return m;
}

EnvConfig trades_config(const Market& m, QueueModel queue = QueueModel::risk_averse) {
  EnvConfig c = base_config(m.book.rows() - 1, {{0, 0, 0, 0}});
  c.fill_model = FillModel::trades;
  c.queue_model = queue;
  c.liquidate_at_end = false;
  return c;
}

/// One state column of every env, read from the env's checkpoint bytes (the
/// state buffers, then the outputs, end them); T is the column's type
/// (float64 unless said).
template <class T = double>
std::vector<T> state_of(const BatchEnv& env, const std::string& name) {
  const auto bytes = env.save_state();
  const auto state = state_layout(env.num_envs(), env.params());
  std::size_t at = bytes.size() - static_cast<std::size_t>(total_bytes(state) +
                                                          total_bytes(output_layout(env.num_envs(), env.params())));
  for (const BufferDesc& d : state) {
    const auto size = static_cast<std::size_t>(buffer_bytes(d));
    if (d.name == name) {
      EXPECT_EQ(dtype_bytes(d.dtype), static_cast<std::int64_t>(sizeof(T))) << name;
      std::vector<T> out(size / sizeof(T));
      std::memcpy(out.data(), bytes.data() + at, std::min(size, out.size() * sizeof(T)));
      return out;
    }
    at += size;
  }
  ADD_FAILURE() << "no state buffer " << name;
  return std::vector<T>(static_cast<std::size_t>(env.num_envs()), T(-1));
}

TEST(EnvTradesFill, AVisibleExecutionFillsOnlyWhatExceedsTheQueueAheadAndTheRestKeepsItsPlace) {
  // Row 1 shows 120 lots at 10000: an order re-joining there would stand behind 120.
  const BookRow row1 = {{{10000, 120}, {9999, 200}}, {{10002, 400}, {10003, 200}}};
  const Market m = trades_market({kTradesRow, row1, kTradesRow, kTradesRow},
                                 {{}, {visible(100, 10000, +1), visible(250, 10000, +1)}, {visible(30, 10000, +1)}});
  EnvConfig c = trades_config(m);
  c.maker_fee_bps = 2;                // fee = 2e-4 x notional
  c.fill_price = FillPrice::level;    // ignored by the trades model
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  // Step 1 at row 0: bid 100 lots at 10000 behind 300. Execution 100: queue 200,
  // nothing filled; execution 250: 250 - 200 = 50 filled, queue 0.
  step_quotes(*env, {{1, 0, 100, 0}});
  EXPECT_EQ(o.bid_quote[0], 10000);
  EXPECT_EQ(o.ask_quote[0], 0);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 50.0);
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 0.0);
  EXPECT_NEAR(o.bid_price[0], 100.00, 1e-12);  // the order's price
  EXPECT_EQ(o.bid_fills[0], 1);
  EXPECT_NEAR(o.fees[0], 1.0, 1e-9);          // 2e-4 x 50 x 100.00
  EXPECT_DOUBLE_EQ(o.position[0], 50.0);
  EXPECT_NEAR(o.cash[0], -5001.0, 1e-9);      // -50 x 100.00 - 1.00
  EXPECT_NEAR(o.pnl[0], -5001.0 + 50 * kMid, 1e-9);  // marked at mid(row 1) = 100.01: -0.5
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 50.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
  // Step 2 at row 1, same price: the 50 left keep queue 0 (not the 120 of row 1):
  // the execution of 30 fills 30.
  step_quotes(*env, {{1, 0, 100, 0}});
  EXPECT_EQ(o.bid_quote[0], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 30.0);
  EXPECT_NEAR(o.fees[0], 0.6, 1e-9);          // 2e-4 x 30 x 100.00
  EXPECT_DOUBLE_EQ(o.position[0], 80.0);
  EXPECT_NEAR(o.cash[0], -8001.6, 1e-9);      // -5001 - 3000 - 0.6
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 20.0);
  EXPECT_NO_THROW(env->check_faults());
}

TEST(EnvTradesFill, AQuoteBetterThanTheExecutionsPriceFillsFirstUpToTheExecutedSize) {
  // Executions between rows 0 and 1: bids hit for 40 at 10000 then 25 at 9999;
  // asks lifted for 40 at 10002 then 25 at 10003.
  const Market m = trades_market({kTradesRow, kTradesRow, kTradesRow},
                                 {{},
                                  {visible(40, 10000, +1), visible(25, 9999, +1), visible(40, 10002, -1),
                                   visible(25, 10003, -1)}});
  EnvConfig c = trades_config(m);
  c.fill_price = FillPrice::level;  // ignored: every fill trades at the order's price
  auto env = make_env(m, c, 4);
  const auto& o = env->outputs();
  step_quotes(*env, {{0, 0, 100, 0},    // env 0: bid 10001 inside the spread
                     {1, 0, 100, 0},    // env 1: bid 10000 behind 300
                     {0, 0, 0, 100},    // env 2: ask 10001 inside the spread
                     {0, 1, 0, 100}});  // env 3: ask 10002 behind 400
  const auto rest_b = state_of(*env, "bid_rest"), rest_a = state_of(*env, "ask_rest");
  const auto queue_b = state_of(*env, "bid_queue"), queue_a = state_of(*env, "ask_queue");
  // Env 0: both executions trade below 10001: 40 + 25 = 65 at 100.01, two fills.
  EXPECT_EQ(o.bid_quote[0], 10001);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 65.0);
  EXPECT_NEAR(o.bid_price[0], 100.01, 1e-12);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.cash[0], -6500.65, 1e-9);
  EXPECT_DOUBLE_EQ(rest_b[0], 35.0);
  EXPECT_DOUBLE_EQ(queue_b[0], 0.0);
  // Env 1: 40 at its price only advance the queue (300 -> 260); 25 at 9999 fill 25.
  EXPECT_EQ(o.bid_quote[1], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 25.0);
  EXPECT_NEAR(o.bid_price[1], 100.00, 1e-12);
  EXPECT_EQ(o.bid_fills[1], 1);
  EXPECT_NEAR(o.cash[1], -2500.0, 1e-9);
  EXPECT_DOUBLE_EQ(rest_b[1], 75.0);
  EXPECT_DOUBLE_EQ(queue_b[1], 260.0);
  // Env 2: both executions trade above 10001: 65 sold at 100.01.
  EXPECT_EQ(o.ask_quote[2], 10001);
  EXPECT_DOUBLE_EQ(o.ask_volume[2], 65.0);
  EXPECT_NEAR(o.ask_price[2], 100.01, 1e-12);
  EXPECT_EQ(o.ask_fills[2], 2);
  EXPECT_DOUBLE_EQ(o.position[2], -65.0);
  EXPECT_NEAR(o.cash[2], 6500.65, 1e-9);
  EXPECT_DOUBLE_EQ(rest_a[2], 35.0);
  // Env 3: 40 at 10002 advance the queue (400 -> 360); 25 at 10003 fill 25 at 100.02.
  EXPECT_EQ(o.ask_quote[3], 10002);
  EXPECT_DOUBLE_EQ(o.ask_volume[3], 25.0);
  EXPECT_NEAR(o.ask_price[3], 100.02, 1e-12);
  EXPECT_NEAR(o.cash[3], 2500.5, 1e-9);
  EXPECT_DOUBLE_EQ(rest_a[3], 75.0);
  EXPECT_DOUBLE_EQ(queue_a[3], 360.0);
  // No side fills from the other side's executions.
  for (int i : {0, 1}) EXPECT_DOUBLE_EQ(o.ask_volume[i], 0.0);
  for (int i : {2, 3}) EXPECT_DOUBLE_EQ(o.bid_volume[i], 0.0);
}

TEST(EnvTradesFill, AHiddenExecutionAtTheOrdersPriceNeitherFillsNorAdvancesTheQueue) {
  // Rows 0-1: hidden executions of 60 at 10000 and 30 at the midpoint 10000.5
  // (half-ticks 20001); rows 1-2: a visible execution of 350 at 10000.
  const Market m = trades_market(
      {kTradesRow, kTradesRow, kTradesRow, kTradesRow},
      {{},
       {hidden(60, 10000, +1), {MessageType::hidden_execution, 30, 20001, +1}},
       {visible(350, 10000, +1)}});
  auto env = make_env(m, trades_config(m), 2);
  const auto& o = env->outputs();
  const std::vector<ActionRow> quotes = {{1, 0, 100, 0},   // env 0: bid 10000 behind 300
                                         {0, 0, 100, 0}};  // env 1: bid 10001
  step_quotes(*env, quotes);
  // Env 0: 60 hidden at its price: nothing, queue stays 300; 10000.5 is above it: nothing.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_EQ(o.bid_fills[0], 0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 300.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 100.0);
  // Env 1: both hidden executions trade below 10001: 60 + 30 = 90 at 100.01.
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 90.0);
  EXPECT_EQ(o.bid_fills[1], 2);
  EXPECT_NEAR(o.cash[1], -9000.9, 1e-9);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[1], 10.0);
  step_quotes(*env, quotes);
  // Env 0: 350 visible past a queue of 300 (not 240): 50 filled.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 50.0);
  EXPECT_NEAR(o.cash[0], -5000.0, 1e-9);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
  // Env 1: the 10 left fill (the size stays 10, not 100 again).
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 10.0);
  EXPECT_DOUBLE_EQ(o.position[1], 100.0);
  EXPECT_NEAR(o.cash[1], -10001.0, 1e-9);
}

TEST(EnvTradesFill, ExecutionsOnTheOtherSideDoNothing) {
  // The sell side (-1) executed at and below the bids, the buy side (+1) at and
  // above the asks, visible and hidden; then one execution per side at the best.
  const Market m = trades_market({kTradesRow, kTradesRow, kTradesRow},
                                 {{},
                                  {visible(500, 10000, -1), visible(500, 9999, -1), hidden(500, 9999, -1),
                                   visible(500, 10002, +1), visible(500, 10003, +1), hidden(500, 10003, +1),
                                   visible(310, 10000, +1), visible(410, 10002, -1)}});
  auto env = make_env(m, trades_config(m), 4);
  const auto& o = env->outputs();
  step_quotes(*env, {{1, 0, 100, 0},     // env 0: bid 10000 behind 300
                     {0, 0, 1000, 0},    // env 1: bid 10001
                     {0, 1, 0, 100},     // env 2: ask 10002 behind 400
                     {0, 0, 0, 1000}});  // env 3: ask 10001
  // Only the last two executions count: 310 - 300 = 10; 310 < 1000; 410 - 400 = 10; 410.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 10.0);
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 310.0);
  EXPECT_DOUBLE_EQ(o.ask_volume[2], 10.0);
  EXPECT_DOUBLE_EQ(o.ask_volume[3], 410.0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(o.bid_fills[i] + o.ask_fills[i], 1) << "env " << i;
  EXPECT_NEAR(o.cash[0], -1000.0, 1e-9);   // 10 x 100.00
  EXPECT_NEAR(o.cash[1], -31003.1, 1e-9);  // 310 x 100.01
  EXPECT_NEAR(o.cash[2], 1000.2, 1e-9);    // 10 x 100.02
  EXPECT_NEAR(o.cash[3], 41004.1, 1e-9);   // 410 x 100.01
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[1], 690.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "ask_rest")[3], 590.0);
}

struct CancelRun {
  double queue_after_cancel = -1, level_after_cancel = -1, bought_after_cancel = -1;
  double bought = -1, queue_after_execution = -1;
};

/// Bid 100 lots at 10000 behind 300 (level 300); `first` between rows 0 and 1,
/// then an execution of `executed` lots at 10000.
CancelRun run_cancel(QueueModel queue, const std::vector<TradeMsg>& first, Lots executed) {
  const Market m = trades_market({kTradesRow, kTradesRow, kTradesRow, kTradesRow},
                                 {{}, first, {visible(executed, 10000, +1)}});
  auto env = make_env(m, trades_config(m, queue));
  CancelRun run;
  step_quotes(*env, {{1, 0, 100, 0}});
  run.bought_after_cancel = env->outputs().bid_volume[0];
  run.queue_after_cancel = state_of(*env, "bid_queue")[0];
  run.level_after_cancel = state_of(*env, "bid_level")[0];
  step_quotes(*env, {{1, 0, 100, 0}});
  run.bought = env->outputs().bid_volume[0];
  run.queue_after_execution = state_of(*env, "bid_queue")[0];
  return run;
}

TEST(EnvTradesFill, CancellationsAheadAdvanceTheQueueOnlyInTheProportionalModel) {
  for (const MessageType cancel : {MessageType::full_delete, MessageType::partial_cancel}) {
    SCOPED_TRACE(cancel == MessageType::full_delete ? "full delete" : "partial cancel");
    // Cancellations at another price (9999) or on the other side (-1) change nothing,
    // then 150 lots are cancelled at 10000 on the bid side.
    const std::vector<TradeMsg> cancels = {msg(cancel, 1000, 9999, +1), msg(cancel, 1000, 10000, -1),
                                           msg(cancel, 150, 10000, +1)};
    // risk_averse: queue stays 300; the execution of 200 fills 0 and leaves 100 ahead.
    const CancelRun averse = run_cancel(QueueModel::risk_averse, cancels, 200);
    EXPECT_DOUBLE_EQ(averse.bought_after_cancel, 0.0);
    EXPECT_DOUBLE_EQ(averse.queue_after_cancel, 300.0);
    EXPECT_DOUBLE_EQ(averse.bought, 0.0);
    EXPECT_DOUBLE_EQ(averse.queue_after_execution, 100.0);
    // proportional: queue 300 - 150 x 300 / 300 = 150, level 300 - 150 = 150;
    // the execution of 200 fills 200 - 150 = 50.
    const CancelRun share = run_cancel(QueueModel::proportional, cancels, 200);
    EXPECT_DOUBLE_EQ(share.bought_after_cancel, 0.0);
    EXPECT_DOUBLE_EQ(share.queue_after_cancel, 150.0);
    EXPECT_DOUBLE_EQ(share.level_after_cancel, 150.0);
    EXPECT_DOUBLE_EQ(share.bought, 50.0);
    EXPECT_DOUBLE_EQ(share.queue_after_execution, 0.0);
  }
  // A submission of 100 at 10000 joins the level behind the order (level 400;
  // one at 9999 does not count), then 100 are cancelled at 10000:
  // proportional: queue 300 - 100 x 300 / 400 = 225, level 300; an execution of
  // 250 fills 25. risk_averse: queue 300; the execution fills 0, 50 left ahead.
  const std::vector<TradeMsg> submit_then_cancel = {msg(MessageType::submit, 500, 9999, +1),
                                                    msg(MessageType::submit, 100, 10000, +1),
                                                    msg(MessageType::partial_cancel, 100, 10000, +1)};
  const CancelRun share = run_cancel(QueueModel::proportional, submit_then_cancel, 250);
  EXPECT_DOUBLE_EQ(share.queue_after_cancel, 225.0);
  EXPECT_DOUBLE_EQ(share.level_after_cancel, 300.0);
  EXPECT_DOUBLE_EQ(share.bought, 25.0);
  EXPECT_DOUBLE_EQ(share.queue_after_execution, 0.0);
  const CancelRun averse = run_cancel(QueueModel::risk_averse, submit_then_cancel, 250);
  EXPECT_DOUBLE_EQ(averse.queue_after_cancel, 300.0);
  EXPECT_DOUBLE_EQ(averse.bought, 0.0);
  EXPECT_DOUBLE_EQ(averse.queue_after_execution, 50.0);
  // An execution at the price shrinks the level too: 100 executed (queue 200,
  // level 200), then 100 cancelled: proportional: queue 200 - 100 x 200 / 200 = 100,
  // level 100; an execution of 150 fills 50. risk_averse: queue 200; fills 0.
  const std::vector<TradeMsg> execute_then_cancel = {visible(100, 10000, +1),
                                                     msg(MessageType::full_delete, 100, 10000, +1)};
  const CancelRun share_after = run_cancel(QueueModel::proportional, execute_then_cancel, 150);
  EXPECT_DOUBLE_EQ(share_after.bought_after_cancel, 0.0);
  EXPECT_DOUBLE_EQ(share_after.queue_after_cancel, 100.0);
  EXPECT_DOUBLE_EQ(share_after.level_after_cancel, 100.0);
  EXPECT_DOUBLE_EQ(share_after.bought, 50.0);
  const CancelRun averse_after = run_cancel(QueueModel::risk_averse, execute_then_cancel, 150);
  EXPECT_DOUBLE_EQ(averse_after.queue_after_cancel, 200.0);
  EXPECT_DOUBLE_EQ(averse_after.bought, 0.0);
  EXPECT_DOUBLE_EQ(averse_after.queue_after_execution, 50.0);
}

TEST(EnvTradesFill, RepricingLosesThePlaceAndReturningRejoinsAtTheBack) {
  // Row 1: the mid moves up a tick (bid 10001 x 50 over 10000 x 250, ask 10003):
  // offset 1 quotes floor(10002 - 1) = 10001. Row 2: back to mid 10001 with
  // 280 lots at 10000.
  const BookRow up = {{{10001, 50}, {10000, 250}, {9999, 200}}, {{10003, 400}, {10004, 200}}};
  const BookRow back = {{{10000, 280}, {9999, 200}}, {{10002, 400}, {10003, 200}}};
  const Market m = trades_market({kTradesRow, up, back, kTradesRow, kTradesRow},
                                 {{}, {visible(100, 10000, +1)}, {visible(60, 10001, +1)}, {visible(290, 10000, +1)}});
  auto env = make_env(m, trades_config(m));
  const auto& o = env->outputs();
  const std::vector<ActionRow> quote = {{1, 0, 100, 0}};
  // Step 1 at row 0: bid 10000 behind 300; 100 executed ahead: queue 200, nothing filled.
  step_quotes(*env, quote);
  EXPECT_EQ(o.bid_quote[0], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 200.0);
  // Step 2 at row 1: bid 10001, a new order behind the 50 visible there (not 200, not 0):
  // 60 executed at 10001 fill 10 at 100.01.
  step_quotes(*env, quote);
  EXPECT_EQ(o.bid_quote[0], 10001);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 10.0);
  EXPECT_NEAR(o.cash[0], -1000.1, 1e-9);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 90.0);
  // Step 3 at row 2: back at 10000, a new order of 100 behind the 280 visible at row 2
  // (its old place of 200 is lost): 290 executed fill 10 at 100.00.
  step_quotes(*env, quote);
  EXPECT_EQ(o.bid_quote[0], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 10.0);
  EXPECT_DOUBLE_EQ(o.position[0], 20.0);
  EXPECT_NEAR(o.cash[0], -2000.1, 1e-9);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 90.0);
}

TEST(EnvTradesFill, APartialFillRestsWithoutGrowingBackAndAFilledOrderIsReplacedAtTheBack) {
  const BookRow thin = {{{10000, 120}, {9999, 200}}, {{10002, 400}, {10003, 200}}};
  const Market m = trades_market({kTradesRow, kTradesRow, thin, kTradesRow, kTradesRow},
                                 {{}, {visible(330, 10000, +1)}, {visible(100, 10000, +1)}, {visible(150, 10000, +1)}});
  auto env = make_env(m, trades_config(m));
  const auto& o = env->outputs();
  const std::vector<ActionRow> quote = {{1, 0, 100, 0}};
  // Step 1: 330 executed past a queue of 300: 30 filled, 70 rest with queue 0.
  step_quotes(*env, quote);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 30.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 70.0);
  // Step 2, same price and size 100: the order stays 70; 100 executed fill 70 (not 100).
  step_quotes(*env, quote);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 70.0);
  EXPECT_DOUBLE_EQ(o.position[0], 100.0);
  EXPECT_NEAR(o.cash[0], -10000.0, 1e-9);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 0.0);
  // Step 3 at row 2: the order is done; a fresh 100 joins behind the 120 visible
  // at row 2 (not queue 0): 150 executed fill 30.
  step_quotes(*env, quote);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 30.0);
  EXPECT_DOUBLE_EQ(o.position[0], 130.0);
  EXPECT_NEAR(o.cash[0], -13000.0, 1e-9);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 70.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
}

TEST(EnvTradesFill, ANewEpisodeStartsWithoutOrders) {
  // One-step episodes over rows {0, 1}, restarting at row 0; 250 lots execute at
  // 10000 between rows 0 and 1.
  Market m = make_market({kTradesRow, kTradesRow}, {{0, 2}});
  attach_messages(m, {{}, {visible(250, 10000, +1)}});
  EnvConfig c = trades_config(m);
  ASSERT_EQ(c.episode_length, 1);
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  for (int episode = 0; episode < 2; ++episode) {
    SCOPED_TRACE("episode " + std::to_string(episode));
    // Bid 100 at 10000 behind 300: 250 executed leave 50 ahead, nothing filled.
    // The second episode's order joins behind 300 again (an order carried over
    // with 50 ahead would fill 100).
    step_quotes(*env, {{1, 0, 100, 0}});
    EXPECT_EQ(o.truncated[0], 1);
    EXPECT_EQ(o.bid_quote[0], 10000);
    EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
    // The reset cleared the order.
    EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 0.0);
    EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
    EXPECT_DOUBLE_EQ(state_of(*env, "bid_level")[0], 0.0);
  }
}

TEST(EnvTradesFill, TradesWithoutMessagesIsAConfigError) {
  const Market plain = make_market({kTradesRow, kTradesRow, kTradesRow}, {{0, 3}});
  EnvConfig c = base_config(2, {{1, 1, 1, 1}});
  c.fill_model = FillModel::trades;
  try {
    make_env(plain, c);
    ADD_FAILURE() << "no ConfigError for env.fill_model";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "env.fill_model");
    EXPECT_NE(std::string(e.what()).find("env.fill_model"), std::string::npos) << e.what();
  }
  // The same book with a (here empty) message log, or the cross model without one, is fine.
  Market with_log = plain;
  attach_messages(with_log, {});
  EXPECT_NO_THROW(make_env(with_log, c));
  c.fill_model = FillModel::cross;
  EXPECT_NO_THROW(make_env(plain, c));
}

TEST(EnvTradesFill, InvariantsOverRandomRunsOnTheSample) {
  const GoogSample& s = goog_sample();
  const BookTensor& book = s.loaded.book;
  ASSERT_TRUE(book.has_messages());
  const double tick = book.instrument.tick_size, lot = book.instrument.lot_size;
  EnvConfig c = sample_config();
  c.fill_model = FillModel::trades;
  constexpr std::int64_t kEnvs = 64;
  constexpr int kSteps = 2000;
  const EnvData data = s.data();
  EnvConfig averse_config = c, share_config = c, cross_config = c;
  averse_config.queue_model = QueueModel::risk_averse;
  share_config.queue_model = QueueModel::proportional;
  cross_config.fill_model = FillModel::cross;
  struct Run {
    Run(const char* n, std::unique_ptr<BatchEnv> e, std::unique_ptr<BatchEnv> t)
        : name(n), env(std::move(e)), twin(std::move(t)) {}
    const char* name;
    std::unique_ptr<BatchEnv> env, twin;  // twin: same seed, one thread
    std::int64_t fills = 0, bad = 0;
    double volume = 0;
    std::string first;
  };
  Run runs[3] = {{"risk_averse", make_cpu_env(data, averse_config, kEnvs, 2024, 2),
                  make_cpu_env(data, averse_config, kEnvs, 2024, 1)},
                 {"proportional", make_cpu_env(data, share_config, kEnvs, 2024, 2),
                  make_cpu_env(data, share_config, kEnvs, 2024, 1)},
                 {"cross", make_cpu_env(data, cross_config, kEnvs, 2024, 2), nullptr}};
  std::mt19937 random(77);
  std::vector<std::int32_t> actions(kEnvs);
  std::int64_t deterministic_mismatches = 0, queued_steps = 0;
  for (int step = 1; step <= kSteps; ++step) {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % c.actions.size());
    for (Run& run : runs) {
      const std::vector<std::int64_t> rows_before = state_of<std::int64_t>(*run.env, "row");
      run.env->step(actions.data());
      const auto& o = run.env->outputs();
      if (run.twin != nullptr) {
        run.twin->step(actions.data());
        if (snapshot(*run.env) != snapshot(*run.twin)) ++deterministic_mismatches;
      }
      const bool trades = run.env->params().fill_model == FillModel::trades;
      const auto bid_rest = trades ? state_of(*run.env, "bid_rest") : std::vector<double>();
      const auto ask_rest = trades ? state_of(*run.env, "ask_rest") : std::vector<double>();
      const auto bid_queue = trades ? state_of(*run.env, "bid_queue") : std::vector<double>();
      const auto ask_queue = trades ? state_of(*run.env, "ask_queue") : std::vector<double>();
      const auto bid_level = trades ? state_of(*run.env, "bid_level") : std::vector<double>();
      const auto ask_level = trades ? state_of(*run.env, "ask_level") : std::vector<double>();
      for (std::int64_t i = 0; i < kEnvs; ++i) {
        const auto e = static_cast<std::size_t>(i);
        run.fills += o.bid_fills[i] + o.ask_fills[i];
        run.volume += o.bid_volume[i] + o.ask_volume[i];
        if (!trades) continue;
        const std::string where =
            std::string(run.name) + " env " + std::to_string(i) + " step " + std::to_string(step);
        auto note = [&](const std::string& what) {
          if (run.bad++ == 0) run.first = where + ": " + what;
        };
        // Executions on each side between the step's rows at prices the order
        // stands at or improves on (units).
        const auto next = static_cast<std::size_t>(rows_before[e] + 1);
        double buy_side = 0, sell_side = 0;
        for (std::int64_t k = book.message_begin[next]; k < book.message_end[next]; ++k) {
          const auto m = static_cast<std::size_t>(k);
          const auto type = static_cast<MessageType>(book.messages.type[m]);
          if (type != MessageType::visible_execution && type != MessageType::hidden_execution) continue;
          const double units = static_cast<double>(book.messages.size[m]) * lot;
          const std::int64_t at = book.messages.price_half_ticks[m];
          if (book.messages.direction[m] > 0 && o.bid_quote[i] > 0 && at <= 2 * o.bid_quote[i]) buy_side += units;
          if (book.messages.direction[m] < 0 && o.ask_quote[i] > 0 && at >= 2 * o.ask_quote[i]) sell_side += units;
        }
        if (o.bid_volume[i] > buy_side + 1e-9) note("bought more than the buy side executed at or below the bid");
        if (o.ask_volume[i] > sell_side + 1e-9) note("sold more than the sell side executed at or above the ask");
        if (o.bid_volume[i] > 0 && std::fabs(o.bid_price[i] - static_cast<double>(o.bid_quote[i]) * tick) > 1e-9) {
          note("a buy off the order's price");
        }
        if (o.ask_volume[i] > 0 && std::fabs(o.ask_price[i] - static_cast<double>(o.ask_quote[i]) * tick) > 1e-9) {
          note("a sell off the order's price");
        }
        // The order's state: rest in [0, size], and rest + this step's fill <= size
        // (an order never grows); queue ahead in [0, level].
        const ActionRow& a = c.actions[static_cast<std::size_t>(actions[e])];
        const double bid_size = a.bid_size * lot, ask_size = a.ask_size * lot;
        if (bid_rest[e] < 0 || ask_rest[e] < 0) note("negative rest");
        if (bid_rest[e] > bid_size + 1e-9 || ask_rest[e] > ask_size + 1e-9) note("rest above the order size");
        if (bid_rest[e] + o.bid_volume[i] > bid_size + 1e-9 || ask_rest[e] + o.ask_volume[i] > ask_size + 1e-9) {
          note("rest + fill above the order size");
        }
        if (o.bid_quote[i] == 0 && bid_rest[e] != 0) note("a bid rests without a quote");
        if (o.ask_quote[i] == 0 && ask_rest[e] != 0) note("an ask rests without a quote");
        if (bid_queue[e] < 0 || ask_queue[e] < 0) note("negative queue ahead");
        if (bid_queue[e] > bid_level[e] + 1e-6 || ask_queue[e] > ask_level[e] + 1e-6) note("queue above the level");
        if (!std::isfinite(bid_queue[e] + ask_queue[e] + bid_level[e] + ask_level[e])) note("queue not finite");
        queued_steps += (bid_rest[e] > 0 && bid_queue[e] > 0) + (ask_rest[e] > 0 && ask_queue[e] > 0);
      }
    }
  }
  for (const Run& run : runs) {
    EXPECT_EQ(run.bad, 0) << run.first;
    EXPECT_NO_THROW(run.env->check_faults()) << run.name;
  }
  EXPECT_EQ(deterministic_mismatches, 0) << "same seed, same actions, 1 or 2 threads: different outputs";
  // Every model trades, rests orders behind a queue, and the switches are live.
  EXPECT_GT(runs[0].fills, 1000);
  EXPECT_GT(runs[1].fills, 1000);
  EXPECT_GT(queued_steps, 10000);
  EXPECT_NE(runs[0].fills, runs[2].fills) << "trades and cross fill alike";
  EXPECT_NE(runs[0].volume, runs[2].volume) << "trades and cross fill alike";
  EXPECT_NE(runs[0].volume, runs[1].volume) << "risk_averse and proportional fill alike";
  std::cout << "fills: risk_averse " << runs[0].fills << " (" << runs[0].volume << " units), proportional "
            << runs[1].fills << " (" << runs[1].volume << "), cross " << runs[2].fills << " (" << runs[2].volume
            << ")\n";
}


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
        EXPECT_NEAR(o.bid_price[0], 1.00, 1e-12) << "step " << step;
      } else {
        // Before: in flight, nothing rests; after: replaced by the empty orders sent at steps 1...
        EXPECT_EQ(o.bid_quote[0], 0) << "step " << step;
        EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0) << "step " << step;
      }
      EXPECT_DOUBLE_EQ(o.position[0], step >= delay ? 2.0 : 0.0) << "step " << step;
      EXPECT_NEAR(o.cash[0], step >= delay ? -2.0 : 0.0, 1e-12) << "step " << step;
      EXPECT_NEAR(o.pnl[0], step >= delay ? -0.01 : 0.0, 1e-12) << "step " << step;
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
                                                              RngPurpose::latency, static_cast<std::uint64_t>(jitter) + 1)));
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
  for (int i = 0; i < kEnvs; ++i) arrival.push_back(arrival_steps(kSeed, static_cast<std::uint64_t>(i), kDelay, kJitter, kSteps));
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
  EXPECT_NEAR(o.cash[picked], -5.0, 1e-12);
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
            (o.bid_volume[i] > largest_order + 1e-9 || o.ask_volume[i] > largest_order + 1e-9)) {
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
