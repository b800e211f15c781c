// The notebook's tabular learners: hand-computed updates of each rule, the
// exploration and epsilon schedule, batches against learners run alone, and
// learning on a series where one action is best in each state.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "l1_book.hpp"
#include "mmsim/config/config.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/train/tabular.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

constexpr int kSell = static_cast<int>(FillProbAction::sell);
constexpr int kHold = static_cast<int>(FillProbAction::hold);
constexpr int kBuy = static_cast<int>(FillProbAction::buy);
constexpr int kFlat = static_cast<int>(FillProbPosition::flat) * kFillProbBuckets;
constexpr int kShort = static_cast<int>(FillProbPosition::short_) * kFillProbBuckets;
constexpr int kLong = static_cast<int>(FillProbPosition::long_) * kFillProbBuckets;

/// Rows in bucket 0 (bid depth 50 of 1000: the bid is always hit) at a bid of
/// $100.00 and an ask of $100.02.
L1Book bid_hit_book(int rows) {
  return make_book(std::vector<Ticks>(rows, 10000), std::vector<Ticks>(rows, 10002), std::vector<Lots>(rows, 50),
                   std::vector<Lots>(rows, 950));
}

/// Bucket 0 and bucket 9 rows in turn from bucket 0: buy on the first, sell
/// on the second (and sell flat on the second, buy back on the first) earns
/// the $0.02 spread on 50 shares.
L1Book alternating_book(int rows) {
  std::vector<Lots> bid_depth, ask_depth;
  for (int r = 0; r < rows; ++r) {
    bid_depth.push_back(r % 2 == 0 ? 50 : 950);
    ask_depth.push_back(r % 2 == 0 ? 950 : 50);
  }
  return make_book(std::vector<Ticks>(rows, 10000), std::vector<Ticks>(rows, 10002), bid_depth, ask_depth);
}

TabularBatchSpec one_learner(const L1Book& book, TabularAlgorithm algorithm, double epsilon) {
  TabularBatchSpec spec;
  spec.data = book.data();
  spec.env.episode_length = 3;
  spec.env.cost = 1;
  spec.params.gamma = 0.9;
  spec.params.episodes = 4;
  spec.learners = {{algorithm, 0.5, epsilon, 1.0, 0}};
  spec.seed = 11;
  return spec;
}

/// The action a SARSA-rule learner has chosen for its next step.
std::int32_t pending_action(TabularBatch& batch) {
  return host_buffer_values<std::int32_t>(batch.read_buffers(), "learner.action").at(0);
}

/// Q(flat k0) = [0, 0, 2] (buy is greedy), Q(long k0) = [3, 1, 0].
std::vector<double> hand_table() {
  std::vector<double> q(kTabularTable, 0.0);
  q[kFlat * 3 + kBuy] = 2;
  q[kLong * 3 + kSell] = 3;
  q[kLong * 3 + kHold] = 1;
  return q;
}

TEST(TabularUpdate, QLearningBootstrapsFromTheNextStatesMaximum) {
  const L1Book book = bid_hit_book(6);
  auto batch = make_tabular_cpu_batch(one_learner(book, TabularAlgorithm::q_learning, 0.0), 1);
  batch->load_tables(hand_table());
  batch->run(1);  // flat k0: buy at the bid (cost 1), now long k0
  const std::vector<double> q = batch->q_tables();
  // 2 + 0.5 x (-1 + 0.9 x max(3, 1, 0) - 2) = 1.85
  EXPECT_NEAR(q[kFlat * 3 + kBuy], 1.85, kDoubleRounding);
  EXPECT_EQ(q[kLong * 3 + kSell], 3.0);
}

