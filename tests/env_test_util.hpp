#pragma once
// Helpers of the env suites (tests/test_env_*.cpp; docs/mechanics.md):
// hand-built markets and configs, frames of observations, the shipped GOOG
// sample, explicit quotes and hand-made message logs for the trades fill model.
//
// Hand-built books use integer ticks and lots; a feature table of 2 columns
// holds row * 10 + column, so an observation shows which row it came from.
// A training split of exactly L + 1 rows forces the episode's start row.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/layout.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {

// ---------------------------------------------------------------------------
// Hand-built markets
// ---------------------------------------------------------------------------

inline constexpr int kF = 2;  // market features per frame of the hand-built tables
inline constexpr int kFrame = kF + kAgentFeatures;

inline float feature_value(std::int64_t row, int column) { return static_cast<float>(row * 10 + column); }

using Market = HandMarket;

inline Market make_market(const std::vector<BookRow>& rows, std::vector<RowRange> train, double tick_size = 0.01,
                          double lot_size = 1.0) {
  Market m = hand_market(rows, tick_size, lot_size, {0}, feature_value);
  m.splits.train.ranges = std::move(train);
  return m;
}

/// Mechanics off unless a test turns them on: no dampening, one frame.
inline EnvConfig base_config(std::int64_t episode_length, std::vector<ActionRow> actions) {
  EnvConfig c;
  c.episode_length = episode_length;
  c.actions = std::move(actions);
  c.reward.eta = 0.0;
  c.observation.stack = 1;
  return c;
}

inline std::unique_ptr<BatchEnv> make_env(const Market& m, const EnvConfig& c, std::int64_t n = 1,
                                          std::uint64_t seed = 7, int threads = 1) {
  return make_cpu_env(m.data(), c, n, seed, threads);
}

inline void step1(BatchEnv& env, std::int32_t action) { env.step(&action); }

/// Frame `slot` (0 = oldest) of env `i`'s observation in `obs`.
inline const float* frame_of(const BatchEnv& env, const float* obs, std::int64_t i, int slot) {
  return obs + i * env.observation_size() + static_cast<std::int64_t>(slot) * env.params().frame_size;
}

/// Expects a whole frame: 2 market features then 5 agent features.
inline void expect_frame(const float* frame, const std::vector<double>& expected, const std::string& what) {
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kFrame));
  for (int j = 0; j < kFrame; ++j) {
    EXPECT_NEAR(frame[j], expected[static_cast<std::size_t>(j)], kFloat32RoundingOfTens) << what << ", feature " << j;
  }
}

/// The frame of `row` with agent features (already scaled).
inline std::vector<double> frame_at(std::int64_t row, double cash, double position, double pnl, double unrealised,
                                    double time_left) {
  return {feature_value(row, 0), feature_value(row, 1), cash, position, pnl, unrealised, time_left};
}

inline const std::vector<double> kZeroFrame(kFrame, 0.0);

