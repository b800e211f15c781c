// The market-making env on the CPU under the trades fill model: resting
// orders filled by the message log's executions behind the visible queue
// (docs/mechanics.md, "Fill model trades").

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "env/backend.hpp"
#include "env_test_util.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// 15. Fill model trades (docs/mechanics.md, "Fill model trades"): resting
// orders filled by the message log's executions behind the visible queue.
// ---------------------------------------------------------------------------

TradeMsg hidden(Lots size, Ticks price, int direction) {
  return msg(MessageType::hidden_execution, size, price, direction);
}

constexpr double kMid = 100.01;  // currency, 10001 ticks

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
  EXPECT_NEAR(o.bid_price[0], 100.00, kDoubleRounding);  // the order's price
  EXPECT_EQ(o.bid_fills[0], 1);
  EXPECT_NEAR(o.fees[0], 1.0, kDoubleAccumulation);          // 2e-4 x 50 x 100.00
  EXPECT_DOUBLE_EQ(o.position[0], 50.0);
  EXPECT_NEAR(o.cash[0], -5001.0, kDoubleAccumulation);      // -50 x 100.00 - 1.00
  EXPECT_NEAR(o.pnl[0], -5001.0 + 50 * kMid, kDoubleAccumulation);  // marked at mid(row 1) = 100.01: -0.5
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 50.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
  // Step 2 at row 1, same price: the 50 left keep queue 0 (not the 120 of row 1):
  // the execution of 30 fills 30.
  step_quotes(*env, {{1, 0, 100, 0}});
  EXPECT_EQ(o.bid_quote[0], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 30.0);
  EXPECT_NEAR(o.fees[0], 0.6, kDoubleAccumulation);          // 2e-4 x 30 x 100.00
  EXPECT_DOUBLE_EQ(o.position[0], 80.0);
  EXPECT_NEAR(o.cash[0], -8001.6, kDoubleAccumulation);      // -5001 - 3000 - 0.6
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
  EXPECT_NEAR(o.bid_price[0], 100.01, kDoubleRounding);
  EXPECT_EQ(o.bid_fills[0], 2);
  EXPECT_NEAR(o.cash[0], -6500.65, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(rest_b[0], 35.0);
  EXPECT_DOUBLE_EQ(queue_b[0], 0.0);
  // Env 1: 40 at its price only advance the queue (300 -> 260); 25 at 9999 fill 25.
  EXPECT_EQ(o.bid_quote[1], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 25.0);
  EXPECT_NEAR(o.bid_price[1], 100.00, kDoubleRounding);
  EXPECT_EQ(o.bid_fills[1], 1);
  EXPECT_NEAR(o.cash[1], -2500.0, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(rest_b[1], 75.0);
  EXPECT_DOUBLE_EQ(queue_b[1], 260.0);
  // Env 2: both executions trade above 10001: 65 sold at 100.01.
  EXPECT_EQ(o.ask_quote[2], 10001);
  EXPECT_DOUBLE_EQ(o.ask_volume[2], 65.0);
  EXPECT_NEAR(o.ask_price[2], 100.01, kDoubleRounding);
  EXPECT_EQ(o.ask_fills[2], 2);
  EXPECT_DOUBLE_EQ(o.position[2], -65.0);
  EXPECT_NEAR(o.cash[2], 6500.65, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(rest_a[2], 35.0);
  // Env 3: 40 at 10002 advance the queue (400 -> 360); 25 at 10003 fill 25 at 100.02.
  EXPECT_EQ(o.ask_quote[3], 10002);
  EXPECT_DOUBLE_EQ(o.ask_volume[3], 25.0);
  EXPECT_NEAR(o.ask_price[3], 100.02, kDoubleRounding);
  EXPECT_NEAR(o.cash[3], 2500.5, kDoubleAccumulation);
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
  EXPECT_NEAR(o.cash[1], -9000.9, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[1], 10.0);
  step_quotes(*env, quotes);
  // Env 0: 350 visible past a queue of 300 (not 240): 50 filled.
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 50.0);
  EXPECT_NEAR(o.cash[0], -5000.0, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
  // Env 1: the 10 left fill (the size stays 10, not 100 again).
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 10.0);
  EXPECT_DOUBLE_EQ(o.position[1], 100.0);
  EXPECT_NEAR(o.cash[1], -10001.0, kDoubleAccumulation);
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
  EXPECT_NEAR(o.cash[0], -1000.0, kDoubleAccumulation);   // 10 x 100.00
  EXPECT_NEAR(o.cash[1], -31003.1, kDoubleAccumulation);  // 310 x 100.01
  EXPECT_NEAR(o.cash[2], 1000.2, kDoubleAccumulation);    // 10 x 100.02
  EXPECT_NEAR(o.cash[3], 41004.1, kDoubleAccumulation);   // 410 x 100.01
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
  EXPECT_NEAR(o.cash[0], -1000.1, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], 0.0);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 90.0);
  // Step 3 at row 2: back at 10000, a new order of 100 behind the 280 visible at row 2
  // (its old place of 200 is lost): 290 executed fill 10 at 100.00.
  step_quotes(*env, quote);
  EXPECT_EQ(o.bid_quote[0], 10000);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 10.0);
  EXPECT_DOUBLE_EQ(o.position[0], 20.0);
  EXPECT_NEAR(o.cash[0], -2000.1, kDoubleAccumulation);
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
  EXPECT_NEAR(o.cash[0], -10000.0, kDoubleAccumulation);
  EXPECT_DOUBLE_EQ(state_of(*env, "bid_rest")[0], 0.0);
  // Step 3 at row 2: the order is done; a fresh 100 joins behind the 120 visible
  // at row 2 (not queue 0): 150 executed fill 30.
  step_quotes(*env, quote);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 30.0);
  EXPECT_DOUBLE_EQ(o.position[0], 130.0);
  EXPECT_NEAR(o.cash[0], -13000.0, kDoubleAccumulation);
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
  // Executions only: every fill is bounded by the executions at or through its price.
  EnvConfig c = executions_only(sample_config());
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
        if (o.bid_volume[i] > buy_side + kDoubleAccumulation) {
          note("bought more than the buy side executed at or below the bid");
        }
        if (o.ask_volume[i] > sell_side + kDoubleAccumulation) {
          note("sold more than the sell side executed at or above the ask");
        }
        if (o.bid_volume[i] > 0 &&
            std::fabs(o.bid_price[i] - static_cast<double>(o.bid_quote[i]) * tick) > kDoubleAccumulation) {
          note("a buy off the order's price");
        }
        if (o.ask_volume[i] > 0 &&
            std::fabs(o.ask_price[i] - static_cast<double>(o.ask_quote[i]) * tick) > kDoubleAccumulation) {
          note("a sell off the order's price");
        }
        // The order's state: rest in [0, size], and rest + this step's fill <= size
        // (an order never grows); queue ahead in [0, level].
        const ActionRow& a = c.actions[static_cast<std::size_t>(actions[e])];
        const double bid_size = a.bid_size * lot, ask_size = a.ask_size * lot;
        if (bid_rest[e] < 0 || ask_rest[e] < 0) note("negative rest");
        if (bid_rest[e] > bid_size + kDoubleAccumulation || ask_rest[e] > ask_size + kDoubleAccumulation) {
          note("rest above the order size");
        }
        if (bid_rest[e] + o.bid_volume[i] > bid_size + kDoubleAccumulation ||
            ask_rest[e] + o.ask_volume[i] > ask_size + kDoubleAccumulation) {
          note("rest + fill above the order size");
        }
        if (o.bid_quote[i] == 0 && bid_rest[e] != 0) note("a bid rests without a quote");
        if (o.ask_quote[i] == 0 && ask_rest[e] != 0) note("an ask rests without a quote");
        if (bid_queue[e] < 0 || ask_queue[e] < 0) note("negative queue ahead");
        if (bid_queue[e] > bid_level[e] + kFloat32Rounding || ask_queue[e] > ask_level[e] + kFloat32Rounding) {
          note("queue above the level");
        }
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
// The matching-engine rules of the trades model (docs/mechanics.md, "Fill
// model trades", 5): each against its default, from kTradesRow (mid 10001).
// ---------------------------------------------------------------------------

