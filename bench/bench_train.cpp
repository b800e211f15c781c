// Training frames per second (rollout + A2C update) on the CPU backend with
// the thesis's network and observation, against the number of envs; and
// where an update's time goes (each part timed on its own).

#include <benchmark/benchmark.h>

#include "env_setup.hpp"
#include "train_phases.hpp"
#include "mmsim/train/trainer.hpp"

namespace {

void BM_TrainCpu(benchmark::State& state) {
  const auto& setup = mmsim::bench::thesis_setup();
  mmsim::Config config = setup.config;
  config.train.num_envs = state.range(0);
  config.train.rollout_steps = 16;
  auto env = mmsim::make_cpu_env(setup.data(), config.env, config.train.num_envs, config.seed);
  mmsim::train::Trainer trainer(config, *env);
  trainer.update();  // warm-up: first allocations
  for (auto _ : state) trainer.update();
  trainer.read_metrics();
  state.SetItemsProcessed(state.iterations() * trainer.frames_per_update());
  state.counters["envs"] = static_cast<double>(config.train.num_envs);
  state.counters["frames_per_update"] = static_cast<double>(trainer.frames_per_update());
}

BENCHMARK(BM_TrainCpu)->RangeMultiplier(4)->Range(16, 4096)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_TrainPhasesCpu(benchmark::State& state) {
  const auto& setup = mmsim::bench::thesis_setup();
  mmsim::Config config = setup.config;
  config.train.num_envs = state.range(0);
  config.train.rollout_steps = 16;
  auto env = mmsim::make_cpu_env(setup.data(), config.env, config.train.num_envs, config.seed);
  mmsim::train::Trainer trainer(config, *env);
  trainer.update();  // warm-up: first allocations
  mmsim::bench::run_timed_updates(state, trainer);
  state.counters["envs"] = static_cast<double>(config.train.num_envs);
}

BENCHMARK(BM_TrainPhasesCpu)->Arg(16)->Arg(1024)->Arg(4096)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
