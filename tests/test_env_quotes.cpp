// The market-making env on the CPU: quote placement on the tick grid for every
// offset unit (docs/mechanics.md, "One step", 2-4) and explicit quotes
// (BatchEnv::step_quotes, "Explicit quotes").

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "env_test_util.hpp"

namespace mmsim::test {
namespace {

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
// 14. Explicit quotes (BatchEnv::step_quotes): offsets in ticks from the mid
// ---------------------------------------------------------------------------
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
/// on an explicit-quote env (offsets in ticks, or in env.offset_unit with
/// `in_offset_unit`: BatchEnv::step_offsets); expects the same outputs after
/// every step.
void expect_explicit_quotes_match_actions(const EnvConfig& action_config, const EnvConfig& quote_config,
                                          const std::function<ActionRow(std::int32_t, int)>& quote_of,
                                          bool in_offset_unit = false) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto by_action = make_env(m, action_config, 2);
  auto by_quote = make_env(m, quote_config, 2);
  expect_same_outputs(*by_action, *by_quote, "after reset");
  std::int64_t fills = 0;
  for (int k = 0; k < 6; ++k) {
    const std::int32_t actions[] = {kQuotePlays[0][static_cast<std::size_t>(k)],
                                    kQuotePlays[1][static_cast<std::size_t>(k)]};
    by_action->step(actions);
    const std::vector<ActionRow> quotes = {quote_of(actions[0], k), quote_of(actions[1], k)};
    if (in_offset_unit) {
      by_quote->step_offsets(quotes.data());
    } else {
      step_quotes(*by_quote, quotes);
    }
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

TEST(EnvExplicitQuotes, OffsetUnitQuotesAreConvertedAsTheActionTablesRows) {
  // step_offsets reads offsets in env.offset_unit: the table's own rows give
  // the table's outputs, in every unit (half-spreads change from row to row).
  const std::vector<ActionRow> table = {{0, 0, 0, 0}, {1, 1, 4, 4}, {0.5, 2, 2, 3}, {3, 0, 1, 5}};
  for (const OffsetUnit unit : {OffsetUnit::ticks, OffsetUnit::half_spread}) {
    EnvConfig c = explicit_quote_config(table);
    c.offset_unit = unit;
    expect_explicit_quotes_match_actions(
        c, c, [&](std::int32_t a, int) { return table[static_cast<std::size_t>(a)]; }, true);
  }
  // In price units with tick 0.01, 0.01 is one tick.
  const std::vector<ActionRow> in_price = {{0, 0, 0, 0}, {0.01, 0.01, 4, 4}, {0.005, 0.02, 2, 3}, {0.03, 0, 1, 5}};
  EnvConfig c = explicit_quote_config(in_price);
  c.offset_unit = OffsetUnit::price;
  expect_explicit_quotes_match_actions(
      c, c, [&](std::int32_t a, int) { return in_price[static_cast<std::size_t>(a)]; }, true);
  // And the half-spread rows scaled by hand to ticks (the test above) step as step_offsets does.
  const double half_spread_ticks[] = {1.5, 1.5, 1.0, 1.0, 1.5, 1.5};
  EnvConfig in_half_spreads = explicit_quote_config(table);
  in_half_spreads.offset_unit = OffsetUnit::half_spread;
  const Market m = make_market(kAccountRows, {{0, 5}});
  auto by_offsets = make_env(m, in_half_spreads, 2);
  auto by_ticks = make_env(m, in_half_spreads, 2);
  for (int k = 0; k < 6; ++k) {
    std::vector<ActionRow> offsets, ticks;
    for (std::size_t i = 0; i < 2; ++i) {
      const ActionRow row = table[static_cast<std::size_t>(kQuotePlays[i][static_cast<std::size_t>(k)])];
      offsets.push_back(row);
      ticks.push_back({row.bid_offset * half_spread_ticks[k], row.ask_offset * half_spread_ticks[k], row.bid_size,
                       row.ask_size});
    }
    by_offsets->step_offsets(offsets.data());
    step_quotes(*by_ticks, ticks);
    expect_same_outputs(*by_offsets, *by_ticks, "step " + std::to_string(k + 1));
  }
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
    EXPECT_NEAR(o.ask_price[i], 1.02, kDoubleRounding) << "env " << i;
    EXPECT_NEAR(o.cash[i], 3.06, kDoubleRounding) << "env " << i;
    EXPECT_DOUBLE_EQ(o.position[i], -3.0) << "env " << i;
    EXPECT_NEAR(o.pnl[i], -0.045, kDoubleRounding) << "env " << i;
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
    EXPECT_NEAR(o.bid_price[i], 1.02, kDoubleRounding) << "env " << i;
    EXPECT_DOUBLE_EQ(o.ask_volume[i], 0.0) << "env " << i;
  }
  EXPECT_DOUBLE_EQ(o.position[0], -1.0);
  EXPECT_NEAR(o.cash[0], 1.02, kDoubleRounding);
  EXPECT_NEAR(o.pnl[0], 0.01, kDoubleRounding);
  EXPECT_DOUBLE_EQ(o.position[1], 2.0);
  EXPECT_NEAR(o.cash[1], -2.04, kDoubleRounding);
  EXPECT_NEAR(o.pnl[1], -0.02, kDoubleRounding);
  EXPECT_DOUBLE_EQ(o.position[2], -1.0);
  EXPECT_NEAR(o.cash[2], 1.02, kDoubleRounding);
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
  EXPECT_NEAR(o.bid_price[0], 1.03, kDoubleRounding);
  EXPECT_DOUBLE_EQ(o.ask_volume[0], 3.0);
  EXPECT_NEAR(o.ask_price[0], 1.01, kDoubleRounding);
  EXPECT_DOUBLE_EQ(o.position[0], -1.0);
  EXPECT_NEAR(o.cash[0], 0.97, kDoubleRounding);
  EXPECT_NEAR(o.pnl[0], -0.055, kDoubleRounding);
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
      EXPECT_NEAR(o.cash[i], -4.04, kDoubleRounding) << "env " << i;
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

}  // namespace
}  // namespace mmsim::test
