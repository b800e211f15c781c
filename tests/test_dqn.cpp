// DQN building blocks against hand-computed values: n-step transitions cut
// at terminations, truncations and the rollout's end; double-Q targets;
// proportional prioritised sampling and importance weights; epsilon-greedy
// acting; hard and soft target updates; the replay buffer's wrap-around.
// Learning and bit-exact resume: the EveryLearner tests of test_trainer.cpp.

#include <gtest/gtest.h>
#include <torch/optim/sgd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/dqn.hpp"
#include "mmsim/train/rollout.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::train {
namespace {

using test::kDoubleRounding;
using test::kFloat32Rounding;

std::vector<double> entries(const torch::Tensor& t) {
  const torch::Tensor flat = t.detach().to(torch::kFloat64).contiguous().reshape({-1});
  return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

torch::Tensor floats(std::vector<float> values, std::vector<std::int64_t> shape) {
  return torch::tensor(values).reshape(shape);
}

/// Three steps of two envs with one-float observations that name themselves
/// (10 t + env; final observations 100 + 10 t + env; after the last step
/// 30 + env). Env 0 terminates at t = 1; env 1 is truncated at t = 0.
Rollout two_env_rollout() {
  Rollout r;
  r.obs = floats({0, 1, 10, 11, 20, 21}, {3, 2, 1});
  r.final_obs = floats({100, 101, 110, 111, 120, 121}, {3, 2, 1});
  r.last_obs = floats({30, 31}, {2, 1});
  r.actions = torch::tensor({0, 1, 1, 0, 0, 1}, torch::kInt32).reshape({3, 2});
  r.rewards = floats({1, 2, 3, 4, 5, 6}, {3, 2});
  r.terminated = torch::tensor({0, 0, 1, 0, 0, 0}, torch::kUInt8).reshape({3, 2});
  r.truncated = torch::tensor({0, 1, 0, 0, 0, 0}, torch::kUInt8).reshape({3, 2});
  return r;
}

TEST(NstepTransitions, HandComputedAcrossEpisodeEndsAndTheRolloutsEnd) {
  // n = 2, gamma 0.5, in (step, env) order:
  //   (0,0): 1 + 0.5 x 3, then terminated at t = 1: discount 0, next = final obs 110
  //   (0,1): truncated at once: 2, discount 0.5, next = final obs 101
  //   (1,0): terminated: 3, discount 0, next 110
  //   (1,1): 4 + 0.5 x 6, discount 0.25, next = the observation after the last step, 31
  //   (2,0): the rollout ends: 5, discount 0.5, next 30
  //   (2,1): 6, discount 0.5, next 31
  const NstepTransitions t = nstep_transitions(two_env_rollout(), 2, 0.5);
  const std::vector<double> returns{2.5, 2, 3, 7, 5, 6};
  const std::vector<double> discounts{0, 0.5, 0, 0.25, 0.5, 0.5};
  const std::vector<double> next{110, 101, 110, 31, 30, 31};
  const std::vector<double> obs{0, 1, 10, 11, 20, 21};
  const std::vector<double> actions{0, 1, 1, 0, 0, 1};
  EXPECT_EQ(entries(t.returns), returns);
  EXPECT_EQ(entries(t.discounts), discounts);
  EXPECT_EQ(entries(t.next_obs), next);
  EXPECT_EQ(entries(t.obs), obs);
  EXPECT_EQ(entries(t.actions), actions);
  EXPECT_EQ(t.actions.scalar_type(), torch::kLong);
  // n = 1: one reward, the next observation, gamma unless terminated.
  const NstepTransitions one = nstep_transitions(two_env_rollout(), 1, 0.5);
  EXPECT_EQ(entries(one.returns), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(entries(one.discounts), (std::vector<double>{0.5, 0.5, 0, 0.5, 0.5, 0.5}));
  EXPECT_EQ(entries(one.next_obs), (std::vector<double>{10, 101, 110, 21, 30, 31}));
}

TEST(TdTargets, DoubleQLetsTheOnlineNetworkPickAndTheTargetValue) {
  const torch::Tensor online_next = floats({1, 5, 3, 2}, {2, 2});
  const torch::Tensor target_next = floats({10, 20, 30, 40}, {2, 2});
  const torch::Tensor returns = floats({1, 1}, {2});
  const torch::Tensor discounts = floats({0.5, 0.5}, {2});
  // Double: online picks actions 1 and 0, the target values them 20 and 30.
  EXPECT_EQ(entries(td_targets(returns, discounts, online_next, target_next, true)), (std::vector<double>{11, 16}));
  // Plain: the target's own maxima, 20 and 40.
  EXPECT_EQ(entries(td_targets(returns, discounts, online_next, target_next, false)), (std::vector<double>{11, 21}));
}

TEST(PrioritizedSample, InvertsTheCumulativePrioritiesAndWeighsByImportance) {
  // Priorities [1, 2, 1, 4] (alpha 1): cumulative [1, 3, 4, 8] of 8.
  const torch::Tensor priorities = floats({1, 2, 1, 4, 99}, {5});  // the fifth entry is not filled yet
  const torch::Tensor u = torch::tensor({0.0, 0.12, 0.125, 0.4, 0.49, 0.5, 0.99}, torch::kFloat64);
  const PrioritizedSample s = prioritized_sample(priorities, 4, u, 1.0, 0.5);
  EXPECT_EQ(entries(s.indices), (std::vector<double>{0, 0, 1, 2, 2, 3, 3}));
  // w = (4 x p / 8)^-0.5, over the largest (p = 1): 1 for p = 1, 1/sqrt(2) for p = 2, 1/2 for p = 4.
  const std::vector<double> expected{1, 1, 1 / std::sqrt(2.0), 1, 1, 0.5, 0.5};
  const std::vector<double> w = entries(s.weights);
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(w[k], expected[k], kFloat32Rounding) << k;
}

TEST(PrioritizedSample, FrequenciesFollowPriorityToTheAlpha) {
  // alpha 0.5 over [1, 4, 9, 16]: probabilities [1, 2, 3, 4] / 10.
  constexpr std::int64_t kDraws = 200000;
  const torch::Tensor u = counter_uniforms(3, 0, 0, RngPurpose::replay, kDraws);
  const PrioritizedSample s = prioritized_sample(floats({1, 4, 9, 16}, {4}), 4, u, 0.5, 1.0);
  const std::vector<double> counts = entries(torch::bincount(s.indices, {}, 4));
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(counts[static_cast<std::size_t>(k)] / kDraws, (k + 1) / 10.0, 0.005) << k;
  }
}

TrainConfig small_dqn() {
  TrainConfig c;
  c.algorithm = AlgorithmKind::dqn;
  c.gamma = 0.5;
  c.network.shared = 8;
  c.network.policy_hidden = 4;
  c.network.value_hidden = 4;
  c.epsilon = {Schedule::Kind::piecewise_linear, {0}, {0.2}};
  c.dqn.buffer_size = 10;
  c.dqn.batch_size = 4;
  c.dqn.learning_starts = 4;
  return c;
}

TEST(DqnAct, EpsilonGreedyFromOneUniformPerEnv) {
  Dqn dqn(small_dqn(), 1, 4, torch::kCPU);
  const torch::Tensor obs = floats({0.5, 0.5, 0.5}, {3, 1});
  const std::int64_t greedy = dqn.logits(obs).argmax(1)[0].item<std::int64_t>();
  // u < 0.2 explores: floor(u / 0.2 x 4) = 1 and 3; u = 0.5 acts greedily.
  const ActorStep step = dqn.act(obs, torch::tensor({0.05, 0.16, 0.5}, torch::kFloat64), 0);
  EXPECT_EQ(entries(step.actions), (std::vector<double>{1, 3, static_cast<double>(greedy)}));
  const std::vector<double> log_probs = entries(step.log_probs);
  const auto expected = [&](std::int64_t action) { return std::log(0.05 + (action == greedy ? 0.8 : 0.0)); };
  EXPECT_NEAR(log_probs[0], expected(1), kFloat32Rounding);
  EXPECT_NEAR(log_probs[1], expected(3), kFloat32Rounding);
  EXPECT_NEAR(log_probs[2], expected(greedy), kFloat32Rounding);
  // The evaluation logits are the greedy policy's: softmax puts all its weight on the greedy action.
  EXPECT_NEAR(torch::softmax(dqn.logits(obs), 1)[0][greedy].item<double>(), 1.0, kDoubleRounding);
}

/// Runs `dqn.update` on the two-env rollout with plain SGD as the gradient step.
std::vector<torch::Tensor> sgd_update(Dqn& dqn, std::int64_t update) {
  torch::optim::SGD sgd(dqn.parameters(), torch::optim::SGDOptions(0.1));
  return dqn.update(two_env_rollout(), {7, update, 0}, [&](const torch::Tensor& loss) {
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  });
}

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!torch::equal(a[k], b[k])) return false;
  }
  return true;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> out;
  for (const auto& p : parameters) out.push_back(p.detach().clone());
  return out;
}

