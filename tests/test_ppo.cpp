// PPO building blocks against hand-computed values: generalised advantage
// estimation across terminations and truncations, the minibatch order of
// each epoch, the epsilon mixture's log-probabilities, the clipped loss and
// its gradients, explained variance; and PPO in the trainer shell: its
// metrics.csv columns and the gradient steps of an update. Learning and
// bit-exact resume: the EveryLearner tests of test_trainer.cpp.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mmsim/train/a2c.hpp"
#include "mmsim/train/ppo.hpp"
#include "synthetic_trainer.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

using test::kDoubleRounding;
using test::kFloat32Rounding;
using test::kFloat32RoundingOfTens;

torch::Tensor tensor(std::vector<double> values, std::vector<std::int64_t> shape) {
  return torch::tensor(values, torch::kFloat64).reshape(shape);
}

std::vector<double> entries(const torch::Tensor& t) {
  const torch::Tensor flat = t.detach().to(torch::kFloat64).contiguous().reshape({-1});
  return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

/// Three steps of two envs: env 0 terminates at t = 1, env 1 is truncated at
/// t = 0 with V(final obs) = 10.
struct TwoEnvRollout {
  torch::Tensor rewards = tensor({1, 2, 3, 4, 5, 6}, {3, 2});
  torch::Tensor values = tensor({1, 2, 2, 1, 4, 3}, {3, 2});
  torch::Tensor terminated = torch::tensor({0, 0, 1, 0, 0, 0}, torch::kUInt8).reshape({3, 2});
  torch::Tensor truncated = torch::tensor({0, 1, 0, 0, 0, 0}, torch::kUInt8).reshape({3, 2});
  torch::Tensor truncation_values = tensor({0, 10, 0, 0, 0, 0}, {3, 2});
  torch::Tensor last_values = tensor({8, 10}, {2});

  torch::Tensor gae(double gamma, double lambda) const {
    return train::gae_advantages(rewards, values, terminated, truncated, truncation_values, last_values, gamma,
                                 lambda);
  }
};

TEST(GaeAdvantages, HandComputedAcrossATerminationAndATruncation) {
  // gamma 0.5, lambda 0.5 (gamma x lambda = 0.25).
  // env 0: t2: 5 + 0.5 x 8 - 4 = 5; t1 (terminated): 3 - 2 = 1, nothing after;
  //        t0: delta 1 + 0.5 x 2 - 1 = 1, A = 1 + 0.25 x 1 = 1.25.
  // env 1: t2: 6 + 0.5 x 10 - 3 = 8; t1: delta 4 + 0.5 x 3 - 1 = 4.5, A = 4.5 + 0.25 x 8 = 6.5;
  //        t0 (truncated): 2 + 0.5 x 10 - 2 = 5, nothing of t1 passes back.
  const std::vector<double> expected{1.25, 5, 1, 6.5, 5, 8};
  const std::vector<double> got = entries(TwoEnvRollout().gae(0.5, 0.5));
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(got[k], expected[k], kDoubleRounding) << k;
}

TEST(GaeAdvantages, LambdaOneIsTheNstepReturnMinusTheValueAndZeroTheOneStepDifference) {
  const TwoEnvRollout r;
  const torch::Tensor returns =
      train::nstep_returns(r.rewards, r.terminated, r.truncated, r.truncation_values, r.last_values, 0.9);
  EXPECT_TRUE(torch::allclose(r.gae(0.9, 1.0), returns - r.values, 0, kDoubleRounding));
  // lambda 0: r_t + gamma x next_t - V_t, next_t as the doc says.
  const std::vector<double> one_step{1 + 0.9 * 2 - 1, 2 + 0.9 * 10 - 2, 3 - 2, 4 + 0.9 * 3 - 1, 5 + 0.9 * 8 - 4,
                                     6 + 0.9 * 10 - 3};
  const std::vector<double> got = entries(r.gae(0.9, 0.0));
  for (std::size_t k = 0; k < one_step.size(); ++k) EXPECT_NEAR(got[k], one_step[k], kDoubleRounding) << k;
}

TEST(MinibatchOrder, EveryEpochVisitsEverySampleOnceInItsOwnOrder) {
  const torch::Device cpu(torch::kCPU);
  const torch::Tensor order = train::minibatch_order(5, 7, 0, 10, cpu);
  EXPECT_EQ(order.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(std::get<0>(order.sort()), torch::arange(10)));
  // Ten samples in three minibatches: 4, 3 and 3 samples, each sample in exactly one.
  const std::vector<torch::Tensor> parts = order.tensor_split(3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].numel(), 4);
  EXPECT_EQ(parts[1].numel(), 3);
  EXPECT_EQ(parts[2].numel(), 3);
  EXPECT_TRUE(torch::equal(torch::cat(parts), order));
  // The order is the sort of the counter-based uniforms of (seed, update, epoch).
  const torch::Tensor keys = train::counter_uniforms(5, 7, 0, RngPurpose::minibatch, 10);
  const std::vector<double> k = entries(keys);
  const std::vector<double> o = entries(order);
  for (std::size_t i = 1; i < o.size(); ++i) {
    EXPECT_LT(k[static_cast<std::size_t>(o[i - 1])], k[static_cast<std::size_t>(o[i])]) << i;
  }
  // Repeatable, and different for another epoch, update or seed.
  EXPECT_TRUE(torch::equal(order, train::minibatch_order(5, 7, 0, 10, cpu)));
  const torch::Tensor large = train::minibatch_order(5, 7, 0, 1000, cpu);
  EXPECT_FALSE(torch::equal(large, train::minibatch_order(5, 7, 1, 1000, cpu)));
  EXPECT_FALSE(torch::equal(large, train::minibatch_order(5, 8, 0, 1000, cpu)));
  EXPECT_FALSE(torch::equal(large, train::minibatch_order(6, 7, 0, 1000, cpu)));
}

