// The thesis's code rules (docs/thesis.md): env.quote_pricing: float_mid,
// env.level_fill_cap: size_as_notional, env.last_step: liquidate_only and
// env.liquidation_size: notional_at_mid, each in a hand-computed window from
// the Appendix A code's arithmetic next to today's default; and a replay of
// configs/thesis.yaml on the shipped GOOG day against an independent typing of
// that code's step.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

#include "env_test_util.hpp"
#include "mmsim/config/config.hpp"
#include "mmsim/config/market.hpp"

namespace mmsim::test {
namespace {

/// The thesis's contract: offsets in dollars, 100-dollar notional sizes,
/// fills at the level's price, the dampened reward (eta 0.1).
EnvConfig dollar_config(std::int64_t episode_length, std::vector<ActionRow> actions) {
  EnvConfig c = base_config(episode_length, std::move(actions));
  c.offset_unit = OffsetUnit::price;
  c.size_unit = SizeUnit::quote;
  c.fill_price = FillPrice::level;
  c.reward.eta = 0.1;
  return c;
}

/// Every rule of the Appendix A code.
EnvConfig code_rules(EnvConfig c) {
  c.quote_pricing = QuotePricing::float_mid;
  c.level_fill_cap = LevelFillCap::size_as_notional;
  c.last_step = LastStep::liquidate_only;
  c.liquidation_size = LiquidationSize::notional_at_mid;
  return c;
}

double dampened(double value_change) { return value_change - 0.1 * std::max(value_change, 0.0); }

// ---------------------------------------------------------------------------
// A. How much one level fills of a notional order
// ---------------------------------------------------------------------------

// Row 0 mid 2.00; a 100-dollar bid at 1.99 walks row 1's asks 1.98 x 30 and 1.99 x 80 (mid 1.975).
const std::vector<BookRow> kLevelCapRows = {
    {{{199, 50}}, {{201, 50}}},
    {{{197, 50}}, {{198, 30}, {199, 80}}},
    {{{199, 50}}, {{201, 50}}},
};
const std::vector<ActionRow> kBidOneCent = {{0.01, 0, 100, 0}};

TEST(ThesisRules, ALevelFillsItsSizeReadAsDollars) {
  const Market m = make_market(kLevelCapRows, {{0, 2}});
  EnvConfig c = dollar_config(1, kBidOneCent);
  c.liquidate_at_end = false;
  c.level_fill_cap = LevelFillCap::size_as_notional;
  auto env = make_env(m, c);
  step1(*env, 0);
  const auto& o = env->outputs();
  // Code: Deal(min(100, 30)) at 1.98, then Deal(min(70, 80)) at 1.99; position += dollars / price.
  const double position = 30 / 1.98 + 70 / 1.99;
  const double value = -100 + position * 1.975;
  EXPECT_NEAR(o.bid_volume[0], position, kDoubleRounding);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.episode_pnl[0], value, kDoubleRounding);  // the one-step window ended here
  EXPECT_NEAR(o.reward[0], dampened(value), kFloat32Rounding);
}

TEST(ThesisRules, ALevelFillsItsNotionalByDefault) {
  const Market m = make_market(kLevelCapRows, {{0, 2}});
  EnvConfig c = dollar_config(1, kBidOneCent);
  c.liquidate_at_end = false;
  auto env = make_env(m, c);
  step1(*env, 0);
  const auto& o = env->outputs();
  // 30 shares at 1.98 cost 59.40; the other 40.60 buy 40.60 / 1.99 shares.
  const double position = 30 + 40.6 / 1.99;
  EXPECT_NEAR(o.bid_volume[0], position, kDoubleRounding);
  EXPECT_NEAR(o.episode_pnl[0], -100 + position * 1.975, kDoubleRounding);
}

// ---------------------------------------------------------------------------
// B. A quote a float hair off a level
// ---------------------------------------------------------------------------

// Row 0: bid 564.30, ask 564.40: the code's mid (564.30 + 564.40) / 2 is
// 564.3499999999999, so a bid 0.10 below it is 564.2499999999999, a hair
// under row 1's ask at 564.25. Rows 2-3 mirror it for the ask: mid
// 564.1500000000001 + 0.10 is a hair over row 3's bid at 564.25.
const std::vector<BookRow> kHairRows = {
    {{{56430, 100}}, {{56440, 100}}},
    {{{56415, 100}}, {{56425, 100}}},
    {{{56410, 100}}, {{56420, 100}}},
    {{{56425, 100}}, {{56435, 100}}},
};
const std::vector<ActionRow> kTenCents = {{0.10, 0.10, 100, 100}};

std::vector<double> hair_fills(QuotePricing pricing) {
  Market m = make_market(kHairRows, {{0, 2}});
  m.splits.validation.ranges = {{2, 4}};
  std::vector<double> volumes;
  for (EpisodeSplit split : {EpisodeSplit::train, EpisodeSplit::validation}) {
    EnvConfig c = dollar_config(1, kTenCents);
    c.split = split;
    c.liquidate_at_end = false;
    c.quote_pricing = pricing;
    auto env = make_env(m, c);
    step1(*env, 0);
    volumes.push_back(env->outputs().bid_volume[0]);
    volumes.push_back(env->outputs().ask_volume[0]);
  }
  return volumes;
}

TEST(ThesisRules, BAFloatQuoteAHairOffALevelDoesNotFill) {
  ASSERT_LT(0.5 * (564.30 + 564.40) - 0.10, 564.25);  // the premise, in this machine's doubles
  ASSERT_GT(0.5 * (564.10 + 564.20) + 0.10, 564.25);
  EXPECT_EQ(hair_fills(QuotePricing::float_mid), (std::vector<double>{0, 0, 0, 0}));
}

TEST(ThesisRules, BTheTickGridPutsTheQuoteOnTheLevel) {
  const std::vector<double> v = hair_fills(QuotePricing::tick_grid);
  EXPECT_NEAR(v[0], 100 / 564.25, kDoubleRounding);  // bid 564.25 buys from the ask at 564.25
  EXPECT_EQ(v[1], 0);
  EXPECT_EQ(v[2], 0);
  EXPECT_NEAR(v[3], 100 / 564.25, kDoubleRounding);  // ask 564.25 sells to the bid at 564.25
}

TEST(ThesisRules, BAFloatBidFillsTheAsksAtOrBelowIt) {
  const Market m = make_market({{{{56430, 100}}, {{56440, 100}}}, {{{56420, 100}}, {{56435, 100}}}}, {{0, 2}});
  EnvConfig c = dollar_config(1, {{0, 0, 100, 0}});
  c.liquidate_at_end = false;
  c.quote_pricing = QuotePricing::float_mid;
  auto env = make_env(m, c);
  step1(*env, 0);  // bid at 564.3499999999999 against the ask 564.35: the code does not fill
  EXPECT_EQ(env->outputs().bid_volume[0], 0);
  const Market n = make_market({{{{56430, 100}}, {{56440, 100}}}, {{{56420, 100}}, {{56434, 100}}}}, {{0, 2}});
  auto filled = make_env(n, c);
  step1(*filled, 0);  // the ask 564.34 is below it: fills
  EXPECT_NEAR(filled->outputs().bid_volume[0], 100 / 564.34, kDoubleRounding);
}

// ---------------------------------------------------------------------------
// C. The last step; D. how much is liquidated
// ---------------------------------------------------------------------------

// Two-step windows from row 0 (mid 2.00). Step 1 bids 100 dollars at the mid
// and buys 100 / 1.99 shares from row 1's ask (mid 1.98). Step 2 is the last.
const BookRow kMidTwo = {{{199, 500}}, {{201, 500}}};
const BookRow kBuyAt199 = {{{197, 500}}, {{199, 500}}};
const std::vector<ActionRow> kBidThenAsk = {{0, 0, 100, 0}, {0, 0.01, 0, 100}};
const double kBought = 100 / 1.99;
const double kValueAfterStep1 = -100 + kBought * 1.98;

struct TwoSteps {
  double value1, reward1, position1;
  double value2, reward2, liquidation;
  std::int32_t ask_fills2;
};

TwoSteps play_two_steps(const std::vector<BookRow>& rows, const EnvConfig& c) {
  const Market m = make_market(rows, {{0, 3}});
  auto env = make_env(m, c);
  const auto& o = env->outputs();
  TwoSteps r{};
  step1(*env, 0);
  r.value1 = o.pnl[0];
  r.reward1 = o.reward[0];
  r.position1 = o.position[0];
  step1(*env, 1);
  EXPECT_EQ(o.terminated[0], 1);
  r.value2 = o.episode_pnl[0];
  r.reward2 = o.reward[0];
  r.liquidation = o.liquidation[0];
  r.ask_fills2 = o.ask_fills[0];
  return r;
}

// Row 2: the agent's ask at 1.99 would sell to the bid 1.99 x 10; mid 2.00.
const std::vector<BookRow> kLastStepRows = {kMidTwo, kBuyAt199, {{{199, 10}, {198, 500}}, {{201, 500}}}};

TEST(ThesisRules, CTheLastStepOnlyLiquidates) {
  EnvConfig c = dollar_config(2, kBidThenAsk);
  c.last_step = LastStep::liquidate_only;
  const TwoSteps r = play_two_steps(kLastStepRows, c);
  EXPECT_NEAR(r.position1, kBought, kDoubleRounding);
  EXPECT_NEAR(r.value1, kValueAfterStep1, kDoubleRounding);
  EXPECT_NEAR(r.reward1, dampened(kValueAfterStep1), kFloat32Rounding);
  // The ask is discarded: the liquidation sells 10 at 1.99 and the rest at 1.98.
  EXPECT_EQ(r.ask_fills2, 0);
  const double value = -100 + 10 * 1.99 + (kBought - 10) * 1.98;
  EXPECT_NEAR(r.value2, value, kDoubleRounding);
  EXPECT_NEAR(r.reward2, dampened(value - kValueAfterStep1), kFloat32Rounding);
}

TEST(ThesisRules, CTheLastStepQuotesThenLiquidatesByDefault) {
  const TwoSteps r = play_two_steps(kLastStepRows, dollar_config(2, kBidThenAsk));
  // The ask sells 10 shares (19.90 dollars) at 1.99; the liquidation then sells
  // 10 more at 1.99 (the same row's level) and the rest at 1.98.
  EXPECT_EQ(r.ask_fills2, 1);
  EXPECT_NEAR(r.value2, -100 + 19.9 + 19.9 + (kBought - 20) * 1.98, kDoubleRounding);
}

// Row 2: six bid levels of 3 shares (1.99 .. 1.94), mid 2.00. The code's
// liquidation is an order for position x 1.98 (row 1's mid) = 99.50 dollars;
// each level gives min(left, 3 shares read as dollars), so 18 dollars trade and
// the rest of the position stays, marked at 2.00.
const std::vector<BookRow> kThinBookRows = {
    kMidTwo, kBuyAt199, {{{199, 3}, {198, 3}, {197, 3}, {196, 3}, {195, 3}, {194, 3}}, {{201, 500}}}};

TEST(ThesisRules, DALiquidationLargerThanTheBookLeavesThePositionOpen) {
  const TwoSteps r = play_two_steps(kThinBookRows, code_rules(dollar_config(2, kBidThenAsk)));
  double sold = 0;
  for (double price : {1.99, 1.98, 1.97, 1.96, 1.95, 1.94}) sold += 3 / price;
  const double cash = -100 + 18;
  const double value = cash + (kBought - sold) * 2.00;
  EXPECT_NEAR(r.value2, value, kDoubleRounding);
  EXPECT_NEAR(r.reward2, dampened(value - kValueAfterStep1), kFloat32Rounding);
  EXPECT_NEAR(r.liquidation, 18 - sold * 2.00, kDoubleRounding);
}

TEST(ThesisRules, DALiquidationOfThePositionTradesPastTheBookByDefault) {
  EnvConfig c = code_rules(dollar_config(2, kBidThenAsk));
  c.liquidation_size = LiquidationSize::position;
  const TwoSteps r = play_two_steps(kThinBookRows, c);
  // 3 shares a level, and what is left at the deepest price, 1.94.
  const double cash = -100 + 3 * (1.99 + 1.98 + 1.97 + 1.96 + 1.95) + (kBought - 15) * 1.94;
  EXPECT_NEAR(r.value2, cash, kDoubleRounding);
}

// Row 2: one bid level 1.95 x 500, mid 1.98. The order for position x 1.98
// dollars fills whole at 1.95, selling 98.49 / 1.95 shares: more than the
// position, which ends a little short and is marked at 1.98.
TEST(ThesisRules, DALiquidationAtTheOldMidLeavesARemainder) {
  const std::vector<BookRow> rows = {kMidTwo, kBuyAt199, {{{195, 500}}, {{201, 500}}}};
  const TwoSteps r = play_two_steps(rows, code_rules(dollar_config(2, kBidThenAsk)));
  const double order = kBought * 1.98;
  const double left = kBought - order / 1.95;
  ASSERT_LT(left, -0.2);
  const double value = -100 + order + left * 1.98;
  EXPECT_NEAR(r.value2, value, kDoubleRounding);
  EXPECT_NEAR(r.reward2, dampened(value - kValueAfterStep1), kFloat32Rounding);
}

TEST(ThesisRules, LiquidateOnlyNeedsALiquidation) {
  EnvConfig c = dollar_config(2, kBidThenAsk);
  c.last_step = LastStep::liquidate_only;
  c.liquidate_at_end = false;
  expect_config_error(c, "env.last_step");
}

// ---------------------------------------------------------------------------
// configs/thesis.yaml on the GOOG day against the Appendix A code's step
// ---------------------------------------------------------------------------

/// The code's account after each step of one window: cash, position, value
/// (cash + position x mid) and the dampened reward.
struct CodeStep {
  double cash, position, value, reward;
};

/// An independent typing of the Appendix A step (StocksEnv.step, calcposition
/// and Deal) over rows start .. start + length of `book`, quoting `action`
/// (dollars, dollars) every step; the last step sends only the liquidating
/// order. Prices are the files' decimal prices; the code kept book levels
/// relative to the mid and added the mid back, and so does this.
std::vector<CodeStep> code_window(const BookTensor& book, std::int64_t start, std::int64_t length,
                                  const ActionRow& action, double eta) {
  const int depth = 6;
  const auto bid_prices = book.bid_prices(), ask_prices = book.ask_prices();
  const auto bid_sizes = book.bid_sizes(), ask_sizes = book.ask_sizes();
  auto dollars = [](Ticks t) { return static_cast<double>(t) / 100.0; };
  auto mid_of = [&](std::int64_t r) { return (dollars(ask_prices(r, 0)) + dollars(bid_prices(r, 0))) / 2; };
  double cash = 0, position = 0, value = 0;
  double midprice = mid_of(start);
  std::vector<CodeStep> steps;
  for (std::int64_t t = 1; t <= length; ++t) {
    const bool done = t == length;
    const double bid_spread = done ? -100 : action.bid_offset, ask_spread = done ? -100 : action.ask_offset;
    double bid_volume = done ? -std::min(position * midprice, 0.0) : action.bid_size;
    double ask_volume = done ? std::max(position * midprice, 0.0) : action.ask_size;
    const double bid_price = midprice - bid_spread, ask_price = midprice + ask_spread;
    const std::int64_t r = start + t;
    midprice = mid_of(r);
    auto deal = [&](bool buy, double price, double volume) {
      if (volume <= 0) return 0.0;
      position += buy ? volume / price : -volume / price;
      cash += buy ? -volume : volume;
      return volume;
    };
    int bid_count = 0, ask_count = 0;
    double asks[depth], bids[depth];
    for (int j = 0; j < depth; ++j) {
      asks[j] = (dollars(ask_prices(r, j)) - midprice) + midprice;
      bids[j] = (dollars(bid_prices(r, j)) - midprice) + midprice;
      bid_count += asks[j] <= bid_price ? 1 : 0;
      ask_count += bids[j] >= ask_price ? 1 : 0;
    }
    for (int j = 0; j < bid_count; ++j) {
      bid_volume -= deal(true, asks[j], std::min(bid_volume, static_cast<double>(ask_sizes(r, j))));
    }
    for (int j = 0; j < ask_count; ++j) {
      ask_volume -= deal(false, bids[j], std::min(ask_volume, static_cast<double>(bid_sizes(r, j))));
    }
    const double last = value;
    value = cash + position * midprice;
    steps.push_back({cash, position, value, value - last - std::max(value - last, 0.0) * eta});
  }
  return steps;
}

struct ReplayCounts {
  std::int64_t steps = 0, fill_steps = 0, mismatches = 0;
};

/// Plays `n` windows of `length` steps of `c` on `market` (env k quotes
/// action k % actions) and compares every step with code_window.
ReplayCounts replay_against_the_code(const MarketData& market, const EnvConfig& c, std::int64_t n,
                                     std::int64_t length, bool expect_equal) {
  auto env = make_cpu_env(market.view(), c, n, 11, 1);
  env->reset();
  const auto starts = state_of<std::int64_t>(*env, "episode_start");
  const auto actions = static_cast<std::int32_t>(c.actions.size());
  std::vector<std::vector<CodeStep>> code;
  for (std::int64_t i = 0; i < n; ++i) {
    const ActionRow& a = c.actions[static_cast<std::size_t>(i % actions)];
    code.push_back(code_window(market.loaded.book, starts[static_cast<std::size_t>(i)], length, a, c.reward.eta));
  }
  std::vector<std::int32_t> chosen(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) chosen[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i % actions);
  const auto& o = env->outputs();
  ReplayCounts counts;
  for (std::int64_t k = 0; k < length; ++k) {
    env->step(chosen.data());
    const bool last = k + 1 == length;
    for (std::int64_t i = 0; i < n; ++i) {
      const CodeStep& e = code[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)];
      const double value = last ? o.episode_pnl[i] : o.pnl[i];
      const double tolerance = 1e-9 * std::max(1.0, std::fabs(e.value));
      bool equal = std::fabs(value - e.value) <= tolerance &&
                   std::fabs(o.reward[i] - e.reward) <= kFloat32Rounding * std::max(1.0, std::fabs(e.reward));
      if (!last) {
        equal = equal && std::fabs(o.cash[i] - e.cash) <= tolerance && std::fabs(o.position[i] - e.position) <= 1e-9;
      }
      counts.steps += 1;
      counts.fill_steps += o.bid_fills[i] + o.ask_fills[i] > 0 ? 1 : 0;
      counts.mismatches += equal ? 0 : 1;
      if (expect_equal && !equal) {
        ADD_FAILURE() << "env " << i << " (window from row " << starts[static_cast<std::size_t>(i)] << ", action "
                      << i % actions << "), step " << k + 1 << ": mmsim cash " << o.cash[i] << " position "
                      << o.position[i] << " value " << value << " reward " << o.reward[i] << "; the code: cash "
                      << e.cash << " position " << e.position << " value " << e.value << " reward " << e.reward;
        return counts;
      }
    }
  }
  return counts;
}