struct SideResult {
  double bought, rest, queue;
};

/// One step of one env quoting `quote` (offsets in ticks) on `m` under `c`.
SideResult one_bid_step(const Market& m, const EnvConfig& c, const ActionRow& quote) {
  auto env = make_env(m, c);
  step_quotes(*env, {quote});
  return {env->outputs().bid_volume[0], state_of(*env, "bid_rest")[0], state_of(*env, "bid_queue")[0]};
}

TEST(EnvTradesRules, TheBestAskFallingToABidFillsItWholeWithoutATrade) {
  // Row 1: a new sell order at 10001 meets the bid placed inside the spread at
  // 10001; no execution prints. The 50 lots shown do not bound the fill.
  const BookRow row1 = {{{10000, 300}}, {{10001, 50}, {10002, 400}}};
  const Market m = trades_market({kTradesRow, row1, kTradesRow}, {});
  EnvConfig c = trades_config(m);
  EXPECT_EQ(one_bid_step(m, c, {0, 0, 100, 0}).bought, 0.0);  // ignore: only trades fill
  c.book_crossing = BookCrossing::fill;
  const SideResult r = one_bid_step(m, c, {0, 0, 100, 0});
  EXPECT_DOUBLE_EQ(r.bought, 100.0);
  EXPECT_DOUBLE_EQ(r.rest, 0.0);
}

