#pragma once
// Shared by the training benchmarks: the thesis's training setup for N envs and a learner,
// and where an update's time goes (the share of each part of update(),
// Trainer::set_phase_timing, as benchmark counters, in percent).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "env_setup.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::bench {

/// A learner the benchmarks compare: train.algorithm and train.policy.
struct Learner {
  train::AlgorithmKind algorithm = train::AlgorithmKind::a2c;
  train::PolicyKind policy = train::PolicyKind::categorical;
  /// "a2c", "ppo", "dqn", "a2c-gaussian", "ppo-gaussian": the benchmark's label.
  std::string name() const {
    return std::string(train::to_string(algorithm)) + (policy == train::PolicyKind::gaussian ? "-gaussian" : "");
  }
};

/// The learners by a benchmark's argument `learner`: every value of
/// train.algorithm in its table's order (0 = a2c, 1 = ppo, 2 = dqn), then
/// A2C and PPO with continuous quotes (3, 4).
inline const std::vector<Learner>& learners() {
  static const std::vector<Learner> all = [] {
    std::vector<Learner> list;
    for (const train::AlgorithmKind algorithm : train::enum_names(train::AlgorithmKind{}).values()) {
      list.push_back({algorithm, train::PolicyKind::categorical});
    }
    list.push_back({train::AlgorithmKind::a2c, train::PolicyKind::gaussian});
    list.push_back({train::AlgorithmKind::ppo, train::PolicyKind::gaussian});
    return list;
  }();
  return all;
}

/// The learner a benchmark's argument `index` names (learners()).
inline const Learner& learner(std::int64_t index) { return learners().at(static_cast<std::size_t>(index)); }

/// Every learner's index, for a benchmark's arguments.
inline std::vector<std::int64_t> every_learner() {
  std::vector<std::int64_t> indices;
  for (std::size_t k = 0; k < learners().size(); ++k) indices.push_back(static_cast<std::int64_t>(k));
  return indices;
}

/// The thesis setup's config with `envs` envs, 16-step rollouts and
/// `learner` (PPO with its default epochs and minibatches; continuous quotes
/// with the action table's first size).
inline Config thesis_train_config(std::int64_t envs, const Learner& learner = {}) {
  Config config = thesis_setup().config;
  config.train.num_envs = envs;
  config.train.rollout_steps = 16;
  config.train.algorithm = learner.algorithm;
  config.train.policy = learner.policy;
  config.train.gaussian.size = config.env.actions.front().bid_size;
  return config;
}

/// Runs timed updates of `trainer` for the benchmark's iterations and
/// reports each part's share of the timed seconds and the timed
/// milliseconds per update.
inline void run_timed_updates(benchmark::State& state, train::Trainer& trainer) {
  trainer.set_phase_timing(true);
  for (auto _ : state) trainer.update();
  const train::UpdatePhaseSeconds& p = trainer.phase_seconds();
  const double total = p.total();
  const auto share = [&](double part) { return 100.0 * part / total; };
  state.counters["forward_pct"] = share(p.forward);
  state.counters["env_pct"] = share(p.env);
  state.counters["copies_pct"] = share(p.copies);
  state.counters["loss_pct"] = share(p.loss);
  state.counters["backward_pct"] = share(p.backward);
  state.counters["clipping_pct"] = share(p.clipping);
  state.counters["optimiser_pct"] = share(p.optimiser);
  state.counters["timed_ms_per_update"] = 1e3 * total / static_cast<double>(p.updates);
  state.SetItemsProcessed(state.iterations() * trainer.frames_per_update());
}

}  // namespace mmsim::bench
