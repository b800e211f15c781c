// The notebook's spread-trading environment: hand-computed episodes (a long
// opened at the bid and closed at the ask, a short, fees), the observation
// and the action mask, episodes ending by their length and by the data's end.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "l1_book.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/spread_env.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

constexpr std::int32_t kHold = static_cast<std::int32_t>(SpreadAction::hold);
constexpr std::int32_t kBuy = static_cast<std::int32_t>(SpreadAction::buy);
constexpr std::int32_t kSell = static_cast<std::int32_t>(SpreadAction::sell);

/// Six rows: bid / ask $100.00/100.02, 100.01/100.03, 100.03/100.05,
/// 100.02/100.04, 100.00/100.02, 99.99/100.01; bid depth 10 + r, ask 20 + r.
L1Book six_rows() {
  return make_book({10000, 10001, 10003, 10002, 10000, 9999}, {10002, 10003, 10005, 10004, 10002, 10001},
                   {10, 11, 12, 13, 14, 15}, {20, 21, 22, 23, 24, 25});
}

SpreadConfig from_start(std::int64_t length) {
  SpreadConfig config;
  config.start = SpreadStart::split_start;
  config.episode_length = length;
  config.trading_fee = 0.1;
  config.time_fee = 0.01;
  return config;
}

std::vector<float> obs_of(const SpreadEnv& env, std::int64_t i = 0) {
  const int size = env.params().observation_size();
  return {env.outputs().obs + i * size, env.outputs().obs + (i + 1) * size};
}

std::vector<int> mask_of(const SpreadEnv& env, std::int64_t i = 0) {
  const std::uint8_t* m = env.outputs().action_mask + i * kSpreadActions;
  return {m[0], m[1], m[2]};
}

TEST(SpreadEnvEpisodes, ALongOpenedAtTheBidIsClosedAtTheAskWithTheFees) {
  const L1Book b = six_rows();
  auto env = make_spread_cpu_env(b.data(), from_start(3), 1, 5);
  const SpreadOutputs& out = env->outputs();
  // History 2: the first action trades on row 1 (mid 10002 ticks), seeing rows 0 and 1.
  EXPECT_EQ(obs_of(*env), (std::vector<float>{-2, 0, -1, 1, 10, 20, 11, 21, 0, 1, 0, 0}));
  EXPECT_EQ(mask_of(*env), (std::vector<int>{1, 1, 1}));

  std::int32_t action = kBuy;
  env->step(&action);  // long at row 1's bid, $100.01
  EXPECT_EQ(out.traded[0], 1);
  EXPECT_NEAR(out.reward[0], -0.01 - 0.1, kFloat32RoundingOfTens);
  EXPECT_EQ(out.position[0], static_cast<std::int32_t>(SpreadPosition::long_));
  // Row 2's mid is 10004 ticks: the entry 10001 is 3 ticks below it.
  EXPECT_EQ(obs_of(*env), (std::vector<float>{-3, -1, -1, 1, 11, 21, 12, 22, -3, 0, 1, 0}));
  EXPECT_EQ(mask_of(*env), (std::vector<int>{1, 0, 1}));  // long: hold or sell

  env->step(&action);  // buying while long changes nothing, but the fee is charged (the notebook)
  EXPECT_EQ(out.traded[0], 0);
  EXPECT_NEAR(out.reward[0], -0.11, kFloat32RoundingOfTens);

  action = kSell;
  env->step(&action);  // row 3's ask $100.04: 100.04 - 100.01 = 0.03; the episode's 3rd step ends it
  EXPECT_EQ(out.traded[0], 1);
  EXPECT_NEAR(out.reward[0], 0.03 - 0.11, kFloat32RoundingOfTens);
  EXPECT_EQ(out.truncated[0], 1);
  EXPECT_EQ(out.terminated[0], 0);
  EXPECT_NEAR(out.episode_pnl[0], 0.03, kDoubleAccumulation);
  EXPECT_EQ(out.episode_length[0], 3);
  EXPECT_EQ(out.episode_trades[0], 2);
  // The final observation: rows 3 and 4 (mid 10001), flat.
  const int size = env->params().observation_size();
  EXPECT_EQ(std::vector<float>(out.final_obs, out.final_obs + size),
            (std::vector<float>{1, 3, -1, 1, 13, 23, 14, 24, 0, 1, 0, 0}));
  // The next episode starts over at row 1.
  EXPECT_EQ(obs_of(*env), (std::vector<float>{-2, 0, -1, 1, 10, 20, 11, 21, 0, 1, 0, 0}));
}

TEST(SpreadEnvEpisodes, AShortOpenedAtTheAskIsClosedAtTheBid) {
  const L1Book b = six_rows();
  SpreadConfig config = from_start(4);
  config.trading_fee = 0;
  config.time_fee = 0;
  auto env = make_spread_cpu_env(b.data(), config, 1, 5);
  const SpreadOutputs& out = env->outputs();
  std::int32_t action = kSell;
  env->step(&action);  // short at row 1's ask, $100.03
  EXPECT_EQ(mask_of(*env), (std::vector<int>{1, 1, 0}));  // short: hold or buy
  action = kHold;
  env->step(&action);
  env->step(&action);
  action = kBuy;
  env->step(&action);  // row 4's bid $100.00: 100.03 - 100.00 = 0.03
  EXPECT_NEAR(out.reward[0], 0.03, kFloat32RoundingOfTens);
  EXPECT_NEAR(out.episode_pnl[0], 0.03, kDoubleAccumulation);
  // Six rows, history 2: four steps reach the last row, the data's end.
  EXPECT_EQ(out.terminated[0], 1);
  EXPECT_EQ(out.truncated[0], 0);
}

