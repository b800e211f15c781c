// Continuous quotes (train.policy: gaussian): the normals, the squashed
// log-density against a numeric check, the entropy, the quote rows; the
// collector's draws; the greedy evaluation policy; and A2C and PPO with
// Gaussian quotes on the synthetic book: learning the profitable offsets and
// bit-exact resume.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mmsim/core/rng.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/agent_policy.hpp"
#include "mmsim/train/gaussian.hpp"
#include "synthetic_trainer.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

torch::Tensor tensor(std::vector<double> values, std::vector<std::int64_t> shape) {
  return torch::tensor(values, torch::kFloat64).reshape(shape);
}

train::GaussianConfig range(double low, double high) {
  train::GaussianConfig g;
  g.offset_min = low;
  g.offset_max = high;
  g.size = 3;
  return g;
}

TEST(GaussianQuotes, BoxMullerNormalsHandComputedAndTheirMoments) {
  // u0 = 1 - e^-0.5: radius sqrt(-2 x -0.5) = 1; u1 = 0: angle 0 -> (1, 0); u1 = 0.25 -> (0, 1).
  const double u0 = 1 - std::exp(-0.5);
  const torch::Tensor z = train::standard_normals(tensor({u0, 0, u0, 0.25}, {2, 2}));
  EXPECT_NEAR(z[0][0].item<double>(), 1, kDoubleRounding);
  EXPECT_NEAR(z[0][1].item<double>(), 0, kDoubleRounding);
  EXPECT_NEAR(z[1][0].item<double>(), 0, kDoubleRounding);
  EXPECT_NEAR(z[1][1].item<double>(), 1, kDoubleRounding);
  // 2 x 10^5 normals of the counter-based RNG: mean 0 and variance 1 within 5 standard errors.
  const std::int64_t n = 100000;
  const torch::Tensor many =
      train::standard_normals(train::counter_uniforms(5, 0, 0, RngPurpose::action, 2 * n).view({n, 2}));
  const double standard_error = 1 / std::sqrt(2.0 * n);
  EXPECT_NEAR(many.mean().item<double>(), 0, 5 * standard_error);
  EXPECT_NEAR(many.var().item<double>(), 1, 5 * std::sqrt(2.0) * standard_error);
  // The two normals of a pair are uncorrelated.
  EXPECT_NEAR((many.select(1, 0) * many.select(1, 1)).mean().item<double>(), 0, 5 / std::sqrt(double(n)));
}

TEST(GaussianQuotes, SquashedLogDensityMatchesTheProbabilityOfSmallBoxes) {
  // P(offsets in a box of side h around a) = product over the sides of
  // Phi((u(a + h/2) - mean) / std) - Phi((u(a - h/2) - mean) / std), u(a) =
  // logit((a - min) / (max - min)); divided by h^2 it approaches the density.
  const train::GaussianConfig g = range(0.5, 4.5);
  const torch::Tensor means = tensor({0.3, -0.8}, {1, 2});
  const torch::Tensor log_std = tensor({std::log(0.7), std::log(1.3)}, {2});
  const double stds[] = {0.7, 1.3};
  const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  const auto unsquash = [&](double a) {
    const double p = (a - g.offset_min) / (g.offset_max - g.offset_min);
    return std::log(p / (1 - p));
  };
  for (const auto& offsets : std::vector<std::vector<double>>{{1.0, 3.9}, {2.5, 2.5}, {4.2, 0.7}}) {
    const double h = 1e-4;
    double probability = 1;
    std::vector<double> u;
    for (int side = 0; side < 2; ++side) {
      const double a = offsets[static_cast<std::size_t>(side)];
      const double mean = means[0][side].item<double>();
      probability *= phi((unsquash(a + h / 2) - mean) / stds[side]) - phi((unsquash(a - h / 2) - mean) / stds[side]);
      u.push_back(unsquash(a));
    }
    const double expected = std::log(probability / (h * h));
    const double got = train::squashed_log_probs(tensor(u, {1, 2}), means, log_std, g).item<double>();
    EXPECT_NEAR(got, expected, 1e-6) << "offsets " << offsets[0] << ", " << offsets[1];
    // And u squashes back onto the offsets.
    const torch::Tensor squashed = train::squash_offsets(tensor(u, {1, 2}), g);
    EXPECT_NEAR(squashed[0][0].item<double>(), offsets[0], kDoubleRounding);
    EXPECT_NEAR(squashed[0][1].item<double>(), offsets[1], kDoubleRounding);
  }
}

