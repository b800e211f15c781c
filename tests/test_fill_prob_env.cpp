// The notebook's fill-probability environment: buckets, hit frequencies,
// trades and PnL booked on closing.

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "l1_book.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

TEST(FillProbBucket, QuantisesTheQueueImbalance) {
  EXPECT_EQ(fill_prob_bucket(0, 10), 0);    // q = 0
  EXPECT_EQ(fill_prob_bucket(5, 95), 0);    // q = 0.05
  EXPECT_EQ(fill_prob_bucket(10, 90), 1);   // q = 0.1
  EXPECT_EQ(fill_prob_bucket(55, 45), 5);   // q = 0.55
  EXPECT_EQ(fill_prob_bucket(95, 5), 9);    // q = 0.95
  EXPECT_EQ(fill_prob_bucket(10, 0), 9);    // q = 1 would be bucket 10: clipped to 9
}

TEST(FillProbEnvHits, TheAskIsHitWithProbabilityKOverNineInEveryBucket) {
  constexpr std::int64_t kEnvs = 20000;
  for (int k = 0; k < kFillProbBuckets; ++k) {
    // q = (10 k + 5) / 100 falls in bucket k.
    const Lots bid_depth = 10 * k + 5, ask_depth = 100 - bid_depth;
    const L1Book b = make_book(std::vector<Ticks>(4, 10000), std::vector<Ticks>(4, 10002),
                               std::vector<Lots>(4, bid_depth), std::vector<Lots>(4, ask_depth));
    FillProbConfig config;
    config.episode_length = 3;
    auto env = make_fill_prob_cpu_env(b.data(), config, kEnvs, 1234 + static_cast<std::uint64_t>(k));
    std::vector<std::int32_t> hold(kEnvs, static_cast<std::int32_t>(FillProbAction::hold));
    std::int64_t ask_hits = 0;
    for (int step = 0; step < 2; ++step) {
      env->step(hold.data());
      ask_hits += std::accumulate(env->outputs().ask_hit, env->outputs().ask_hit + kEnvs, std::int64_t{0});
    }
    const double draws = 2.0 * kEnvs;
    const double p = k / 9.0;
    const double frequency = static_cast<double>(ask_hits) / draws;
    const double sigma = std::sqrt(std::max(p * (1 - p), 1e-12) / draws);
    EXPECT_NEAR(frequency, p, 5 * sigma + kDoubleRounding) << "bucket " << k;
    EXPECT_EQ(env->outputs().state_index[0] % kFillProbBuckets, k);
  }
}

TEST(FillProbEnvTrades, BuysAtTheBidThenBooksThePnlWhenSellingAtTheAsk) {
  // Rows 0-1: bucket 0 (bid depth 5 of 100): the bid is always hit (P(ask) = 0).
  // Rows 2-4: bucket 9 (bid depth 95): the ask is always hit (P(ask) = 1).
  const L1Book b = make_book({10000, 10001, 10002, 10003, 10004}, {10010, 10011, 10012, 10013, 10014},
                             {5, 5, 95, 95, 95}, {95, 95, 5, 5, 5});
  FillProbConfig config;
  config.episode_length = 4;  // the only window: rows 0..4
  config.cash_deal_limit = 500;  // $500 / $100.00 = 5 shares, = the bid depth 5
  config.cost = 0.25;
  auto env = make_fill_prob_cpu_env(b.data(), config, 1, 9);
  const auto& out = env->outputs();
  EXPECT_EQ(out.state_index[0], 0 * kFillProbBuckets + 0);  // flat, bucket 0
  std::int32_t action = static_cast<std::int32_t>(FillProbAction::buy);
  env->step(&action);  // row 0: bid hit, buy 5 shares at $100.00
  EXPECT_EQ(out.ask_hit[0], 0);
  EXPECT_EQ(out.traded[0], 1);
  EXPECT_EQ(out.position[0], static_cast<std::int32_t>(FillProbPosition::long_));
  EXPECT_FLOAT_EQ(out.reward[0], -0.25f);  // no PnL booked, minus the cost
  EXPECT_EQ(out.state_index[0], 2 * kFillProbBuckets + 0);  // long, row 1 in bucket 0
  env->step(&action);  // row 1: buying again while long does nothing
  EXPECT_EQ(out.traded[0], 0);
  EXPECT_FLOAT_EQ(out.reward[0], 0.0f);
  action = static_cast<std::int32_t>(FillProbAction::sell);
  env->step(&action);  // row 2: ask hit, close at $100.12: 5 x (100.12 - 100.00) = 0.60
  EXPECT_EQ(out.ask_hit[0], 1);
  EXPECT_EQ(out.traded[0], 1);
  EXPECT_NEAR(out.reward[0], 0.60 - 0.25, kFloat32RoundingOfTens);
  EXPECT_NEAR(out.pnl[0], 0.60, kDoubleAccumulation);
  EXPECT_EQ(out.position[0], static_cast<std::int32_t>(FillProbPosition::flat));
  env->step(&action);  // row 3: ask hit, open a short of min(500 / 100.13, 5) = 4.9935... shares at $100.13
  EXPECT_EQ(out.traded[0], 1);
  EXPECT_EQ(out.terminated[0], 1);  // 4th step: the window ends at row 4 and the short is bought back at $100.14
  const double shares = 500.0 / 100.13;
  EXPECT_NEAR(out.episode_pnl[0], 0.60 + shares * (100.13 - 100.14), kDoubleAccumulation);
  EXPECT_NEAR(out.reward[0], shares * (100.13 - 100.14) - 0.25, kFloat32RoundingOfTens);
  EXPECT_EQ(out.episode_trades[0], 3);
  // The next episode starts flat at row 0.
  EXPECT_EQ(out.position[0], static_cast<std::int32_t>(FillProbPosition::flat));
  EXPECT_EQ(out.state_index[0], 0);
}

