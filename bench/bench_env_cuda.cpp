// CUDA backend: env steps per second against the number of envs, thesis
// setup, timed with CUDA events, under the cross fill model (trades = 0) and
// the trades model (1), without latency and with orders delayed 5 steps; the
// share of the device's measured copy bandwidth that the step's bytes
// represent; and the notebook's top-of-book envs (fill-probability,
// spread-trading).

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "env_setup.hpp"
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/env.hpp"
#include "mmsim/gpu/memory.hpp"
#include "mmsim/gpu/timer.hpp"

namespace {

double copy_bandwidth() {
  static const double bandwidth = mmsim::gpu::measure_copy_bandwidth();
  return bandwidth;
}

void BM_EnvStepCuda(benchmark::State& state) {
  const mmsim::gpu::DeviceStatus device = mmsim::gpu::query_device();
  if (!device.usable) {
    state.SkipWithError(("no usable CUDA device: " + device.reason).c_str());
    return;
  }
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t n = state.range(0);
  auto env = mmsim::gpu::make_cuda_env(setup.data(), mmsim::bench::env_config(setup, state.range(1), state.range(2)), n, 1);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
  std::mt19937 random(1);
  for (auto& a : actions) a = static_cast<std::int32_t>(random() % env->action_count());
  mmsim::gpu::DeviceBytes device_actions(actions.size() * sizeof(std::int32_t));
  mmsim::gpu::copy_to_device(device_actions.data(), actions.data(), device_actions.bytes());
  const auto* action_ptr = static_cast<const std::int32_t*>(device_actions.data());
  constexpr int kStepsPerIteration = 20;
  mmsim::gpu::EventTimer timer({});
  for (auto _ : state) {
    timer.start();
    for (int k = 0; k < kStepsPerIteration; ++k) env->step(action_ptr);
    state.SetIterationTime(timer.stop_seconds() / kStepsPerIteration);
  }
  env->check_faults();
  const double bytes = mmsim::bench::bytes_per_env_step(*env, setup.loaded.book);
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations() * n) * bytes));
  state.counters["envs"] = static_cast<double>(n);
  state.counters["bytes_per_env_step"] = bytes;
  state.counters["copy_bandwidth_GBps"] = copy_bandwidth() * 1e-9;
  state.counters["bandwidth_share"] = benchmark::Counter(
      static_cast<double>(n) * bytes / copy_bandwidth(), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(device.name);
}

BENCHMARK(BM_EnvStepCuda)
    ->ArgNames({"envs", "trades", "delay"})
    ->ArgsProduct({benchmark::CreateRange(1, 1 << 20, 4), {0, 1}, {0}})
    ->ArgsProduct({{1 << 10, 1 << 16, 1 << 20}, {0, 1}, {5}})
    ->UseManualTime();

/// As BM_TopOfBookStepCpu on the GPU: env = 0 the fill-probability env, 1
/// the spread-trading env, timed with CUDA events.
void BM_TopOfBookStepCuda(benchmark::State& state) {
  const mmsim::gpu::DeviceStatus device = mmsim::gpu::query_device();
  if (!device.usable) {
    state.SkipWithError(("no usable CUDA device: " + device.reason).c_str());
    return;
  }
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t n = state.range(1);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
  std::mt19937 random(1);
  for (auto& a : actions) a = static_cast<std::int32_t>(random() % 3);
  mmsim::gpu::DeviceBytes device_actions(actions.size() * sizeof(std::int32_t));
  mmsim::gpu::copy_to_device(device_actions.data(), actions.data(), device_actions.bytes());
  const auto* action_ptr = static_cast<const std::int32_t*>(device_actions.data());
  constexpr int kStepsPerIteration = 20;
  const auto time_steps = [&](auto& env) {
    mmsim::gpu::EventTimer timer({});
    for (auto _ : state) {
      timer.start();
      for (int k = 0; k < kStepsPerIteration; ++k) env.step(action_ptr);
      state.SetIterationTime(timer.stop_seconds() / kStepsPerIteration);
    }
    env.check_faults();
  };
  if (state.range(0) == 0) {
    time_steps(*mmsim::gpu::make_fill_prob_cuda_env(setup.data(), mmsim::FillProbConfig{}, n, 1));
  } else {
    time_steps(*mmsim::gpu::make_spread_cuda_env(setup.data(), mmsim::SpreadConfig{}, n, 1));
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["envs"] = static_cast<double>(n);
  state.SetLabel(device.name);
}

BENCHMARK(BM_TopOfBookStepCuda)
    ->ArgNames({"env", "envs"})
    ->ArgsProduct({{0, 1}, {1 << 10, 1 << 16, 1 << 20}})
    ->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