TEST(TabularUpdate, SarsaBootstrapsFromTheActionItTakesNext) {
  const L1Book book = bid_hit_book(6);
  int took_a_non_greedy_action = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    TabularBatchSpec spec = one_learner(book, TabularAlgorithm::sarsa, 0.0);
    spec.seed = seed;
    auto batch = make_tabular_cpu_batch(spec, 1);
    std::vector<double> table = hand_table();
    batch->load_tables(table);
    batch->run(1);
    std::int32_t next_action = pending_action(*batch);
    // Greedy with epsilon 0: sell, the largest of Q(long k0).
    EXPECT_EQ(next_action, kSell);
    EXPECT_NEAR(batch->q_tables()[kFlat * 3 + kBuy], 2 + 0.5 * (-1 + 0.9 * 3 - 2), kDoubleRounding);

    // Exploring every step (epsilon 1), the first action is random: the
    // target is Q(long k0, the next action), whichever it is.
    spec.learners[0].epsilon = 1;
    batch = make_tabular_cpu_batch(spec, 1);
    batch->load_tables(table);
    const std::int32_t first = pending_action(*batch);
    batch->run(1);
    next_action = pending_action(*batch);
    const std::vector<double> q = batch->q_tables();
    if (first == kBuy) {  // the bid is hit: long
      EXPECT_NEAR(q[kFlat * 3 + kBuy], 2 + 0.5 * (-1 + 0.9 * table[kLong * 3 + next_action] - 2), kDoubleRounding);
    } else {  // sell or hold: nothing fills, flat k0 again
      EXPECT_NEAR(q[kFlat * 3 + first], table[kFlat * 3 + first] +
                                            0.5 * (0.9 * table[kFlat * 3 + next_action] - table[kFlat * 3 + first]),
                  kDoubleRounding);
    }
    took_a_non_greedy_action += next_action != kSell ? 1 : 0;
  }
  EXPECT_GT(took_a_non_greedy_action, 0);
}

TEST(TabularUpdate, SarsaRulesChooseTheNextActionBeforeTheUpdate) {
  // Sell in bucket 0 fills nothing: flat k0 again, reward 0. Q(flat k0) =
  // [2, 1.95, 0]: the update takes Q(sell) to 2 + 0.5 x (0.9 x 2 - 2) = 1.9,
  // below hold's 1.95, but both rules chose the next action before it: sell.
  const L1Book book = bid_hit_book(6);
  for (const TabularAlgorithm algorithm : {TabularAlgorithm::sarsa, TabularAlgorithm::expected_sarsa}) {
    auto batch = make_tabular_cpu_batch(one_learner(book, algorithm, 0.0), 1);
    std::vector<double> table(kTabularTable, 0.0);
    table[kFlat * 3 + kSell] = 2;
    table[kFlat * 3 + kHold] = 1.95;
    batch->load_tables(table);
    batch->run(1);
    EXPECT_NEAR(batch->q_tables()[kFlat * 3 + kSell], 1.9, kDoubleRounding) << to_string(algorithm);
    EXPECT_EQ(pending_action(*batch), kSell) << to_string(algorithm);
    batch->run(1);  // takes it; now hold (1.95) leads: 1.9 + 0.5 x (0.9 x 1.95 - 1.9)
    EXPECT_EQ(pending_action(*batch), kHold) << to_string(algorithm);
    EXPECT_NEAR(batch->q_tables()[kFlat * 3 + kSell], 1.9 + 0.5 * (0.9 * 1.95 - 1.9), kDoubleRounding)
        << to_string(algorithm);
  }
}

TEST(TabularUpdate, ExpectedSarsaWeighsTiedMaximaAsTheNotebookDoes) {
  // Q = [1, 1, 0], epsilon 0.5: each maximum (1 - 0.5) / 2 + 0.5 / 3, the other 0.5 / 3.
  const double q[3] = {1, 1, 0};
  EXPECT_NEAR(tabular_expectation(q, 0.5), 2 * (0.25 + 0.5 / 3), kDoubleRounding);
  const double single[3] = {-1, 4, 2};  // one maximum: (1 - 0.2) + 0.2 / 3 on it, 0.2 / 3 elsewhere
  EXPECT_NEAR(tabular_expectation(single, 0.2), (0.8 + 0.2 / 3) * 4 + 0.2 / 3 * (-1 + 2), kDoubleRounding);

  const L1Book book = bid_hit_book(6);
  auto batch = make_tabular_cpu_batch(one_learner(book, TabularAlgorithm::expected_sarsa, 0.0), 1);
  std::vector<double> table = hand_table();
  table[kLong * 3 + kHold] = 3;  // tied with sell; epsilon 0 weighs the two maxima 1/2 each
  batch->load_tables(table);
  batch->run(1);
  EXPECT_NEAR(batch->q_tables()[kFlat * 3 + kBuy], 2 + 0.5 * (-1 + 0.9 * 3 - 2), kDoubleRounding);
}