/// configs/thesis.yaml's market (uncached) and env: its action table, plus
/// offsets near the touch (GOOG's spread is about 0.30 dollars) so that quotes
/// fill every few steps; fixed-length windows.
struct ThesisSetup {
  MarketData market;
  EnvConfig env;
};

const ThesisSetup& thesis_setup() {
  static const ThesisSetup setup = [] {
    const Config config =
        load_config(std::filesystem::path(MMSIM_CONFIG_DIR) / "thesis.yaml", {"data.cache=false"});
    ThesisSetup s{load_market(config), config.env};
    s.env.curriculum.enabled = false;
    s.env.episode_length = 1000;
    for (double offset : {0.0, 0.05, 0.10, 0.15}) s.env.actions.push_back({offset, offset, 100, 100});
    s.env.actions.push_back({0.10, 0.20, 100, 100});
    return s;
  }();
  return setup;
}

TEST(ThesisReplay, EveryStepOfTheThesisConfigEqualsTheAppendixACode) {
  const ThesisSetup& s = thesis_setup();
  EXPECT_EQ(s.market.splits.warmup_rows_per_session, 271);
  EXPECT_EQ(s.market.splits.test.ranges.back().end, s.market.loaded.book.rows() - 1);  // the day's last row is dropped
  const ReplayCounts counts = replay_against_the_code(s.market, s.env, 128, s.env.episode_length, true);
  EXPECT_EQ(counts.mismatches, 0);
  EXPECT_GT(counts.fill_steps, 500) << "too few fills to compare";
}

// Each rule alone, set to today's default, departs from the code on the GOOG day.
TEST(ThesisReplay, EachDefaultRuleDepartsFromTheCode) {
  const ThesisSetup& s = thesis_setup();
  const std::vector<std::pair<const char*, void (*)(EnvConfig&)>> defaults = {
      {"quote_pricing", [](EnvConfig& c) { c.quote_pricing = QuotePricing::tick_grid; }},
      {"level_fill_cap", [](EnvConfig& c) { c.level_fill_cap = LevelFillCap::notional; }},
      {"last_step", [](EnvConfig& c) { c.last_step = LastStep::quote_then_liquidate; }},
      {"liquidation_size", [](EnvConfig& c) { c.liquidation_size = LiquidationSize::position; }},
  };
  for (const auto& [key, set_default] : defaults) {
    EnvConfig c = s.env;
    set_default(c);
    const ReplayCounts counts = replay_against_the_code(s.market, c, 128, s.env.episode_length, false);
    EXPECT_GT(counts.mismatches, 0) << key;
  }
}

}  // namespace
}  // namespace mmsim::test
