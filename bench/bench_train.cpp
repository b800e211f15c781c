// Training frames per second (rollout + update) of each learner (A2C, PPO,
// DQN, and A2C and PPO with continuous quotes) on the CPU backend with the
// thesis's network and observation, against the number of envs; and where an
// update's time goes (each part timed on its own).

#include <benchmark/benchmark.h>

#include "train_setup.hpp"
#include "mmsim/train/trainer.hpp"

namespace {

/// Calls `measure` with a CPU trainer of the thesis setup for N = state.range(0)
/// envs and the learner state.range(1) (bench::learner), after one warm-up
/// update (first allocations).
template <class Measure>
void with_cpu_trainer(benchmark::State& state, Measure measure) {
  const mmsim::Config config =
      mmsim::bench::thesis_train_config(state.range(0), mmsim::bench::learner(state.range(1)));
  auto env = mmsim::make_cpu_env(mmsim::bench::thesis_setup().data(), config.env, config.train.num_envs, config.seed);
  mmsim::train::Trainer trainer(config, *env);
  trainer.update();
  measure(trainer);
  state.counters["envs"] = static_cast<double>(config.train.num_envs);
  state.SetLabel(mmsim::bench::learner(state.range(1)).name());
}

void BM_TrainCpu(benchmark::State& state) {
  with_cpu_trainer(state, [&](mmsim::train::Trainer& trainer) {
    for (auto _ : state) trainer.update();
    trainer.read_metrics();
    state.SetItemsProcessed(state.iterations() * trainer.frames_per_update());
    state.counters["frames_per_update"] = static_cast<double>(trainer.frames_per_update());
  });
}

BENCHMARK(BM_TrainCpu)
    ->ArgNames({"envs", "learner"})
    ->ArgsProduct({benchmark::CreateRange(16, 4096, 4), mmsim::bench::every_learner()})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_TrainPhasesCpu(benchmark::State& state) {
  with_cpu_trainer(state, [&](mmsim::train::Trainer& trainer) { mmsim::bench::run_timed_updates(state, trainer); });
}

BENCHMARK(BM_TrainPhasesCpu)
    ->ArgNames({"envs", "learner"})
    ->ArgsProduct({{16, 1024, 4096}, mmsim::bench::every_learner()})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