TEST(MixtureLogProbabilities, AreTheLogsOfTheEpsilonMixtureAndStayFinite) {
  // softmax([0, ln 3]) = [0.25, 0.75]; epsilon 0.2 over 2 actions: [0.8 x 0.25 + 0.1, 0.8 x 0.75 + 0.1].
  const torch::Tensor logits = tensor({0, std::log(3.0)}, {1, 2});
  const std::vector<double> mixed = entries(train::mixture_log_probabilities(logits, 0.2));
  EXPECT_NEAR(mixed[0], std::log(0.3), kDoubleRounding);
  EXPECT_NEAR(mixed[1], std::log(0.7), kDoubleRounding);
  const std::vector<double> greedy = entries(train::mixture_log_probabilities(logits, 0.0));
  EXPECT_NEAR(greedy[0], std::log(0.25), kDoubleRounding);
  const std::vector<double> uniform = entries(train::mixture_log_probabilities(logits, 1.0));
  EXPECT_NEAR(uniform[1], std::log(0.5), kDoubleRounding);
  // A softmax that underflows in float32: the log-probability and its gradient stay finite.
  const torch::Tensor far = torch::tensor({0.0f, -1.0e4f}).reshape({1, 2}).requires_grad_(true);
  const torch::Tensor log_probs = train::mixture_log_probabilities(far, 0.0);
  EXPECT_NEAR(log_probs[0][1].item<double>(), -1.0e4, 1e-3);
  log_probs[0][1].backward();
  EXPECT_TRUE(torch::isfinite(far.grad()).all().item<bool>());
  // The sampler's log-probabilities are these.
  const train::SampledActions sampled =
      train::sample_actions_with_log_probs(logits, 0.2, torch::tensor({0.1, 0.9}, torch::kFloat64).narrow(0, 0, 1));
  EXPECT_NEAR(sampled.log_probs.item<double>(), std::log(0.3), kFloat32Rounding);
}

/// Three samples under logits [0, 0] (pi = 0.5 each), clip 0.2:
///   0: action 1, pi_old 0.25, A = +1: r = 2, clipped term 1.2 (no gradient);
///   1: action 0, pi_old 0.5,  A = -2: r = 1, term -2;
///   2: action 0, pi_old 1/1.4, A = +1: r = 0.7, term min(0.7, 0.8) = 0.7.
/// Values [1, 2, 3], rollout values [0.5, 2, 2.5], returns [2, 2, 0].
struct ThreeSamples {
  torch::Tensor logits = torch::zeros({3, 2}, torch::kFloat64).requires_grad_(true);
  torch::Tensor values = tensor({1, 2, 3}, {3}).requires_grad_(true);
  train::PpoBatch batch() const {
    return {train::categorical_terms(logits, torch::tensor({1, 0, 0}, torch::kInt32), 0.0),
            values,
            tensor({std::log(0.25), std::log(0.5), std::log(1 / 1.4)}, {3}),
            tensor({0.5, 2, 2.5}, {3}),
            tensor({1, -2, 1}, {3}),
            tensor({2, 2, 0}, {3})};
  }
};