TEST(FillProbEnvTrades, AVolumeIsCappedByTheDepth) {
  // $50,000 / $1.00 = 50,000 shares, but only 7 rest on the bid (bucket 0: 7 / 107).
  const L1Book b = make_book({100, 100, 100}, {101, 101, 101}, {7, 7, 7}, {100, 100, 100});
  FillProbConfig config;
  config.episode_length = 2;
  auto env = make_fill_prob_cpu_env(b.data(), config, 1, 3);
  std::int32_t buy = static_cast<std::int32_t>(FillProbAction::buy);
  env->step(&buy);
  std::int32_t hold = static_cast<std::int32_t>(FillProbAction::hold);
  env->step(&hold);  // the window ends: 7 shares sold at the bid $1.00 = entry: PnL 0
  EXPECT_EQ(env->outputs().terminated[0], 1);
  EXPECT_NEAR(env->outputs().episode_pnl[0], 0.0, kDoubleRounding);
}

TEST(FillProbEnvFaults, AnInvalidActionIsReported) {
  const L1Book b = make_book({100, 100, 100}, {101, 101, 101}, {7, 7, 7}, {100, 100, 100});
  auto env = make_fill_prob_cpu_env(b.data(), FillProbConfig{}, 2, 3);
  std::int32_t actions[2] = {1, 3};
  env->step(actions);
  EXPECT_THROW(env->check_faults(), Error);
  EXPECT_NO_THROW(env->check_faults());
}

