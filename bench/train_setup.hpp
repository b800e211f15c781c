#pragma once
// Shared by the training benchmarks: the thesis's training setup for N envs and a learner,
// and where an update's time goes (the share of each part of update(),
// Trainer::set_phase_timing, as benchmark counters, in percent).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "env_setup.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::bench {

/// The thesis setup's config with `envs` envs, 16-step rollouts and the
/// learner `algorithm` (PPO with its default epochs and minibatches).
inline Config thesis_train_config(std::int64_t envs,
                                  train::AlgorithmKind algorithm = train::AlgorithmKind::a2c) {
  Config config = thesis_setup().config;
  config.train.num_envs = envs;
  config.train.rollout_steps = 16;
  config.train.algorithm = algorithm;
  return config;
}

/// The learner a benchmark's argument `index` names: the index of a value of
/// train.algorithm in its table (0 = a2c, 1 = ppo).
inline train::AlgorithmKind learner(std::int64_t index) {
  return train::enum_names(train::AlgorithmKind{}).values().at(static_cast<std::size_t>(index));
}

/// Every learner's index, for a benchmark's arguments.
inline std::vector<std::int64_t> every_learner() {
  std::vector<std::int64_t> indices;
  for (std::size_t k = 0; k < train::enum_names(train::AlgorithmKind{}).values().size(); ++k) {
    indices.push_back(static_cast<std::int64_t>(k));
  }
  return indices;
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