TEST(TabularUpdate, ATerminatedStepHasNoTargetAndATruncatedOneBootstraps) {
  const L1Book book = bid_hit_book(6);
  for (const TabularAlgorithm algorithm :
       {TabularAlgorithm::q_learning, TabularAlgorithm::sarsa, TabularAlgorithm::expected_sarsa}) {
    TabularBatchSpec spec = one_learner(book, algorithm, 0.0);
    spec.env.episode_length = 1;
    auto batch = make_tabular_cpu_batch(spec, 1);
    batch->load_tables(hand_table());
    batch->run(1);  // buy 50 shares at $100.00, closed at the next row's bid $100.00: reward -1
    EXPECT_NEAR(batch->q_tables()[kFlat * 3 + kBuy], 2 + 0.5 * (-1 - 2), kDoubleRounding) << to_string(algorithm);
    EXPECT_NEAR(batch->curves()[0], -1, kDoubleRounding);

    spec.env.episode_end = FillProbEpisodeEnd::truncate;
    batch = make_tabular_cpu_batch(spec, 1);
    batch->load_tables(hand_table());
    batch->run(1);  // the long position stays open: bootstrap from Q(long k0)
    EXPECT_NEAR(batch->q_tables()[kFlat * 3 + kBuy], 2 + 0.5 * (-1 + 0.9 * 3 - 2), kDoubleRounding)
        << to_string(algorithm);
  }
}

TEST(TabularExploration, EpsilonGreedyExploresAtItsRateAndBreaksTiesEvenly) {
  constexpr int kDraws = 60000;
  std::vector<double> hold_best(3, 0.0);
  hold_best[kHold] = 1;
  const std::vector<double> tied(3, 0.0);
  std::map<int, int> explored, ties;
  for (int d = 0; d < kDraws; ++d) {
    const auto draw = philox_draw(5, static_cast<std::uint64_t>(d), 0, 0, RngPurpose::action);
    ++explored[tabular_choose(hold_best.data(), kFlat, 0.3, TabularActions::all, draw)];
    ++ties[tabular_choose(tied.data(), kFlat, 0.0, TabularActions::all, draw)];
  }
  const auto expect_share = [&](int count, double p) {
    EXPECT_NEAR(static_cast<double>(count) / kDraws, p, 5 * std::sqrt(p * (1 - p) / kDraws));
  };
  expect_share(explored[kSell], 0.1);  // 0.3 x 1/3
  expect_share(explored[kBuy], 0.1);
  expect_share(explored[kHold], 0.8);  // 0.7 + 0.3 x 1/3
  for (int a = 0; a < 3; ++a) expect_share(ties[a], 1.0 / 3);
}

TEST(TabularExploration, PositionValidActionsNeverAddToAPosition) {
  const std::vector<double> q = {0, 0, 5};  // buy would be greedy
  std::map<int, int> from_long, from_short;
  for (int d = 0; d < 3000; ++d) {
    const auto draw = philox_draw(6, static_cast<std::uint64_t>(d), 0, 0, RngPurpose::action);
    ++from_long[tabular_choose(q.data(), kLong + 4, d % 2 == 0 ? 1.0 : 0.0, TabularActions::position_valid, draw)];
    ++from_short[tabular_choose(q.data(), kShort + 4, 1.0, TabularActions::position_valid, draw)];
  }
  EXPECT_EQ(from_long.count(kBuy), 0u);
  EXPECT_GT(from_long[kSell], 0);
  EXPECT_GT(from_long[kHold], 0);
  EXPECT_EQ(from_short.count(kSell), 0u);
  EXPECT_NEAR(from_short[kBuy] / 3000.0, 0.5, 5 * std::sqrt(0.25 / 3000));
}

