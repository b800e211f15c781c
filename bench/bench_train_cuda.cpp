// Training frames per second (rollout + update) of each learner (A2C, PPO) on
// the CUDA backend with the thesis's network and observation, against the
// number of envs. Each
// iteration is one update, timed from the host with the stream drained at its
// end, so the time covers all of the update's device work. Also K seeds side
// by side (mmsim train --seeds K): one update of each, each on its own stream;
// and where an update's time goes (each part timed on its own, the stream
// drained at each part's end).

#include <benchmark/benchmark.h>
#include <torch/cuda.h>

#include <memory>
#include <string>
#include <vector>

#include "train_setup.hpp"
#include "mmsim/gpu/device.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/trainer.hpp"

namespace {

/// False (the benchmark skipped) when this build or machine cannot train on CUDA.
bool cuda_training(benchmark::State& state) {
  std::string reason;
  if (mmsim::train::cuda_training_available(&reason)) return true;
  state.SkipWithError(("no CUDA training: " + reason).c_str());
  return false;
}

/// Calls `measure` with a CUDA trainer of the thesis setup for N =
/// state.range(0) envs and the learner state.range(1) (bench::learner), after
/// one warm-up update (library handles, optimiser state, allocator cache). A
/// size that does not fit is reported as skipped, and the larger ones still run.
template <class Measure>
void with_cuda_trainer(benchmark::State& state, Measure measure) {
  if (!cuda_training(state)) return;
  const mmsim::Config config =
      mmsim::bench::thesis_train_config(state.range(0), mmsim::bench::learner(state.range(1)));
  try {
    auto env = mmsim::train::make_training_env(mmsim::bench::thesis_setup().data(), config, true);
    mmsim::train::Trainer trainer(config, *env);
    trainer.update();
    mmsim::train::synchronize_current_stream(trainer.device());
    measure(trainer);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.counters["envs"] = static_cast<double>(config.train.num_envs);
  state.SetLabel(mmsim::bench::learner(state.range(1)).name() + ", " + mmsim::gpu::query_device().name);
}

void BM_TrainCuda(benchmark::State& state) {
  with_cuda_trainer(state, [&](mmsim::train::Trainer& trainer) {
    for (auto _ : state) {
      trainer.update();
      mmsim::train::synchronize_current_stream(trainer.device());
    }
    trainer.read_metrics();
    state.SetItemsProcessed(state.iterations() * trainer.frames_per_update());
    state.counters["frames_per_update"] = static_cast<double>(trainer.frames_per_update());
  });
}

BENCHMARK(BM_TrainCuda)
    ->ArgNames({"envs", "learner"})
    ->ArgsProduct({benchmark::CreateRange(1024, 1 << 18, 4), mmsim::bench::every_learner()})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_TrainPhasesCuda(benchmark::State& state) {
  with_cuda_trainer(state, [&](mmsim::train::Trainer& trainer) { mmsim::bench::run_timed_updates(state, trainer); });
}

BENCHMARK(BM_TrainPhasesCuda)
    ->ArgNames({"envs", "learner"})
    ->ArgsProduct({{4096, 65536}, mmsim::bench::every_learner()})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// One seed of a side-by-side group: its stream, env and trainer.
struct SeedRun {
  explicit SeedRun(bool cuda) : stream(cuda) {}
  mmsim::train::RunStream stream;
  std::unique_ptr<mmsim::BatchEnv> env;
  std::unique_ptr<mmsim::train::Trainer> trainer;
};

void BM_TrainSeedsSideBySideCuda(benchmark::State& state) {
  if (!cuda_training(state)) return;
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t seeds = state.range(0);
  const mmsim::Config config = mmsim::bench::thesis_train_config(state.range(1));
  try {
    std::vector<std::unique_ptr<SeedRun>> runs;
    for (std::int64_t k = 0; k < seeds; ++k) {
      mmsim::Config seeded = config;
      seeded.seed = config.seed + static_cast<std::uint64_t>(k);
      auto run = std::make_unique<SeedRun>(true);
      run->stream.run([&] {
        run->env = mmsim::train::make_training_env(setup.data(), seeded, true);
        run->trainer = std::make_unique<mmsim::train::Trainer>(seeded, *run->env);
        run->trainer->update();  // warm-up
      });
      runs.push_back(std::move(run));
    }
    torch::cuda::synchronize();
    for (auto _ : state) {
      for (auto& run : runs) run->stream.run([&] { run->trainer->update(); });
      torch::cuda::synchronize();
    }
    state.SetItemsProcessed(state.iterations() * seeds * runs.front()->trainer->frames_per_update());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.counters["seeds"] = static_cast<double>(seeds);
  state.counters["envs"] = static_cast<double>(config.train.num_envs);
  state.SetLabel(mmsim::gpu::query_device().name);
}

BENCHMARK(BM_TrainSeedsSideBySideCuda)
    ->ArgsProduct({{1, 2, 4, 8}, {1024, 16384}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
