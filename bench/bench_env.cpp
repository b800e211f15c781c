// CPU backend: env steps per second against the number of envs, thesis
// setup, under the cross fill model (trades = 0) and the trades model (1),
// without latency and with orders delayed 5 steps; under the thesis's code
// rules and mmsim's default rules; beside a thread that keeps a core busy, on
// every core (threads = 0) or on one (threads = 1); and the notebook's
// top-of-book envs (fill-probability, spread-trading).

#include <benchmark/benchmark.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "env_setup.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/spread_env.hpp"

namespace {

/// Times steps of `env` with one random action per env (the same every
/// step), checks its faults and reports env steps per second.
void time_random_steps(benchmark::State& state, mmsim::BatchEnv& env) {
  std::vector<std::int32_t> actions(static_cast<std::size_t>(env.num_envs()));
  std::mt19937 random(1);
  for (auto& a : actions) a = static_cast<std::int32_t>(random() % env.action_count());
  for (auto _ : state) {
    env.step(actions.data());
    benchmark::ClobberMemory();
  }
  env.check_faults();
  state.SetItemsProcessed(state.iterations() * env.num_envs());
  state.counters["envs"] = static_cast<double>(env.num_envs());
}

void BM_EnvStepCpu(benchmark::State& state) {
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t n = state.range(0);
  auto env = mmsim::make_cpu_env(setup.data(), mmsim::bench::env_config(setup, state.range(1), state.range(2)), n, 1);
  time_random_steps(state, *env);
  const double bytes = mmsim::bench::bytes_per_env_step(*env, setup.loaded.book);
  state.SetBytesProcessed(static_cast<std::int64_t>(static_cast<double>(state.iterations() * n) * bytes));
  state.counters["bytes_per_env_step"] = bytes;
  state.counters["obs_floats"] = static_cast<double>(env->observation_size());
}

BENCHMARK(BM_EnvStepCpu)
    ->ArgNames({"envs", "trades", "delay"})
    ->ArgsProduct({benchmark::CreateRange(1, 1 << 16, 4), {0, 1}, {0}})
    ->ArgsProduct({{1 << 10, 1 << 16}, {0, 1}, {5}})
    ->UseRealTime();

/// As BM_EnvStepCpu (cross, no latency) under the thesis's code rules
/// (configs/thesis.yaml: rules = 1) or mmsim's default rules (rules = 0):
/// what reproducing the code costs.
void BM_EnvStepCpuRules(benchmark::State& state) {
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t n = state.range(0);
  mmsim::EnvConfig config = mmsim::bench::env_config(setup, 0, 0);
  if (state.range(1) == 0) {
    const mmsim::EnvConfig defaults;
    config.quote_pricing = defaults.quote_pricing;
    config.level_fill_cap = defaults.level_fill_cap;
    config.last_step = defaults.last_step;
    config.liquidation_size = defaults.liquidation_size;
  }
  auto env = mmsim::make_cpu_env(setup.data(), config, n, 1);
  time_random_steps(state, *env);
}

BENCHMARK(BM_EnvStepCpuRules)->ArgNames({"envs", "rules"})->ArgsProduct({{1 << 10, 1 << 14}, {0, 1}})->UseRealTime();

/// As BM_EnvStepCpu (cross, no latency) while another thread spins for the
/// whole run, as a second process on the machine would: a step on every core
/// then competes for one with it.
void BM_EnvStepCpuBesideABusyThread(benchmark::State& state) {
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t n = state.range(0);
  auto env = mmsim::make_cpu_env(setup.data(), mmsim::bench::env_config(setup, 0, 0), n, 1,
                                 static_cast<int>(state.range(1)));
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  time_random_steps(state, *env);
  stop = true;
  busy.join();
}

BENCHMARK(BM_EnvStepCpuBesideABusyThread)
    ->ArgNames({"envs", "threads"})
    ->ArgsProduct({{1 << 10, 1 << 12, 1 << 14}, {0, 1}})
    ->UseRealTime();

/// The notebook's top-of-book envs on the GOOG day's best level, random
/// actions of 3: env = 0 the fill-probability env, 1 the spread-trading env
/// (history 2).
void BM_TopOfBookStepCpu(benchmark::State& state) {
  const auto& setup = mmsim::bench::thesis_setup();
  const std::int64_t n = state.range(1);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
  std::mt19937 random(1);
  for (auto& a : actions) a = static_cast<std::int32_t>(random() % 3);
  const auto time_steps = [&](auto& env) {
    for (auto _ : state) {
      env.step(actions.data());
      benchmark::ClobberMemory();
    }
    env.check_faults();
  };
  if (state.range(0) == 0) {
    time_steps(*mmsim::make_fill_prob_cpu_env(setup.data(), mmsim::FillProbConfig{}, n, 1));
  } else {
    time_steps(*mmsim::make_spread_cpu_env(setup.data(), mmsim::SpreadConfig{}, n, 1));
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["envs"] = static_cast<double>(n);
}

BENCHMARK(BM_TopOfBookStepCpu)
    ->ArgNames({"env", "envs"})
    ->ArgsProduct({{0, 1}, {1 << 10, 1 << 16}})
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