TEST(TabularSchedule, EpsilonHalvesEveryFifteenEpisodes) {
  EXPECT_EQ(tabular_epsilon(0.5, 0.5, 15, 0), 0.5);
  EXPECT_EQ(tabular_epsilon(0.5, 0.5, 15, 14), 0.5);
  EXPECT_EQ(tabular_epsilon(0.5, 0.5, 15, 15), 0.25);
  EXPECT_EQ(tabular_epsilon(0.5, 0.5, 15, 29), 0.25);
  EXPECT_EQ(tabular_epsilon(0.5, 0.5, 15, 30), 0.125);
  EXPECT_EQ(tabular_epsilon(0.5, 0.5, 15, 149), 0.5 * std::pow(0.5, 9));

  // In a batch: after 15 one-step episodes the learner's epsilon is 0.25.
  const L1Book book = bid_hit_book(4);
  TabularBatchSpec spec = one_learner(book, TabularAlgorithm::q_learning, 0.5);
  spec.learners[0].epsilon_decay = 0.5;
  spec.env.episode_length = 1;
  spec.params.epsilon_every = 15;
  auto batch = make_tabular_cpu_batch(spec, 1);
  batch->run(15);
  EXPECT_EQ(host_buffer_values<double>(batch->read_buffers(), "learner.epsilon_now").at(0), 0.25);
}

TEST(TabularSchedule, AWholeSplitEpisodeEndsTruncatedAndTheNextStartsAtTheSplitsStart) {
  const L1Book book = bid_hit_book(4);
  TabularBatchSpec spec = one_learner(book, TabularAlgorithm::sarsa, 1.0);
  spec.learners[0].epsilon_decay = 0.5;
  spec.env.start = FillProbStart::split_start;
  spec.env.episode_end = FillProbEpisodeEnd::truncate;
  spec.env.episode_length = 100;  // capped to 3 steps: rows 0..3
  spec.params.epsilon_every = 1;
  auto batch = make_tabular_cpu_batch(spec, 1);
  ASSERT_EQ(batch->episode_steps(), 3);
  batch->run(3);
  const std::vector<HostBuffer> buffers = batch->read_buffers();
  EXPECT_EQ(host_buffer_values<std::uint8_t>(buffers, "env_outputs.truncated").at(0), 1);
  EXPECT_EQ(host_buffer_values<std::int64_t>(buffers, "env_state.row").at(0), 0);
  EXPECT_EQ(host_buffer_values<std::int32_t>(buffers, "env_state.step").at(0), 0);
  EXPECT_EQ(host_buffer_values<double>(buffers, "learner.epsilon_now").at(0), 0.5);
  EXPECT_EQ(host_buffer_values<double>(buffers, "learner.episode_reward").at(0), 0.0);
  EXPECT_EQ(batch->curves()[0], host_buffer_values<double>(buffers, "env_outputs.episode_pnl").at(0) -
                                    host_buffer_values<std::int32_t>(buffers, "env_outputs.episode_trades").at(0) *
                                        spec.env.cost);
}

TEST(TabularBatch, EveryLearnerOfABatchEqualsItselfRunAlone) {
  const L1Book book = alternating_book(400);
  TabularConfig config;
  config.seeds = 3;
  config.episodes = 4;
  config.step_sizes = {0.05, 0.2};
  config.epsilons = {0.5};
  config.epsilon_decays = {0.5, 0.9};
  config.epsilon_every = 1;
  TabularBatchSpec spec;
  spec.data = book.data();
  spec.env.episode_length = 50;
  spec.params = make_tabular_params(config);
  spec.learners = tabular_grid(config);
  spec.seed = 3;
  ASSERT_EQ(spec.learners.size(), 3u * 2 * 2 * 3);
  auto all = make_tabular_cpu_batch(spec, 2);
  all->run(config.episodes * all->episode_steps());
  const std::vector<double> q = all->q_tables(), curves = all->curves();
  for (std::size_t k = 0; k < spec.learners.size(); ++k) {
    TabularBatchSpec alone = spec;
    alone.learners = {spec.learners[k]};
    auto single = make_tabular_cpu_batch(alone, 1);
    single->run(config.episodes * single->episode_steps());
    const std::vector<double> q1 = single->q_tables(), curves1 = single->curves();
    EXPECT_EQ(std::memcmp(q1.data(), q.data() + k * kTabularTable, sizeof(double) * kTabularTable), 0) << k;
    EXPECT_EQ(std::memcmp(curves1.data(), curves.data() + k * config.episodes, sizeof(double) * config.episodes), 0)
        << k;
  }
  // The points differ: not every learner learned the same table.
  EXPECT_NE(std::memcmp(q.data(), q.data() + 3 * kTabularTable, sizeof(double) * kTabularTable), 0);
}

