// CPU backend: tabular learner-steps per second against the number of
// learners (configs/notebook.yaml), on every core (threads = 0) or one.

#include <benchmark/benchmark.h>

#include "tabular_setup.hpp"

namespace {

constexpr std::int64_t kSteps = 1000;

void BM_TabularCpu(benchmark::State& state) {
  auto batch = mmsim::make_tabular_cpu_batch(mmsim::bench::notebook_spec(state.range(0)),
                                             static_cast<int>(state.range(1)));
  for (auto _ : state) batch->run(kSteps);
  batch->check_faults();
  mmsim::bench::count_learner_steps(state, *batch, kSteps);
}

BENCHMARK(BM_TabularCpu)
    ->ArgNames({"learners", "threads"})
    ->ArgsProduct({{1, 3, 12, 96, 384, 1536}, {0}})
    ->Args({96, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
