#pragma once
// The synthetic book the trainer tests learn on, and helpers to compare
// trainers: every learner is tested on it (test_trainer.cpp, test_ppo.cpp).

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/train/trainer.hpp"
#include "test_util.hpp"

namespace mmsim::test {

/// Rows alternate A (bid 100, ask 102, mid 101) and B (bid 96, ask 98, mid 97).
/// With symmetric offsets d and 1-lot quotes filled at the quote price:
/// d = 3 buys at 98 (A -> B) and sells at 100 (B -> A): +2 per cycle;
/// d = 1 buys at 100 and sells at 98: -2 per cycle; d = 5 never fills: 0.
struct Synthetic {
  BookTensor book;
  FeatureTable table;
  Splits splits;
  Config config;
  EnvData data() const { return {&book, &table, &splits}; }
};

inline Synthetic make_synthetic() {
  Synthetic s;
  constexpr std::int64_t kRows = 400;
  s.book.instrument = {0.01, 1.0};
  s.book.depth = 1;
  for (std::int64_t r = 0; r < kRows; ++r) {
    const bool a = r % 2 == 0;
    s.book.time_ns.push_back(r * 1000000000LL);
    s.book.bid_price.push_back(a ? 100 : 96);
    s.book.ask_price.push_back(a ? 102 : 98);
    s.book.bid_size.push_back(10);
    s.book.ask_size.push_back(10);
    s.book.source_line.push_back(r + 1);
  }
  s.book.session_begin = {0, kRows};
  s.book.session_names = {"synthetic"};
  FeatureConfig features;
  features.rsi_windows = {2};
  s.table = compute_features_cpu(s.book, features);
  s.splits.train.ranges = {{2, kRows}};
  normalise_features(s.table, s.splits.train);

  Config& c = s.config;
  c.seed = 3;
  c.env.episode_length = 20;
  c.env.offset_unit = OffsetUnit::ticks;
  c.env.actions = {{1, 1, 1, 1}, {3, 3, 1, 1}, {5, 5, 1, 1}};
  c.env.reward.eta = 0;
  c.env.observation.stack = 1;
  c.train.num_envs = 16;
  c.train.rollout_steps = 8;
  c.train.gamma = 0.9;
  c.train.learning_rate = 3e-3;
  c.train.learning_rate_decay = 1;
  c.train.epsilon = {train::Schedule::Kind::piecewise_linear, {0}, {0.05}};
  c.train.beta = {train::Schedule::Kind::step, {0}, {0.001}};
  c.train.clip_max = 1.0;
  c.train.network.shared = 32;
  c.train.network.policy_hidden = 16;
  c.train.network.value_hidden = 16;
  return s;
}

/// Mean probability of `action` over the current observations of the envs.
inline double probability_of(train::Trainer& trainer, BatchEnv& env, int action) {
  torch::NoGradGuard no_grad;
  const torch::Tensor obs =
      torch::from_blob(env.outputs().obs, {env.num_envs(), env.observation_size()}, torch::kFloat32);
  return torch::softmax(trainer.algorithm().logits(obs), 1).select(1, action).mean().item<double>();
}

inline std::vector<torch::Tensor> parameters_of(train::Trainer& trainer) {
  std::vector<torch::Tensor> out;
  for (const auto& p : trainer.algorithm().parameters()) out.push_back(p.detach().clone());
  return out;
}

inline void expect_identical(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_TRUE(torch::equal(a[k], b[k])) << "parameter " << k;
}

/// The parameters of a trainer of `s` before training and after its sixth update.
struct ResumedRun {
  std::vector<torch::Tensor> initial, after_six;
};

/// Trains `s` for five updates, saves a checkpoint and takes a sixth; expects
/// a fresh trainer resumed from the checkpoint at update 5 to take the same
/// sixth update bit for bit.
inline ResumedRun expect_resume_repeats_the_next_update(const Synthetic& s) {
  TempDir dir;
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  ResumedRun run;
  run.initial = parameters_of(trainer);
  for (int k = 0; k < 5; ++k) trainer.update();
  trainer.save_checkpoint(dir.path() / "checkpoint");
  trainer.update();
  run.after_six = parameters_of(trainer);

  auto fresh_env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer resumed(s.config, *fresh_env);
  resumed.load_checkpoint(dir.path() / "checkpoint");
  EXPECT_EQ(resumed.updates(), 5);
  resumed.update();
  expect_identical(parameters_of(resumed), run.after_six);
  return run;
}
}  // namespace mmsim::test