TEST(PpoLoss, HandComputedClippedSurrogateValueEntropyAndDiagnostics) {
  ThreeSamples s;
  train::PpoConfig config;
  config.clip_ratio = 0.2;
  config.value_coef = 0.5;
  config.value_clip = 0;
  const train::PpoLoss loss = train::ppo_loss(s.batch(), config, 0.01);
  const double ln2 = std::log(2.0);
  EXPECT_NEAR(loss.policy.item<double>(), -(1.2 - 2 + 0.7) / 3, kDoubleRounding);
  EXPECT_NEAR(loss.value.item<double>(), (1 + 0 + 9) / 3.0, kDoubleRounding);  // (V - R)^2: 1, 0, 9
  EXPECT_NEAR(loss.entropy.item<double>(), ln2, kDoubleRounding);
  EXPECT_NEAR(loss.total.item<double>(), -(1.2 - 2 + 0.7) / 3 + 0.5 * 10 / 3 - 0.01 * ln2, kDoubleRounding);
  EXPECT_NEAR(loss.approx_kl.item<double>(), ((1 - ln2) + 0 + (-0.3 - std::log(0.7))) / 3, kDoubleRounding);
  EXPECT_NEAR(loss.clip_fraction.item<double>(), 2.0 / 3, kDoubleRounding);  // |r - 1| > 0.2: samples 0 and 2
  EXPECT_FALSE(loss.approx_kl.requires_grad());

  loss.total.backward();
  // d(r A)/d logit_a = A r (1 - pi_a); the loss is -1/3 of the terms; the entropy is at its maximum.
  const std::vector<double> g = entries(s.logits.grad());
  EXPECT_NEAR(g[0], 0, kDoubleRounding);  // sample 0 clipped: no gradient
  EXPECT_NEAR(g[1], 0, kDoubleRounding);
  EXPECT_NEAR(g[2], -(-2 * 1 * 0.5) / 3, kDoubleRounding);   // sample 1, logit of action 0
  EXPECT_NEAR(g[3], -(-2 * 1 * -0.5) / 3, kDoubleRounding);  // sample 1, the other logit
  EXPECT_NEAR(g[4], -(1 * 0.7 * 0.5) / 3, kDoubleRounding);  // sample 2 unclipped under the min
  // d/dV of 0.5 x mean((V - R)^2) = (V - R) / 3.
  const std::vector<double> gv = entries(s.values.grad());
  EXPECT_NEAR(gv[0], (1 - 2) / 3.0, kDoubleRounding);
  EXPECT_NEAR(gv[1], 0, kDoubleRounding);
  EXPECT_NEAR(gv[2], (3 - 0) / 3.0, kDoubleRounding);
}

TEST(PpoLoss, ValueClippingTakesTheLargerErrorOfTheClippedValue) {
  ThreeSamples s;
  train::PpoConfig config;
  config.value_clip = 0.2;
  config.value_coef = 0.5;
  const train::PpoLoss loss = train::ppo_loss(s.batch(), config, 0.0);
  // Clipped values 0.5 + 0.2 = 0.7, 2, 2.5 + 0.2 = 2.7: errors 1.69, 0, 7.29 against 1, 0, 9.
  EXPECT_NEAR(loss.value.item<double>(), (1.69 + 0 + 9) / 3, kDoubleRounding);
  loss.total.backward();
  const std::vector<double> gv = entries(s.values.grad());
  EXPECT_NEAR(gv[0], 0, kDoubleRounding);  // the clipped error wins and is flat in V
  EXPECT_NEAR(gv[2], (3 - 0) / 3.0, kDoubleRounding);
}

TEST(PpoLoss, TheRatioComparesTheEpsilonMixtures) {
  // The rollout sampled action 1 from the mixture [0.3, 0.7] (softmax [0.25, 0.75], epsilon 0.2): the
  // unchanged network's terms at that epsilon give ratio 1, so nothing is clipped and the estimate of
  // KL is 0; the entropy is the softmax's, not the mixture's.
  const torch::Tensor logits = tensor({0, std::log(3.0)}, {1, 2});
  const train::PolicyTerms terms = train::categorical_terms(logits, torch::tensor({1}, torch::kInt32), 0.2);
  EXPECT_NEAR(terms.entropy.item<double>(), -(0.25 * std::log(0.25) + 0.75 * std::log(0.75)), kDoubleRounding);
  train::PpoBatch batch{terms, tensor({0}, {1}), tensor({std::log(0.7)}, {1}), tensor({0}, {1}), tensor({1}, {1}),
                        tensor({0}, {1})};
  const train::PpoLoss loss = train::ppo_loss(batch, train::PpoConfig{}, 0.0);
  EXPECT_NEAR(loss.policy.item<double>(), -1.0, kDoubleRounding);
  EXPECT_NEAR(loss.approx_kl.item<double>(), 0, kDoubleRounding);
  EXPECT_EQ(loss.clip_fraction.item<double>(), 0);
}