// Depth 3, tick 0.01. Two-step episodes over three-row ranges:
//   {0, 3}: bids fill against row 1's asks 100x2, 101x3, 102x4 (mid 98.5 ticks);
//   {3, 6}: asks fill against row 4's bids 103x2, 102x3, 101x4 (mid 104.5 ticks);
//   {6, 9}: row 7 is crossed (bid 102 > ask 101), so both quotes fill in one step.
inline const BookRow kCalm = {{{100, 5}, {99, 5}, {98, 5}}, {{103, 5}, {104, 5}, {105, 5}}};  // mid2 = 203
inline const std::vector<BookRow> kFillRows = {
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
inline const RowRange kBidRange{0, 3}, kAskRange{3, 6}, kBothRange{6, 9};

// Offsets in ticks. At a mid of 101.5 ticks, offset 0 quotes bid 101 / ask 102.
inline const std::vector<ActionRow> kFillActions = {
    {0, 0, 0, 0},   // 0: no quote
    {0, 0, 4, 0},   // 1: bid 4 at 101
    {0, 0, 10, 0},  // 2: bid 10 at 101
    {2, 0, 4, 0},   // 3: bid 4 at floor(99.5) = 99
    {0, 0, 0, 4},   // 4: ask 4 at 102
    {0, 0, 0, 10},  // 5: ask 10 at 102
    {0, 2, 0, 4},   // 6: ask 4 at ceil(103.5) = 104
    {0, 0, 1, 1},   // 7: bid 1 at 101 and ask 1 at 102
};

inline std::unique_ptr<BatchEnv> fill_env(const Market& m, const EnvConfig& c, std::int32_t action) {
  auto env = make_env(m, c);
  step1(*env, action);
  return env;
}

// Depth 2, tick 0.01, the range {0, 5} forces a four-step episode from row 0.
inline const std::vector<BookRow> kAccountRows = {
    {{{100, 5}, {99, 5}}, {{103, 5}, {104, 5}}},  // 0: mid2 203, mid 1.015
    {{{97, 5}, {96, 5}}, {{100, 2}, {101, 3}}},   // 1: mid2 197, mid 0.985
    {{{100, 4}, {99, 5}}, {{102, 4}, {103, 5}}},  // 2: mid2 202, mid 1.01
    {{{99, 1}, {98, 5}}, {{101, 1}, {102, 5}}},   // 3: mid2 200, mid 1.00
    {{{102, 1}, {101, 5}}, {{104, 1}, {105, 5}}}, // 4: mid2 206, mid 1.03
};
inline const std::vector<ActionRow> kAccountActions = {
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
inline const std::vector<std::int32_t> kAccountPlay = {1, 2, 3, 0};

// ---------------------------------------------------------------------------
// The shipped GOOG sample, explicit quotes, configuration errors
// ---------------------------------------------------------------------------

/// A config for the shipped GOOG sample (goog_sample()).
inline EnvConfig sample_config() {
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
inline std::vector<std::vector<std::uint8_t>> snapshot(const BatchEnv& env) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const BufferDesc& d : env.describe_outputs()) {
    const auto* p = static_cast<const std::uint8_t*>(d.data);
    out.emplace_back(p, p + buffer_bytes(d));
  }
  return out;
}

inline void expect_config_error(const EnvConfig& c, const std::string& key) {
  try {
    validate(c);
    ADD_FAILURE() << "no ConfigError for " << key;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key);
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
}

/// Steps every env of `env` with the explicit quotes `quotes` [N].
inline void step_quotes(BatchEnv& env, std::vector<ActionRow> quotes) {
  ASSERT_EQ(static_cast<std::int64_t>(quotes.size()), env.num_envs());
  env.step_quotes(quotes.data());
}

// ---------------------------------------------------------------------------
// Fill model trades: hand-made message logs
// ---------------------------------------------------------------------------

/// One message of a hand-made log: price in half-ticks (2 x ticks).
struct TradeMsg {
  MessageType type;
  Lots size;
  std::int64_t half_ticks;
  std::int8_t direction;  ///< resting side: +1 bids, -1 asks
};

inline TradeMsg msg(MessageType type, Lots size, Ticks price, int direction) {
  return {type, size, 2 * price, static_cast<std::int8_t>(direction)};
}
inline TradeMsg visible(Lots size, Ticks price, int direction) {
  return msg(MessageType::visible_execution, size, price, direction);
}

/// Attaches a message log to a hand-made market: `led_to[t]` are the messages
/// that led from row t - 1 to row t (rows past the list get none).
inline void attach_messages(Market& m, const std::vector<std::vector<TradeMsg>>& led_to) {
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
inline const BookRow kTradesRow = {{{10000, 300}, {9999, 200}, {9998, 100}},
                                   {{10002, 400}, {10003, 200}, {10004, 100}}};

/// A market over `rows` with the message log `led_to`; episodes start at row
/// 0 and last rows - 1 steps (no end of window in the steps a test takes).
inline Market trades_market(const std::vector<BookRow>& rows, const std::vector<std::vector<TradeMsg>>& led_to) {
  Market m = make_market(rows, {{0, static_cast<std::int64_t>(rows.size())}});
  attach_messages(m, led_to);
  return m;
}

/// Fill model trades with only executions filling, as the queue model moves
/// the queue: each matching-engine rule off (EnvTradesRules turns them on).
inline EnvConfig executions_only(EnvConfig c) {
  c.book_crossing = BookCrossing::ignore;
  c.trade_through = TradeThrough::printed_size;
  c.hidden_executions = HiddenExecutions::ignore;
  c.queue_cap = QueueCap::none;
  return c;
}

inline EnvConfig trades_config(const Market& m, QueueModel queue = QueueModel::risk_averse) {
  EnvConfig c = executions_only(base_config(m.book.rows() - 1, {{0, 0, 0, 0}}));
  c.fill_model = FillModel::trades;
  c.queue_model = queue;
  c.liquidate_at_end = false;
  return c;
}

/// Where the state buffers start in `saved`, the save_state bytes of `env`:
/// after a header, the state buffers and then the output buffers end them.
inline std::size_t saved_state_start(const BatchEnv& env, const std::vector<std::uint8_t>& saved) {
  return saved.size() - static_cast<std::size_t>(total_bytes(state_layout(env.num_envs(), env.params())) +
                                                 total_bytes(output_layout(env.num_envs(), env.params())));
}

/// One state column of every env, read from the env's checkpoint bytes; T is
/// the column's type (float64 unless said).
template <class T = double>
inline std::vector<T> state_of(const BatchEnv& env, const std::string& name) {
  const auto bytes = env.save_state();
  std::size_t at = saved_state_start(env, bytes);
  for (const BufferDesc& d : state_layout(env.num_envs(), env.params())) {
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

}  // namespace mmsim::test