TEST(EnvTradesRules, TheBestAskFallingThroughABidAfterATradeFillsTheRest) {
  // A seller hits 30 bids at 10000, below the bid at 10001 (fills 30 first),
  // and row 1's best ask is 9999, through the bid: the other 70 fill too.
  const BookRow row1 = {{{9998, 100}}, {{9999, 80}, {10002, 400}}};
  const Market m = trades_market({kTradesRow, row1, kTradesRow}, {{}, {visible(30, 10000, +1)}});
  EnvConfig c = trades_config(m);
  EXPECT_DOUBLE_EQ(one_bid_step(m, c, {0, 0, 100, 0}).bought, 30.0);
  c.book_crossing = BookCrossing::fill;
  auto env = make_env(m, c);
  step_quotes(*env, {{0, 0, 100, 0}});
  const auto& o = env->outputs();
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 100.0);
  EXPECT_EQ(o.bid_fills[0], 2);  // the trade, then the crossing
  EXPECT_NEAR(o.bid_price[0], 100.01, kDoubleRounding);  // both at the order's price
  EXPECT_NEAR(o.cash[0], -10001.0, kDoubleAccumulation);
}

TEST(EnvTradesRules, ASweepThroughTheOrdersPriceFillsItWhole) {
  // A bid of 500 at 10000 behind 300. A seller sweeps the 300 lots at 10000,
  // then 50 at 9999: at 10000 nothing passes the queue; the print at 9999 is
  // worse than the bid, so the aggressor passed it.
  const Market m = trades_market({kTradesRow, kTradesRow, kTradesRow},
                                 {{}, {visible(300, 10000, +1), visible(50, 9999, +1)}});
  EnvConfig c = trades_config(m);
  SideResult r = one_bid_step(m, c, {1, 0, 500, 0});
  EXPECT_DOUBLE_EQ(r.bought, 50.0);  // printed_size: the 50 printed at 9999
  EXPECT_DOUBLE_EQ(r.rest, 450.0);
  c.trade_through = TradeThrough::whole_order;
  r = one_bid_step(m, c, {1, 0, 500, 0});
  EXPECT_DOUBLE_EQ(r.bought, 500.0);
  EXPECT_DOUBLE_EQ(r.rest, 0.0);
}

TEST(EnvTradesRules, AHiddenExecutionAtTheOrdersPriceShowsTheDisplayedQueueGone) {
  // A bid of 100 at 10000 behind 300 displayed lots; 40 hidden lots at 10000 execute.
  const Market m = trades_market({kTradesRow, kTradesRow, kTradesRow}, {{}, {hidden(40, 10000, +1)}});
  EnvConfig c = trades_config(m);
  SideResult r = one_bid_step(m, c, {1, 0, 100, 0});
  EXPECT_DOUBLE_EQ(r.bought, 0.0);
  EXPECT_DOUBLE_EQ(r.queue, 300.0);
  c.hidden_executions = HiddenExecutions::displayed_first;
  r = one_bid_step(m, c, {1, 0, 100, 0});
  EXPECT_DOUBLE_EQ(r.bought, 40.0);  // displayed orders, this one included, execute before hidden ones
  EXPECT_DOUBLE_EQ(r.queue, 0.0);
  EXPECT_DOUBLE_EQ(r.rest, 60.0);
}

TEST(EnvTradesRules, ACancellationBelowTheQueueAheadMovesTheOrderUp) {
  // A bid of 100 at 10000 behind 300. 250 lots at 10000 are cancelled; row 1
  // shows 50 there. Then 60 lots execute at 10000.
  const BookRow row1 = {{{10000, 50}, {9999, 200}}, {{10002, 400}}};
  const Market m = trades_market({kTradesRow, row1, row1, row1},
                                 {{}, {msg(MessageType::full_delete, 250, 10000, +1)}, {visible(60, 10000, +1)}});
  for (const QueueCap cap : {QueueCap::none, QueueCap::visible_level}) {
    SCOPED_TRACE(to_string(cap));
    EnvConfig c = trades_config(m);
    c.queue_cap = cap;
    auto env = make_env(m, c);
    step_quotes(*env, {{1, 0, 100, 0}});
    const bool capped = cap == QueueCap::visible_level;
    EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], capped ? 50.0 : 300.0);
    step_quotes(*env, {{1, 0, 100, 0}});  // the same price keeps the order's place
    EXPECT_DOUBLE_EQ(env->outputs().bid_volume[0], capped ? 10.0 : 0.0);
    EXPECT_DOUBLE_EQ(state_of(*env, "bid_queue")[0], capped ? 0.0 : 240.0);
  }
}

TEST(EnvTradesRules, TheCapKnowsOnlyPricesTheDepthShows) {
  // shown_lots_at on kTradesRow (bids 10000, 9999, 9998: a full depth of 3).
  const Market m = trades_market({kTradesRow, kTradesRow}, {});
  const MarketView v = detail::host_market(m.data());
  Lots lots = -1;
  EXPECT_TRUE(shown_lots_at(v, 0, true, 9999, &lots));
  EXPECT_EQ(lots, 200);
  EXPECT_TRUE(shown_lots_at(v, 0, true, 10001, &lots));  // inside the spread: nobody there
  EXPECT_EQ(lots, 0);
  EXPECT_FALSE(shown_lots_at(v, 0, true, 9997, &lots));  // beyond the depth: unknown
  EXPECT_TRUE(shown_lots_at(v, 0, false, 10003, &lots));
  EXPECT_EQ(lots, 200);
}

}  // namespace
}  // namespace mmsim::test
