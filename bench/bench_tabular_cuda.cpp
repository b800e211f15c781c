// CUDA backend: tabular learner-steps per second against the number of
// learners (configs/notebook.yaml), one thread per learner, every step of an
// iteration in one kernel.

#include <benchmark/benchmark.h>

#include "mmsim/gpu/tabular.hpp"
#include "tabular_setup.hpp"

namespace {

constexpr std::int64_t kSteps = 1000;

void BM_TabularCuda(benchmark::State& state) {
  auto batch = mmsim::gpu::make_tabular_cuda_batch(mmsim::bench::notebook_spec(state.range(0)));
  for (auto _ : state) {
    batch->run(kSteps);
    batch->check_faults();  // waits for the kernel
  }
  mmsim::bench::count_learner_steps(state, *batch, kSteps);
}

BENCHMARK(BM_TabularCuda)
    ->ArgName("learners")
    ->RangeMultiplier(4)
    ->Range(96, 96 << 12)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