TEST(DqnTarget, AHardCopyEveryKGradientStepsAndASoftUpdateOtherwise) {
  TrainConfig config = small_dqn();
  config.dqn.gradient_steps = 2;
  config.dqn.target_update_every = 2;
  Dqn hard(config, 1, 2, torch::kCPU);
  EXPECT_TRUE(same(hard.target_parameters(), hard.parameters()));  // starts as a copy
  sgd_update(hard, 0);
  EXPECT_EQ(hard.gradient_steps(), 2);
  EXPECT_TRUE(same(hard.target_parameters(), hard.parameters()));  // copied after step 2
  config.dqn.gradient_steps = 3;
  Dqn late(config, 1, 2, torch::kCPU);
  sgd_update(late, 0);
  EXPECT_FALSE(same(late.target_parameters(), late.parameters()));  // step 3 moved the online network only

  config.dqn.gradient_steps = 1;
  config.dqn.target_update_every = 1;
  config.dqn.target_tau = 0.25;
  Dqn soft(config, 1, 2, torch::kCPU);
  const auto before = copies(soft.target_parameters());
  sgd_update(soft, 0);
  const auto online = soft.parameters();
  const auto target = soft.target_parameters();
  for (std::size_t k = 0; k < online.size(); ++k) {
    EXPECT_TRUE(torch::allclose(target[k], 0.25 * online[k] + 0.75 * before[k], 1e-6, 1e-7)) << k;
  }

  config.dqn.target_network = false;
  Dqn none(config, 1, 2, torch::kCPU);
  sgd_update(none, 0);
  EXPECT_TRUE(same(none.target_parameters(), none.parameters()));
}