TEST(GaussianQuotes, SaturatedActionsKeepFiniteLogDensitiesAndGradients) {
  const train::GaussianConfig g = range(0, 4);
  const torch::Tensor means = tensor({0, 0}, {1, 2}).requires_grad_(true);
  const torch::Tensor log_std = tensor({0, 0}, {2}).requires_grad_(true);
  // sigmoid(40) is 1 in float64: a naive log(sigmoid(u) (1 - sigmoid(u))) would be -inf.
  const torch::Tensor log_probs = train::squashed_log_probs(tensor({40, -40}, {1, 2}), means, log_std, g);
  const double per_side = -0.5 * 1600 - 0.5 * std::log(2 * M_PI) - std::log(4.0) + 40;  // log sigmoid(-40) ~ -40
  EXPECT_NEAR(log_probs.item<double>(), 2 * per_side, 1e-9);
  log_probs.sum().backward();
  EXPECT_TRUE(torch::isfinite(means.grad()).all().item<bool>());
  EXPECT_NEAR(means.grad()[0][0].item<double>(), 40, kDoubleRounding);  // d/dmean of -(u - mean)^2 / 2
}

TEST(GaussianQuotes, BoundedLogStdStaysInItsRangeWithAGradient) {
  // -5 + 7 sigmoid(p): p = 0 -> -1.5; the inverse maps back; far out it nears the bounds and still moves.
  EXPECT_NEAR(train::bounded_log_std(tensor({0}, {1})).item<double>(), -1.5, kDoubleRounding);
  EXPECT_NEAR(train::bounded_log_std(tensor({train::raw_log_std(0.25)}, {1})).item<double>(), 0.25, kDoubleRounding);
  const torch::Tensor far = tensor({-30, 30}, {2}).requires_grad_(true);
  const torch::Tensor bounded = train::bounded_log_std(far);
  EXPECT_GT(bounded[0].item<double>(), train::GaussianConfig::kMinLogStd);
  EXPECT_LT(bounded[1].item<double>(), train::GaussianConfig::kMaxLogStd + 1e-9);
  const torch::Tensor p = tensor({10}, {1}).requires_grad_(true);
  train::bounded_log_std(p).sum().backward();
  EXPECT_GT(p.grad().item<double>(), 0);  // 7 sigmoid'(10) = 3e-4: never frozen, unlike a clamp
}