TEST(FillProbEnvDeterminism, TheSameSeedRepeatsAndAnotherDiffers) {
  const L1Book b = make_book(std::vector<Ticks>(50, 100), std::vector<Ticks>(50, 101), std::vector<Lots>(50, 40),
                             std::vector<Lots>(50, 60));
  FillProbConfig config;
  config.episode_length = 10;
  auto run = [&](std::uint64_t seed) {
    auto env = make_fill_prob_cpu_env(b.data(), config, 64, seed);
    std::vector<std::int32_t> actions(64);
    std::vector<std::uint8_t> hits;
    for (int step = 0; step < 30; ++step) {
      for (std::size_t i = 0; i < actions.size(); ++i) actions[i] = static_cast<std::int32_t>((i + step) % 3);
      env->step(actions.data());
      hits.insert(hits.end(), env->outputs().ask_hit, env->outputs().ask_hit + 64);
    }
    return hits;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

TEST(FillProbEnvHits, TheBidWithKRuleHitsTheBidWithProbabilityKOverNine) {
  constexpr std::int64_t kEnvs = 20000;
  for (const int k : {0, 3, 9}) {
    const Lots bid_depth = 10 * k + 5, ask_depth = 100 - bid_depth;
    const L1Book b = make_book(std::vector<Ticks>(3, 10000), std::vector<Ticks>(3, 10002),
                               std::vector<Lots>(3, bid_depth), std::vector<Lots>(3, ask_depth));
    FillProbConfig config;
    config.episode_length = 2;
    config.hit_rule = FillProbHitRule::bid_with_k;
    auto env = make_fill_prob_cpu_env(b.data(), config, kEnvs, 77);
    std::vector<std::int32_t> hold(kEnvs, static_cast<std::int32_t>(FillProbAction::hold));
    env->step(hold.data());
    const double bid_hits =
        kEnvs - std::accumulate(env->outputs().ask_hit, env->outputs().ask_hit + kEnvs, std::int64_t{0});
    const double p = k / 9.0;
    EXPECT_NEAR(bid_hits / kEnvs, p, 5 * std::sqrt(std::max(p * (1 - p), 1e-12) / kEnvs) + kDoubleRounding)
        << "bucket " << k;
  }
}

TEST(FillProbEnvTrades, TheNotebooksRulesRepriceAndCloseOnTheCurrentRowsVolume) {
  // Bucket 0 (bid depth 5 of 100) on rows 0-1: the bid is hit; bucket 9 on rows 2-3: the ask.
  // Cash per deal $500: 5 shares at $100.00 (the depth), 500 / 100.01 = 4.99950... at $100.01.
  const L1Book b = make_book({10000, 10001, 10002, 10003, 10004}, {10010, 10011, 10012, 10013, 10014},
                             {5, 50, 95, 95, 95}, {95, 950, 5, 5, 5});
  FillProbConfig config;
  config.episode_length = 4;
  config.cash_deal_limit = 500;
  config.cost = 0.25;
  config.same_side = FillProbSameSide::reprice;
  config.close_volume = FillProbCloseVolume::current_row;
  auto env = make_fill_prob_cpu_env(b.data(), config, 1, 9);
  const auto& out = env->outputs();
  std::int32_t action = static_cast<std::int32_t>(FillProbAction::buy);
  env->step(&action);  // row 0: long 5 shares at $100.00
  env->step(&action);  // row 1: buying while long re-prices the entry to $100.01 and costs 0.25
  EXPECT_EQ(out.traded[0], 1);
  EXPECT_FLOAT_EQ(out.reward[0], -0.25f);
  EXPECT_EQ(out.position[0], static_cast<std::int32_t>(FillProbPosition::long_));
  action = static_cast<std::int32_t>(FillProbAction::sell);
  env->step(&action);  // row 2: the ask is hit at $100.12: the volume is row 2's, min(500 / 100.12, 5 shares) = 4.9940...
  const double volume = 500.0 / 100.12;
  EXPECT_NEAR(out.pnl[0], volume * (100.12 - 100.01), kDoubleAccumulation);
  EXPECT_NEAR(out.reward[0], volume * (100.12 - 100.01) - 0.25, kFloat32RoundingOfTens);
}

TEST(FillProbEnvEpisodes, SplitStartTruncationLeavesThePositionOpenAndNamesTheLastState) {
  const L1Book b = make_book({10000, 10001, 10002, 10003}, {10010, 10011, 10012, 10013}, {5, 5, 5, 95},
                             {95, 95, 95, 5});
  FillProbConfig config;
  config.episode_length = 100;  // capped to the range's 4 rows - 1
  config.start = FillProbStart::split_start;
  config.episode_end = FillProbEpisodeEnd::truncate;
  auto env = make_fill_prob_cpu_env(b.data(), config, 3, 4);
  EXPECT_EQ(env->params().length, 3);
  const auto& out = env->outputs();
  std::vector<std::int32_t> buy(3, static_cast<std::int32_t>(FillProbAction::buy));
  for (int step = 0; step < 3; ++step) env->step(buy.data());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out.truncated[i], 1);
    EXPECT_EQ(out.terminated[i], 0);
    EXPECT_NEAR(out.episode_pnl[i], 0.0, kDoubleRounding);  // long since row 0, nothing booked at the end
    EXPECT_EQ(out.final_state_index[i], 2 * kFillProbBuckets + 9);  // long, row 3 in bucket 9
    EXPECT_EQ(out.state_index[i], 0);  // the next episode: flat at row 0 again
  }
}

}  // namespace
}  // namespace mmsim::test