TEST(DqnBuffer, FillsUpToItsSizeAndLearnsOnlyFromLearningStarts) {
  TrainConfig config = small_dqn();
  config.dqn.learning_starts = 7;
  Dqn dqn(config, 1, 2, torch::kCPU);
  // Six transitions per rollout into a buffer of ten.
  std::vector<torch::Tensor> metrics = sgd_update(dqn, 0);
  EXPECT_EQ(dqn.buffer_size(), 6);
  EXPECT_EQ(dqn.gradient_steps(), 0);  // 6 < learning_starts
  EXPECT_EQ(metrics[0].item<double>(), 6);
  EXPECT_EQ(metrics[3].item<double>(), 0);  // no loss without a gradient step
  metrics = sgd_update(dqn, 1);
  EXPECT_EQ(dqn.buffer_size(), 10);
  EXPECT_EQ(dqn.gradient_steps(), 1);
  EXPECT_GT(metrics[3].item<double>(), 0);
}

TEST(DqnCheckpoint, TheBufferRoundTripsAndABufferLargerThanTheConfigsIsRefused) {
  const TrainConfig config = small_dqn();
  Dqn saved(config, 1, 2, torch::kCPU);
  sgd_update(saved, 0);
  const test::TempDir temp;
  const std::filesystem::path& dir = temp.path();
  saved.save(dir);
  Dqn loaded(config, 1, 2, torch::kCPU);
  loaded.load(dir, torch::kCPU);
  EXPECT_EQ(loaded.buffer_size(), 6);
  EXPECT_TRUE(same(loaded.parameters(), saved.parameters()));
  EXPECT_TRUE(same(loaded.target_parameters(), saved.target_parameters()));
  // The next update of both draws the same samples from the same buffer.
  sgd_update(saved, 1);
  sgd_update(loaded, 1);
  EXPECT_TRUE(same(loaded.parameters(), saved.parameters()));

  TrainConfig smaller = config;
  smaller.dqn.buffer_size = 4;
  Dqn too_small(smaller, 1, 2, torch::kCPU);
  try {
    too_small.load(dir, torch::kCPU);
    ADD_FAILURE() << "a buffer of 6 transitions loaded into one of 4";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds 6 transitions, this run's train.dqn.buffer_size is 4"),
              std::string::npos)
        << e.what();
  }
}

TEST(DqnCheckpoint, WithoutItsBufferAResumeStartsEmptyAndSaysSo) {
  TrainConfig config = small_dqn();
  config.dqn.checkpoint_buffer = false;
  Dqn saved(config, 1, 2, torch::kCPU);
  sgd_update(saved, 0);
  sgd_update(saved, 1);
  ASSERT_EQ(saved.buffer_size(), 10);
  ASSERT_EQ(saved.gradient_steps(), 2);
  const test::TempDir temp;
  saved.save(temp.path());
  Dqn loaded(config, 1, 2, torch::kCPU);
  loaded.load(temp.path(), torch::kCPU);
  EXPECT_EQ(loaded.buffer_size(), 0);
  EXPECT_EQ(loaded.gradient_steps(), 2);  // the target network's schedule goes on
  EXPECT_TRUE(same(loaded.parameters(), saved.parameters()));
  EXPECT_TRUE(same(loaded.target_parameters(), saved.target_parameters()));
  const std::string note = loaded.resume_note();
  EXPECT_NE(note.find("no replay buffer (train.dqn.checkpoint_buffer: false)"), std::string::npos) << note;
  EXPECT_NE(note.find("does not repeat"), std::string::npos) << note;
  // The buffer refills from the next rollout (6 transitions) and learns again: 6 >= learning_starts (4).
  sgd_update(loaded, 2);
  EXPECT_EQ(loaded.buffer_size(), 6);
  EXPECT_EQ(loaded.gradient_steps(), 3);
  // The file is smaller than the same checkpoint with its buffer, which resumes without a note.
  config.dqn.checkpoint_buffer = true;
  Dqn whole(config, 1, 2, torch::kCPU);
  sgd_update(whole, 0);
  const test::TempDir with_buffer;
  whole.save(with_buffer.path());
  EXPECT_LT(std::filesystem::file_size(temp.path() / "dqn.pt"), std::filesystem::file_size(with_buffer.path() / "dqn.pt"));
  Dqn reloaded(config, 1, 2, torch::kCPU);
  reloaded.load(with_buffer.path(), torch::kCPU);
  EXPECT_EQ(reloaded.buffer_size(), 6);
  EXPECT_EQ(reloaded.resume_note(), "");
}

}  // namespace
}  // namespace mmsim::train