TEST(TabularLearning, EveryRuleFindsTheBestActionOfEachVisitedState) {
  const L1Book book = alternating_book(2001);
  // gamma 0.5 makes the spread earned a step earlier clearly worth more (with
  // gamma 1, a hold that delays the same round trip by a step is as good).
  TabularConfig config;
  config.seeds = 32;
  config.episodes = 150;
  config.step_sizes = {0.1};
  config.gamma = 0.5;
  TabularBatchSpec spec;
  spec.data = book.data();
  spec.env.episode_length = 100;
  spec.params = make_tabular_params(config);
  spec.learners = tabular_grid(config);
  auto batch = make_tabular_cpu_batch(spec, 0);
  batch->run(config.episodes * batch->episode_steps());
  const std::vector<double> q = batch->q_tables();
  // Flat in bucket 0 (the bid is hit): buy; long in bucket 9 (the ask is
  // hit): sell the position for the spread; flat in bucket 9: sell; short in
  // bucket 0: buy it back.
  const struct {
    int state, best;
  } expected[] = {{kFlat + 0, kBuy}, {kLong + 9, kSell}, {kFlat + 9, kSell}, {kShort + 0, kBuy}};
  for (std::size_t k = 0; k < spec.learners.size(); ++k) {
    for (const auto& e : expected) {
      const double* row = q.data() + k * kTabularTable + e.state * kTabularActions;
      for (int a = 0; a < kTabularActions; ++a) {
        if (a != e.best) {
          EXPECT_GT(row[e.best], row[a]) << to_string(spec.learners[k].algorithm) << " seed "
                                         << spec.learners[k].seed_index << " state " << e.state;
        }
      }
    }
  }
  // The learning curves rise: the last ten episodes earn more than the first ten.
  const std::vector<double> curves = batch->curves();
  for (std::size_t k = 0; k < spec.learners.size(); ++k) {
    double first = 0, last = 0;
    for (int e = 0; e < 10; ++e) {
      first += curves[k * config.episodes + e];
      last += curves[k * config.episodes + config.episodes - 1 - e];
    }
    EXPECT_GT(last, first) << k;
  }
}

TEST(TabularConfigKeys, BadValuesNameTheirKeys) {
  const auto parse_with = [](const std::string& set) {
    return [set] { parse_config("data:\n  files: [a.csv]\n", ".", {set}); };
  };
  expect_config_error(parse_with("tabular.algorithms=[q_learning, dqn]"), "tabular.algorithms", {"'dqn'"});
  expect_config_error(parse_with("tabular.algorithms=[sarsa, sarsa]"), "tabular.algorithms", {"twice"});
  expect_config_error(parse_with("tabular.step_sizes=[0.05, 0]"), "tabular.step_sizes");
  expect_config_error(parse_with("tabular.step_sizes=[]"), "tabular.step_sizes");
  expect_config_error(parse_with("tabular.epsilons=[1.5]"), "tabular.epsilons");
  expect_config_error(parse_with("tabular.seeds=0"), "tabular.seeds");
  expect_config_error(parse_with("tabular.actions=some"), "tabular.actions");
}

TEST(TabularConfigKeys, ASplitStartNeedsTwoRowsAtTheSplitsStart) {
  const L1Book book = bid_hit_book(1);
  TabularBatchSpec spec = one_learner(book, TabularAlgorithm::q_learning, 0.0);
  spec.env.start = FillProbStart::split_start;
  expect_config_error([&] { make_tabular_cpu_batch(spec, 1); }, "fill_prob.start");
}

}  // namespace
}  // namespace mmsim::test