TEST(GaussianQuotes, EntropyOfTheUnsquashedGaussianAndTheQuoteRows) {
  // Per side log_std + 0.5 log(2 pi e): sides 0 and ln 2.
  const double half_log = 0.5 * std::log(2 * M_PI * M_E);
  EXPECT_NEAR(train::gaussian_entropy(tensor({0, std::log(2.0)}, {2})).item<double>(), 2 * half_log + std::log(2.0),
              kDoubleRounding);
  const torch::Tensor rows = train::quote_rows(torch::tensor({1.5f, 2.5f, 0.25f, 4.0f}).view({2, 2}), range(0, 5));
  ASSERT_EQ(rows.sizes(), (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(rows.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(rows, tensor({1.5, 2.5, 3, 3, 0.25, 4, 3, 3}, {2, 4})));
}

/// The synthetic book (synthetic_trainer.hpp) with Gaussian quotes over [0,
/// 0.1] in price units (tick 0.01: 0 to 10 ticks, so that the env must
/// convert them): the untrained mean quotes 5 ticks from the mid (never
/// filled); the profitable offsets are (2, 3] ticks on both sides.
Synthetic continuous_synthetic(train::AlgorithmKind algorithm) {
  Synthetic s = make_synthetic();
  s.config.env.offset_unit = OffsetUnit::price;
  s.config.train.algorithm = algorithm;
  s.config.train.policy = train::PolicyKind::gaussian;
  s.config.train.gaussian = range(0, 0.1);
  s.config.train.gaussian.size = 1;
  s.config.train.gaussian.initial_log_std = 0;
  // The book pays cents: an entropy bonus of the synthetic's 0.001 would outweigh A2C's unnormalised advantages.
  s.config.train.beta = {train::Schedule::Kind::step, {0}, {0.0}};
  return s;
}

/// The share of steps at which the trainer's greedy policy rests the
/// profitable quote over a window of 200 steps of the synthetic book: a bid
/// at 98 at A rows (mid 101: an offset in (2, 3] ticks), an ask at 100 at B
/// rows (mid 97). Only that side of each row can fill.
double profitable_share(train::Trainer& trainer, const Synthetic& s) {
  eval::Protocol protocol;
  protocol.split = EpisodeSplit::train;
  protocol.windows = 1;
  protocol.steps = 200;
  const eval::WindowPlan plan = eval::plan_windows(s.data(), s.config.env, protocol);
  const auto greedy = train::agent_policy(trainer.algorithm(), true, s.config.seed);
  eval::Trajectory trajectory;
  eval::run_policy(s.data(), s.config.env, protocol, plan, *greedy, &trajectory);
  const double tick = s.book.instrument.tick_size;
  std::int64_t profitable = 0;
  for (std::size_t k = 0; k < trajectory.mid.size(); ++k) {
    const bool a_row = std::lround(trajectory.mid[k] / tick) == 101;
    const double quote = a_row ? trajectory.bid_quote[k] : trajectory.ask_quote[k];
    profitable += std::lround(quote / tick) == (a_row ? 98 : 100);
  }
  return static_cast<double>(profitable) / static_cast<double>(trajectory.mid.size());
}

TEST(GaussianQuotes, TheCollectorKeepsTheUnsquashedDrawsAndTheirLogDensities) {
  const Synthetic s = continuous_synthetic(train::AlgorithmKind::a2c);
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  torch::manual_seed(1);
  train::A2C a2c(s.config.train, env->observation_size(), env->action_count(), torch::kCPU);
  EXPECT_EQ(a2c.action_dims(), 2);
  train::Collector collector(*env, s.config.train.rollout_steps, s.config.seed, torch::kCPU, a2c);
  train::PhaseClock clock(torch::kCPU);
  const train::Rollout& r = collector.collect(a2c, 3, 0, {}, clock);
  ASSERT_EQ(r.actions.sizes(), (std::vector<std::int64_t>{8, 16, 2}));
  torch::NoGradGuard no_grad;
  for (std::int64_t t = 0; t < r.steps(); ++t) {
    // Env i's normals come from uniform numbers 2i and 2i + 1 of (update 3, step t).
    const torch::Tensor uniforms =
        train::counter_uniforms(s.config.seed, 3, static_cast<std::uint32_t>(t), RngPurpose::action, 2 * r.envs())
            .view({r.envs(), 2});
    const train::ActorCriticImpl::Output out = a2c.network()->forward(r.obs[t]);
    const torch::Tensor u = train::sample_unsquashed(out.policy, out.log_std, uniforms);
    EXPECT_TRUE(torch::equal(r.actions[t], u)) << "step " << t;
    EXPECT_TRUE(torch::equal(r.log_probs[t],
                             train::squashed_log_probs(u, out.policy, out.log_std, s.config.train.gaussian)))
        << "step " << t;
    // The quotes an evaluation draws with the same uniforms are these actions squashed.
    EXPECT_TRUE(torch::equal(
        a2c.quotes(r.obs[t], uniforms),
        train::quote_rows(train::squash_offsets(u, s.config.train.gaussian), s.config.train.gaussian)))
        << "step " << t;
  }
  // Drawn around the untrained mean (5 ticks) with std 1 before squashing: both sides spread.
  const torch::Tensor offsets = train::squash_offsets(r.actions, s.config.train.gaussian);
  EXPECT_LT(offsets.min().item<double>(), 0.03);
  EXPECT_GT(offsets.max().item<double>(), 0.07);
}

TEST(GaussianQuotes, TheGreedyEvaluationPolicyQuotesTheSquashedMeanInTheOffsetUnit) {
  const Synthetic s = continuous_synthetic(train::AlgorithmKind::ppo);
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  torch::manual_seed(2);
  train::A2C a2c(s.config.train, env->observation_size(), env->action_count(), torch::kCPU);
  const auto greedy = train::agent_policy(a2c, true, 7);
  EXPECT_TRUE(greedy->quotes_explicitly());
  EXPECT_TRUE(greedy->quotes_in_offset_unit());
  const std::int64_t n = env->num_envs();
  eval::PolicyInput input;
  input.obs = env->outputs().obs;
  input.n = n;
  input.obs_size = env->observation_size();
  input.step = 4;
  std::vector<ActionRow> quotes(static_cast<std::size_t>(n));
  greedy->decide(input, {nullptr, quotes.data()});
  torch::NoGradGuard no_grad;
  const torch::Tensor obs = torch::from_blob(env->outputs().obs, {n, input.obs_size}, torch::kFloat32);
  const torch::Tensor means = a2c.network()->forward(obs).policy;
  const torch::Tensor expected = train::squash_offsets(means, s.config.train.gaussian).to(torch::kFloat64);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    EXPECT_EQ(quotes[k].bid_offset, expected[i][0].item<double>()) << "env " << i;
    EXPECT_EQ(quotes[k].ask_offset, expected[i][1].item<double>()) << "env " << i;
    EXPECT_EQ(quotes[k].bid_size, 1.0);
    EXPECT_EQ(quotes[k].ask_size, 1.0);
  }
  // Sampled: drawn with the agent-sampling uniforms of the step, two per env.
  const auto sampled = train::agent_policy(a2c, false, 7);
  sampled->decide(input, {nullptr, quotes.data()});
  const torch::Tensor drawn =
      a2c.quotes(obs, train::counter_uniforms(7, 0, 4, RngPurpose::agent_sampling, 2 * n).view({n, 2}));
  for (std::int64_t i = 0; i < n; ++i) {
    EXPECT_EQ(quotes[static_cast<std::size_t>(i)].bid_offset, drawn[i][0].item<double>()) << "env " << i;
    EXPECT_EQ(quotes[static_cast<std::size_t>(i)].ask_offset, drawn[i][1].item<double>()) << "env " << i;
  }
}

/// A2C and PPO with Gaussian quotes, trained by the shell on the synthetic book.
class EveryContinuousLearner : public ::testing::TestWithParam<train::AlgorithmKind> {};

TEST_P(EveryContinuousLearner, LearnsTheProfitableOffsets) {
  Synthetic s = continuous_synthetic(GetParam());
  // A2C takes one gradient step per rollout on unnormalised advantages, PPO
  // sixteen on normalised ones: A2C gets a larger step and a longer budget.
  const bool a2c = GetParam() == train::AlgorithmKind::a2c;
  if (a2c) s.config.train.learning_rate = 1e-2;
  const int budget = a2c ? 3000 : 1000, every = a2c ? 250 : 50;
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  const double before = profitable_share(trainer, s);
  EXPECT_LT(before, 0.1) << "the untrained policy already quotes profitably: the test would show nothing";
  int updates = 0;
  double share = before;
  while (updates < budget && share < 0.9) {
    for (int k = 0; k < every; ++k) trainer.update();
    updates += every;
    share = profitable_share(trainer, s);
  }
  EXPECT_GE(share, 0.9) << "after " << updates << " updates, from " << before;
}

TEST_P(EveryContinuousLearner, ResumeFromACheckpointReproducesTheNextUpdateBitForBit) {
  const ResumedRun run = expect_resume_repeats_the_next_update(continuous_synthetic(GetParam()));
  // The log standard deviations are parameters too (registered first), saved and learnt.
  ASSERT_EQ(run.after_six.size(), 11u);
  EXPECT_EQ(run.after_six[0].sizes(), (std::vector<std::int64_t>{2}));
  EXPECT_FALSE(torch::equal(run.after_six[0], run.initial[0]));
}

TEST_P(EveryContinuousLearner, ACheckpointOfContinuousQuotesIsNotLoadedAsTheActionTablesAndBack) {
  const Synthetic s = continuous_synthetic(GetParam());
  TempDir dir;
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  trainer.update();
  trainer.save_checkpoint(dir.path() / "checkpoint");
  train::TrainConfig categorical = s.config.train;
  const auto expect_refused = [&](const std::filesystem::path& checkpoint, const train::TrainConfig& as) {
    try {
      train::load_agent(checkpoint, as, env->observation_size(), env->action_count());
      ADD_FAILURE() << "loaded " << checkpoint << " as " << to_string(as.policy);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("train.policy"), std::string::npos) << e.what();
    }
  };
  // Two of the three actions would have the two offsets' weights: refused by shape.
  categorical.policy = train::PolicyKind::categorical;
  expect_refused(dir.path() / "checkpoint", categorical);
  // And a checkpoint of the action table has no log standard deviations.
  Synthetic table = s;
  table.config.train.policy = train::PolicyKind::categorical;
  train::Trainer by_table(table.config, *env);
  by_table.save_checkpoint(dir.path() / "table");
  expect_refused(dir.path() / "table", s.config.train);
  EXPECT_NO_THROW(train::load_agent(dir.path() / "checkpoint", s.config.train, env->observation_size(),
                                    env->action_count()));
}

INSTANTIATE_TEST_SUITE_P(Trainer, EveryContinuousLearner,
                         ::testing::Values(train::AlgorithmKind::a2c, train::AlgorithmKind::ppo),
                         [](const ::testing::TestParamInfo<train::AlgorithmKind>& learner) {
                           return std::string(to_string(learner.param));
                         });

}  // namespace
}  // namespace mmsim::test