TEST(SpreadEnvEpisodes, ALongerLengthStopsAtTheDataAndAnOpenPositionBooksNothing) {
  const L1Book b = six_rows();
  auto env = make_spread_cpu_env(b.data(), from_start(100), 1, 5);
  EXPECT_EQ(env->params().length, 4);
  const SpreadOutputs& out = env->outputs();
  std::int32_t action = kBuy;
  env->step(&action);
  action = kHold;
  for (int step = 1; step < 4; ++step) env->step(&action);
  EXPECT_EQ(out.terminated[0], 1);
  EXPECT_EQ(out.episode_pnl[0], 0.0);  // the long is left open, as the notebook leaves it
  EXPECT_EQ(out.episode_trades[0], 1);
}

TEST(SpreadEnvObservation, AbsolutePricesAreScaledAsTheNotebooksDivisionBy1000) {
  const L1Book b = six_rows();
  SpreadConfig config = from_start(3);
  config.prices = SpreadPrices::absolute;
  config.price_scale = 1000;
  config.depth_scale = 10;
  config.history = 1;
  auto env = make_spread_cpu_env(b.data(), config, 1, 5);
  // History 1: the first action trades on row 0.
  const std::vector<float> obs = obs_of(*env);
  ASSERT_EQ(obs.size(), 8u);
  EXPECT_FLOAT_EQ(obs[0], static_cast<float>(100.00 / 1000));
  EXPECT_FLOAT_EQ(obs[1], static_cast<float>(100.02 / 1000));
  EXPECT_FLOAT_EQ(obs[2], 1.0f);
  EXPECT_FLOAT_EQ(obs[3], 2.0f);
  std::int32_t action = kSell;
  env->step(&action);  // short at $100.02
  EXPECT_FLOAT_EQ(obs_of(*env)[4], static_cast<float>(100.02 / 1000));
  EXPECT_EQ(obs_of(*env)[7], 1.0f);  // short
}

TEST(SpreadEnvEpisodes, RandomWindowsStayInsideTheSplitAndEndByTheirLength) {
  // Rows 50..149 form the split, 1 tick from their mid; the rows around it
  // are priced 10,000 ticks away, so reading one would show.
  std::vector<Ticks> bid, ask;
  std::vector<Lots> depth;
  for (int r = 0; r < 200; ++r) {
    const Ticks away = r < 50 || r >= 150 ? 10000 : 0;
    bid.push_back(10000 + away + r % 7);
    ask.push_back(10002 + away + r % 7);
    depth.push_back(5 + r % 3);
  }
  L1Book b = make_book(bid, ask, depth, depth);
  b.splits.train.ranges = {{50, 150}};
  SpreadConfig config;
  config.episode_length = 30;
  config.history = 4;
  config.time_fee = 0.5;
  auto env = make_spread_cpu_env(b.data(), config, 64, 8);
  std::vector<std::int32_t> actions(64, kHold);
  for (int step = 0; step < 95; ++step) {
    env->step(actions.data());
    for (std::int64_t i = 0; i < 64; ++i) {
      EXPECT_FLOAT_EQ(env->outputs().reward[i], -0.5f);  // a hold pays the time fee only
      EXPECT_EQ(env->outputs().truncated[i], (step + 1) % 30 == 0 ? 1 : 0);
      EXPECT_EQ(env->outputs().terminated[i], 0);
      const std::vector<float> obs = obs_of(*env, i);
      for (int k = 0; k < 2 * config.history; ++k) EXPECT_LT(std::fabs(obs[k]), 10.0f) << "env " << i;
    }
  }
  EXPECT_NO_THROW(env->check_faults());
}

TEST(SpreadEnvEpisodes, ARandomWindowAsLongAsTheDataIsTruncatedNotTerminated) {
  const L1Book b = six_rows();
  SpreadConfig config;
  config.episode_length = 100;  // capped to 6 rows - history 2 = 4 steps: the only window
  auto env = make_spread_cpu_env(b.data(), config, 3, 5);
  EXPECT_EQ(env->params().length, 4);
  std::vector<std::int32_t> hold(3, kHold);
  for (int step = 0; step < 4; ++step) env->step(hold.data());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(env->outputs().truncated[i], 1);
    EXPECT_EQ(env->outputs().terminated[i], 0);
    EXPECT_EQ(env->outputs().episode_length[i], 4);
  }
}

TEST(SpreadEnvFaults, AnInvalidActionIsReportedAndBadConfigsNameTheirKeys) {
  const L1Book b = six_rows();
  auto env = make_spread_cpu_env(b.data(), from_start(3), 2, 5);
  std::int32_t actions[2] = {kHold, 3};
  env->step(actions);
  EXPECT_THROW(env->check_faults(), Error);

  SpreadConfig config = from_start(3);
  config.history = 6;  // six rows leave no step
  expect_config_error([&] { make_spread_cpu_env(b.data(), config, 1, 5); }, "spread.start");
  config.history = 2;
  config.price_scale = 0;
  expect_config_error([&] { make_spread_cpu_env(b.data(), config, 1, 5); }, "spread.price_scale");
}

}  // namespace
}  // namespace mmsim::test