TEST(ExplainedVariance, OneForPerfectValuesZeroForAConstantNaNForConstantReturns) {
  const torch::Tensor returns = tensor({1, 2, 3, 4}, {4});
  EXPECT_NEAR(train::explained_variance(returns, returns).item<double>(), 1, kDoubleRounding);
  EXPECT_NEAR(train::explained_variance(torch::full({4}, 2.5, torch::kFloat64), returns).item<double>(), 0,
              kDoubleRounding);
  // Residuals [0, 0, 0, 1]: variance 0.1875 against 1.25.
  EXPECT_NEAR(train::explained_variance(tensor({1, 2, 3, 3}, {4}), returns).item<double>(), 1 - 0.1875 / 1.25,
              kDoubleRounding);
  EXPECT_TRUE(std::isnan(train::explained_variance(returns, torch::ones({4}, torch::kFloat64)).item<double>()));
}

Synthetic ppo_synthetic() {
  Synthetic s = make_synthetic();
  s.config.train.algorithm = train::AlgorithmKind::ppo;
  return s;
}

TEST(PpoTrainer, MetricsCsvHasPposColumnsAndEachUpdateTakesEpochsTimesMinibatchesSteps) {
  Synthetic s = ppo_synthetic();
  s.config.train.ppo.epochs = 3;
  s.config.train.ppo.minibatches = 5;
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  EXPECT_EQ(trainer.metrics_header(),
            "update,frames,frames_per_second,episodes,episode_pnl,episode_length,reward,advantage,value,policy_loss,"
            "value_loss,entropy,total_loss,approx_kl,clip_fraction,explained_variance,gradient_l2,gradient_max,"
            "gradient_variance,learning_rate,epsilon,beta");
  trainer.update();
  const train::TrainMetrics m = trainer.read_metrics();
  EXPECT_GE(m.at("approx_kl"), 0);
  EXPECT_GE(m.at("clip_fraction"), 0);
  EXPECT_LE(m.at("clip_fraction"), 1);
  EXPECT_LE(m.at("explained_variance"), 1);
  EXPECT_GT(m.at("entropy"), 0);
  EXPECT_NE(trainer.describe(m).find("kl "), std::string::npos) << trainer.describe(m);
}

TEST(PpoTrainer, EachUpdateTakesEpochsTimesMinibatchesGradientSteps) {
  train::TrainConfig config;
  config.ppo.epochs = 3;
  config.ppo.minibatches = 4;
  train::Ppo ppo(config, 3, 2, torch::kCPU);
  // A rollout of 5 steps over 2 envs: 10 samples in 4 minibatches (the partition: MinibatchOrder).
  train::Rollout rollout;
  rollout.obs = torch::randn({5, 2, 3});
  rollout.actions = torch::zeros({5, 2}, torch::kInt32);
  rollout.log_probs = torch::full({5, 2}, std::log(0.5f));
  rollout.values = torch::zeros({5, 2});
  rollout.rewards = torch::ones({5, 2});
  rollout.terminated = torch::zeros({5, 2}, torch::kUInt8);
  rollout.truncated = torch::zeros({5, 2}, torch::kUInt8);
  rollout.truncation_values = torch::zeros({5, 2});
  rollout.last_values = torch::zeros({2});
  std::vector<torch::Tensor> losses;
  const std::vector<torch::Tensor> metrics =
      ppo.update(rollout, {1, 0, 0}, [&](const torch::Tensor& loss) { losses.push_back(loss); });
  EXPECT_EQ(losses.size(), 12u);
  for (const torch::Tensor& loss : losses) {
    EXPECT_EQ(loss.dim(), 0);
    EXPECT_TRUE(loss.requires_grad());
  }
  ASSERT_EQ(metrics.size(), ppo.metric_names().size());
  // GAE with gamma 0.999, lambda 0.95, V = 0 and reward 1: the advantage of step t is the sum of
  // (0.999 x 0.95)^k over the steps left, bootstrapped from V = 0.
  double expected_mean = 0;
  for (int t = 0; t < 5; ++t) {
    for (int k = 0; k < 5 - t; ++k) expected_mean += std::pow(0.999 * 0.95, k) / 5;
  }
  EXPECT_NEAR(metrics[0].item<double>(), expected_mean, kFloat32RoundingOfTens);
  for (const torch::Tensor& m : metrics) EXPECT_EQ(m.scalar_type(), torch::kFloat64);
}

}  // namespace
}  // namespace mmsim::test
