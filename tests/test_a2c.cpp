// A2C building blocks: returns, sampling, loss and the network.

#include <gtest/gtest.h>

#include <cmath>

#include "mmsim/train/a2c.hpp"
#include "tolerances.hpp"

namespace mmsim::train {
namespace {

using test::kDoubleRounding;
using test::kFloat32Rounding;

torch::Tensor tensor(std::vector<double> values, std::vector<std::int64_t> shape) {
  return torch::tensor(values, torch::kFloat64).reshape(shape);
}

TEST(NstepReturns, CutAtTerminationAndBootstrappedAtTruncation) {
  // gamma 0.5; env 0 terminates at t = 1; env 1 is truncated at t = 0 with V(final obs) = 10.
  const torch::Tensor rewards = tensor({1, 2, 3, 4, 5, 6}, {3, 2});
  const torch::Tensor terminated = torch::tensor({0, 0, 1, 0, 0, 0}, torch::kUInt8).reshape({3, 2});
  const torch::Tensor truncated = torch::tensor({0, 1, 0, 0, 0, 0}, torch::kUInt8).reshape({3, 2});
  const torch::Tensor truncation_values = tensor({0, 10, 0, 0, 0, 0}, {3, 2});
  const torch::Tensor last_values = tensor({100, 200}, {2});
  const torch::Tensor r = nstep_returns(rewards, terminated, truncated, truncation_values, last_values, 0.5);
  // env 0: R2 = 5 + 0.5 x 100 = 55; R1 = 3 (terminated); R0 = 1 + 0.5 x 3 = 2.5
  // env 1: R2 = 6 + 0.5 x 200 = 106; R1 = 4 + 0.5 x 106 = 57; R0 = 2 + 0.5 x 10 = 7
  const std::vector<double> expected{2.5, 7, 3, 57, 55, 106};
  for (std::int64_t k = 0; k < 6; ++k) EXPECT_DOUBLE_EQ(r.reshape({-1})[k].item<double>(), expected[k]) << k;
}

TEST(NstepReturns, TerminationWinsOverTruncation) {
  const torch::Tensor one = torch::ones({1, 1}, torch::kUInt8);
  const torch::Tensor r = nstep_returns(tensor({2}, {1, 1}), one, one, tensor({50}, {1, 1}), tensor({9}, {1}), 0.9);
  EXPECT_DOUBLE_EQ(r.item<double>(), 2.0);
}

TEST(SampleActions, FrequenciesFollowTheEpsilonMixedSoftmax) {
  // softmax([0, ln 3]) = [0.25, 0.75]; with epsilon 0.2: 0.8 x [0.25, 0.75] + 0.1 = [0.3, 0.7].
  constexpr std::int64_t kDraws = 100000;
  const torch::Tensor logits =
      torch::tensor({0.0, std::log(3.0)}, torch::kFloat32).unsqueeze(0).expand({kDraws, 2}).contiguous();
  const torch::Tensor actions = sample_actions(logits, 0.2, counter_uniforms(7, 0, 0, RngPurpose::action, kDraws));
  EXPECT_EQ(actions.scalar_type(), torch::kInt32);
  const double ones = actions.to(torch::kFloat64).mean().item<double>();
  const double sigma = std::sqrt(0.7 * 0.3 / kDraws);
  EXPECT_NEAR(ones, 0.7, 5 * sigma);
}

TEST(SampleActions, InvertsTheCumulativeDistribution) {
  // p = [0.3, 0.7]: u < 0.3 -> 0, u >= 0.3 -> 1, u close to 1 -> the last action.
  const torch::Tensor logits = torch::tensor({0.0, std::log(3.0)}, torch::kFloat32).unsqueeze(0).expand({4, 2});
  const torch::Tensor u = torch::tensor({0.0, 0.2999, 0.3001, 0.999999999}, torch::kFloat64);
  const torch::Tensor a = sample_actions(logits.contiguous(), 0.2, u);
  EXPECT_EQ(a[0].item<int>(), 0);
  EXPECT_EQ(a[1].item<int>(), 0);
  EXPECT_EQ(a[2].item<int>(), 1);
  EXPECT_EQ(a[3].item<int>(), 1);
}

TEST(SampleActions, LogProbabilitiesAreThoseOfTheEpsilonMixture) {
  // p = [0.3, 0.7] (as above): the draws below 0.3 take action 0 with log 0.3, the others action 1 with log 0.7.
  const torch::Tensor logits = torch::tensor({0.0, std::log(3.0)}, torch::kFloat32).unsqueeze(0).expand({3, 2});
  const torch::Tensor u = torch::tensor({0.1, 0.5, 0.9}, torch::kFloat64);
  const SampledActions sampled = sample_actions_with_log_probs(logits.contiguous(), 0.2, u);
  EXPECT_EQ(sampled.log_probs.scalar_type(), torch::kFloat32);
  const std::vector<double> expected{std::log(0.3), std::log(0.7), std::log(0.7)};
  for (std::int64_t k = 0; k < 3; ++k) {
    EXPECT_EQ(sampled.actions[k].item<int>(), k == 0 ? 0 : 1);
    EXPECT_NEAR(sampled.log_probs[k].item<double>(), expected[static_cast<std::size_t>(k)], kFloat32Rounding);
  }
}

TEST(ActionUniforms, AreCounterBased) {
  const torch::Tensor a = counter_uniforms(1, 5, 3, RngPurpose::action, 1000);
  EXPECT_TRUE(torch::equal(a, counter_uniforms(1, 5, 3, RngPurpose::action, 1000)));
  EXPECT_FALSE(torch::equal(a, counter_uniforms(1, 6, 3, RngPurpose::action, 1000)));
  EXPECT_FALSE(torch::equal(a, counter_uniforms(2, 5, 3, RngPurpose::action, 1000)));
  EXPECT_GE(a.min().item<double>(), 0.0);
  EXPECT_LT(a.max().item<double>(), 1.0);
  // The first 10 envs' draws do not depend on how many envs there are.
  EXPECT_TRUE(torch::equal(a.slice(0, 0, 10), counter_uniforms(1, 5, 3, RngPurpose::action, 10)));
}

TEST(A2CLoss, HandComputedTermsAndADetachedAdvantage) {
  // logits [0, 0]: pi = [0.5, 0.5]; action 1; V = 1, R = 3: A = 2.
  const torch::Tensor logits = torch::zeros({1, 2}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor values = torch::ones({1}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor actions = torch::ones({1}, torch::kInt32);
  const torch::Tensor returns = torch::full({1}, 3.0, torch::kFloat64);
  const A2CLoss loss = a2c_loss(categorical_terms(logits, actions, 0.0), values, returns, 0.1);
  const double ln2 = std::log(2.0);
  EXPECT_NEAR(loss.policy.item<double>(), 2 * ln2, kDoubleRounding);      // -(2 x ln 0.5)
  EXPECT_NEAR(loss.value.item<double>(), 4.0, kDoubleRounding);           // (3 - 1)^2
  EXPECT_NEAR(loss.entropy.item<double>(), ln2, kDoubleRounding);         // H([0.5, 0.5])
  EXPECT_NEAR(loss.total.item<double>(), 2 * ln2 + 4 - 0.1 * ln2, kDoubleRounding);
  loss.total.backward();
  // Only the value loss reaches V: d/dV (R - V)^2 = -2 (R - V) = -4.
  EXPECT_NEAR(values.grad().item<double>(), -4.0, kDoubleRounding);
  // d/dlogit_1 of -(A log pi_1) = -A (1 - pi_1) = -1; the entropy is at its maximum (zero gradient).
  EXPECT_NEAR(logits.grad()[0][1].item<double>(), -1.0, kDoubleRounding);
}

TEST(ActorCritic, ShapesAndParameterCount) {
  NetworkConfig config;
  config.shared = 8;
  config.policy_hidden = 4;
  config.value_hidden = 5;
  ActorCritic net(7, 3, config);
  std::int64_t parameters = 0;
  for (const auto& p : net->parameters()) parameters += p.numel();
  // (7x8 + 8) + (8x4 + 4) + (4x3 + 3) + (8x5 + 5) + (5x1 + 1) = 64 + 36 + 15 + 45 + 6
  EXPECT_EQ(parameters, 166);
  const auto out = net->forward(torch::randn({2, 1, 7}));  // a stacked [B, stack, frame] observation
  EXPECT_EQ(out.policy.sizes(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_FALSE(out.log_std.defined());
  EXPECT_EQ(out.value.sizes(), (std::vector<std::int64_t>{2}));
}

}  // namespace
}  // namespace mmsim::train
