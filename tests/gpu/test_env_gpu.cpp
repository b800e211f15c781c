// CUDA env against the CPU reference: same seeds, same actions, every output
// of every step compared, over several episodes.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "env_test_util.hpp"
#include "gpu/gpu_fixture.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/gpu/env.hpp"
#include "mmsim/gpu/memory.hpp"

namespace mmsim::test {
namespace {


using Sample = GoogSample;
const Sample& sample() { return goog_sample(); }

EnvConfig config_for(bool liquidate, PenaltyKind penalty) {
  EnvConfig c;
  c.episode_length = 40;
  c.curriculum.enabled = true;
  c.curriculum.increment = 7;
  c.curriculum.every = 2;
  c.curriculum.max_length = 60;
  c.offset_unit = OffsetUnit::half_spread;
  c.actions = {{0.5, 0.5, 100, 100}, {1, 1, 50, 50}, {2, 2, 200, 200}, {0.5, 2, 100, 100}, {2, 0.5, 100, 100}};
  c.maker_fee_bps = -0.2;
  c.taker_fee_bps = 3;
  c.inventory_limit = 500;
  c.liquidate_at_end = liquidate;
  c.reward.penalty = penalty;
  c.reward.penalty_weight = 1e-3;
  c.observation.stack = 3;
  c.observation.pnl_scale = 100;
  c.observation.position_scale = 100;
  c.observation.cash_scale = 1e5;
  return c;
}

template <class T>
void expect_equal(const std::string& name, const void* cpu, const void* gpu, std::size_t bytes, int step) {
  const std::size_t count = bytes / sizeof(T);
  const T* a = static_cast<const T*>(cpu);
  const T* b = static_cast<const T*>(gpu);
  std::size_t bad = 0;
  for (std::size_t k = 0; k < count; ++k) {
    bool same;
    if constexpr (std::is_floating_point_v<T>) {
      same = std::fabs(static_cast<double>(a[k]) - static_cast<double>(b[k])) <=
             kBackendTolerance * std::max(1.0, std::fabs(static_cast<double>(a[k])));
    } else {
      same = a[k] == b[k];
    }
    if (!same && ++bad <= 3) {
      ADD_FAILURE() << name << "[" << k << "] at step " << step << ": cpu " << +a[k] << " gpu " << +b[k];
    }
  }
  EXPECT_EQ(bad, 0u) << name << " at step " << step;
}

/// Compares buffer `desc` of the CPU env with the GPU env's bytes of it (on the host).
void expect_same_buffer(const BufferDesc& desc, const void* cpu, const void* gpu, int step) {
  const auto bytes = static_cast<std::size_t>(buffer_bytes(desc));
  switch (desc.dtype) {
    case DType::float32: expect_equal<float>(desc.name, cpu, gpu, bytes, step); break;
    case DType::float64: expect_equal<double>(desc.name, cpu, gpu, bytes, step); break;
    case DType::int32: expect_equal<std::int32_t>(desc.name, cpu, gpu, bytes, step); break;
    case DType::int64: expect_equal<std::int64_t>(desc.name, cpu, gpu, bytes, step); break;
    case DType::uint64: expect_equal<std::uint64_t>(desc.name, cpu, gpu, bytes, step); break;
    case DType::uint8: expect_equal<std::uint8_t>(desc.name, cpu, gpu, bytes, step); break;
  }
}

/// Every buffer of an output field table: the CPU env's against the GPU env's.
template <class Views, class Params>
void compare_outputs(const FieldTable<Views, Params>& fields, const std::vector<BufferDesc>& cpu_buffers,
                     const std::vector<BufferDesc>& gpu_buffers, int step) {
  ASSERT_EQ(cpu_buffers.size(), fields.size());
  ASSERT_EQ(gpu_buffers.size(), fields.size());
  for (std::size_t b = 0; b < fields.size(); ++b) {
    const BufferDesc& desc = cpu_buffers[b];
    ASSERT_EQ(desc.name, fields[b].name);
    ASSERT_EQ(gpu_buffers[b].name, fields[b].name);
    ASSERT_EQ(desc.shape, gpu_buffers[b].shape);
    ASSERT_EQ(gpu_buffers[b].device, Backend::cuda);
    const auto host = gpu::download<std::uint8_t>(gpu_buffers[b].data, static_cast<std::size_t>(buffer_bytes(desc)));
    expect_same_buffer(desc, desc.data, host.data(), step);
  }
}

/// Every output buffer of the table, then every state buffer of the table
/// (read from save_state, whose bytes both backends lay out alike).
void compare_envs(const BatchEnv& cpu, const BatchEnv& gpu, int step) {
  compare_outputs(output_fields(), cpu.describe_outputs(), gpu.describe_outputs(), step);
  const auto cpu_bytes = cpu.save_state();
  const auto gpu_bytes = gpu.save_state();
  ASSERT_EQ(cpu_bytes.size(), gpu_bytes.size());
  std::size_t at = saved_state_start(cpu, cpu_bytes);
  ASSERT_EQ(std::memcmp(cpu_bytes.data(), gpu_bytes.data(), at), 0) << "the saved state's header";
  for (const BufferDesc& desc : state_layout(cpu.num_envs(), cpu.params())) {
    expect_same_buffer(desc, cpu_bytes.data() + at, gpu_bytes.data() + at, step);
    at += static_cast<std::size_t>(buffer_bytes(desc));
  }
}

class EnvGpu : public GpuTest, public ::testing::WithParamInterface<std::int64_t> {};

class EnvFaultsGpu : public GpuTest {};

TEST_P(EnvGpu, MatchesTheCpuStepByStepOverSeveralEpisodes) {
  const std::int64_t n = GetParam();
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  for (const bool liquidate : {true, false}) {
    const EnvConfig config = config_for(liquidate, liquidate ? PenaltyKind::log1p : PenaltyKind::quadratic);
    auto cpu = make_cpu_env(data, config, n, 42);
    auto gpu_env = gpu::make_cuda_env(data, config, n, 42);
    compare_envs(*cpu, *gpu_env, 0);
    gpu::DeviceBytes device_actions(static_cast<std::size_t>(n) * sizeof(std::int32_t));
    std::mt19937 random(7);
    std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
    // 150 steps: at least three episodes of 40-60 steps per env.
    for (int step = 1; step <= 150 && !HasFailure(); ++step) {
      for (auto& a : actions) a = static_cast<std::int32_t>(random() % config.actions.size());
      gpu::copy_to_device(device_actions.data(), actions.data(), actions.size() * sizeof(std::int32_t));
      cpu->step(actions.data());
      gpu_env->step(static_cast<const std::int32_t*>(device_actions.data()));
      compare_envs(*cpu, *gpu_env, step);
    }
    EXPECT_EQ(cpu->finished_episodes(), gpu_env->finished_episodes());
    EXPECT_GE(cpu->finished_total(), 2 * n);
    EXPECT_EQ(cpu->finished_total(), gpu_env->finished_total());
    EXPECT_NO_THROW(gpu_env->check_faults());
  }
}

// Named by the env count (tools/gpu_check.sh leaves the largest out of compute-sanitizer).
INSTANTIATE_TEST_SUITE_P(Sizes, EnvGpu, ::testing::Values(1, 31, 32, 33, 4096),
                         [](const ::testing::TestParamInfo<EnvGpu::ParamType>& size) { return "n" + std::to_string(size.param); });

/// Steps a CPU and a CUDA env of `config` (257 envs, seed 9) 120 times, each
/// step with new random quotes whose offsets are uniform in [low, high): in
/// ticks (step_quotes), or in env.offset_unit with `in_offset_unit`
/// (step_offsets); compares every output of every step and expects no fault.
/// Returns the levels the CPU env filled.
std::int64_t expect_fresh_quote_parity(const EnvData& data, const EnvConfig& config, std::uint32_t quote_seed,
                                       double low, double high, bool in_offset_unit) {
  const std::int64_t n = 257;
  auto cpu = make_cpu_env(data, config, n, 9);
  auto gpu_env = gpu::make_cuda_env(data, config, n, 9);
  gpu::DeviceBytes device_quotes(static_cast<std::size_t>(n) * sizeof(ActionRow));
  const auto* on_device = static_cast<const ActionRow*>(device_quotes.data());
  std::mt19937 random(quote_seed);
  std::uniform_real_distribution<double> offset(low, high);
  std::vector<ActionRow> quotes(static_cast<std::size_t>(n));
  std::int64_t fills = 0;
  for (int step = 1; step <= 120 && !::testing::Test::HasFailure(); ++step) {
    for (auto& q : quotes) q = {offset(random), offset(random), 100.0 * (random() % 3), 100.0 * (random() % 3)};
    gpu::copy_to_device(device_quotes.data(), quotes.data(), quotes.size() * sizeof(ActionRow));
    if (in_offset_unit) {
      cpu->step_offsets(quotes.data());
      gpu_env->step_offsets(on_device);
    } else {
      cpu->step_quotes(quotes.data());
      gpu_env->step_quotes(on_device);
    }
    compare_envs(*cpu, *gpu_env, step);
    for (std::int64_t i = 0; i < n; ++i) fills += cpu->outputs().bid_fills[i] + cpu->outputs().ask_fills[i];
  }
  EXPECT_NO_THROW(gpu_env->check_faults());
  return fills;
}

TEST_F(EnvFaultsGpu, ExplicitQuotesMatchTheCpu) {
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  expect_fresh_quote_parity(data, config_for(true, PenaltyKind::linear), 11, -3.0, 40.0, false);
}

TEST_F(EnvFaultsGpu, OffsetUnitQuotesMatchTheCpu) {
  // BatchEnv::step_offsets: offsets in half-spreads, converted at each env's row.
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  EnvConfig config = config_for(true, PenaltyKind::linear);
  config.offset_unit = OffsetUnit::half_spread;
  // The comparison covers fills, not only empty steps.
  EXPECT_GT(expect_fresh_quote_parity(data, config, 12, -1.0, 4.0, true), 100);
}

TEST_F(EnvFaultsGpu, TheThesisCodesRulesMatchTheCpu) {
  // Dollar offsets quoted at the float mid, levels capped at their size read as
  // dollars, last steps that only liquidate an order for position x mid.
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  EnvConfig config = config_for(true, PenaltyKind::linear);
  config.offset_unit = OffsetUnit::price;
  config.size_unit = SizeUnit::quote;
  config.fill_price = FillPrice::level;
  config.inventory_limit = 0;
  config.quote_pricing = QuotePricing::float_mid;
  config.level_fill_cap = LevelFillCap::size_as_notional;
  config.last_step = LastStep::liquidate_only;
  config.liquidation_size = LiquidationSize::notional_at_mid;
  EXPECT_GT(expect_fresh_quote_parity(data, config, 14, -0.05, 0.4, true), 100);
}

/// Steps a CPU and a CUDA env of `config` with the same random explicit quotes
/// for 150 steps, comparing every output of every step; each step one env in
/// `requote_every` draws a new quote (the others keep theirs, and so their
/// place in a queue).
void expect_quote_parity(const EnvData& data, const EnvConfig& config, std::uint64_t seed, std::uint32_t quote_seed,
                         unsigned requote_every) {
  const std::int64_t n = 257;
  auto cpu = make_cpu_env(data, config, n, seed);
  auto gpu_env = gpu::make_cuda_env(data, config, n, seed);
  compare_envs(*cpu, *gpu_env, 0);
  gpu::DeviceBytes device_quotes(static_cast<std::size_t>(n) * sizeof(ActionRow));
  std::mt19937 random(quote_seed);
  std::uniform_real_distribution<double> offset(-1.0, 6.0);
  const auto draw = [&] {
    return ActionRow{offset(random), offset(random), 100.0 * (random() % 3), 100.0 * (random() % 3)};
  };
  std::vector<ActionRow> quotes(static_cast<std::size_t>(n));
  for (auto& q : quotes) q = draw();
  std::int64_t fills = 0;
  for (int step = 1; step <= 150 && !::testing::Test::HasFailure(); ++step) {
    for (auto& q : quotes) {
      if (random() % requote_every == 0) q = draw();
    }
    gpu::copy_to_device(device_quotes.data(), quotes.data(), quotes.size() * sizeof(ActionRow));
    cpu->step_quotes(quotes.data());
    gpu_env->step_quotes(static_cast<const ActionRow*>(device_quotes.data()));
    compare_envs(*cpu, *gpu_env, step);
    for (std::int64_t i = 0; i < n; ++i) fills += cpu->outputs().bid_fills[i] + cpu->outputs().ask_fills[i];
  }
  EXPECT_GT(fills, 100);  // the comparison covers fills, not only empty steps
  EXPECT_EQ(cpu->finished_total(), gpu_env->finished_total());
  EXPECT_GE(cpu->finished_total(), 2 * n);
  EXPECT_NO_THROW(gpu_env->check_faults());
}

TEST_F(EnvFaultsGpu, ExplicitQuotesMatchTheCpuUnderTheTradesFillModel) {
  // Each queue model, with the matching-engine rules (the defaults) and with executions only.
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  ASSERT_TRUE(s.loaded.book.has_messages());
  for (const bool matching : {true, false}) {
    for (const QueueModel queue : {QueueModel::risk_averse, QueueModel::proportional}) {
      SCOPED_TRACE(std::string(to_string(queue)) + (matching ? ", matching-engine rules" : ", executions only"));
      EnvConfig config = config_for(true, PenaltyKind::linear);
      if (!matching) config = executions_only(config);
      config.fill_model = FillModel::trades;
      config.queue_model = queue;
      expect_quote_parity(data, config, 9, matching ? 13 : 15, 4);
    }
  }
}

TEST_F(EnvFaultsGpu, OrderAndObservationLatencyMatchTheCpuUnderBothFillModels) {
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  for (const FillModel model : {FillModel::cross, FillModel::trades}) {
    SCOPED_TRACE(to_string(model));
    EnvConfig config = config_for(true, PenaltyKind::linear);
    config.fill_model = model;
    config.latency = {1, 3, 2};  // each order 1 to 4 steps late; the book seen 2 rows late
    expect_quote_parity(data, config, 21, 17, 1);
  }
}

TEST_F(EnvFaultsGpu, AStateSavedOnTheCpuResumesOnTheGpuAndBack) {
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  EnvConfig config = config_for(true, PenaltyKind::linear);
  config.latency = {1, 2, 1};  // orders in flight are part of the state
  const std::int64_t n = 33;
  auto cpu = make_cpu_env(data, config, n, 5);
  auto gpu_env = gpu::make_cuda_env(data, config, n, 5);
  gpu::DeviceBytes device_actions(static_cast<std::size_t>(n) * sizeof(std::int32_t));
  std::mt19937 random(19);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
  // New random actions, on the host and on the device.
  const auto draw = [&] {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % config.actions.size());
    gpu::copy_to_device(device_actions.data(), actions.data(), actions.size() * sizeof(std::int32_t));
  };
  for (int step = 1; step <= 70; ++step) {
    draw();
    cpu->step(actions.data());
  }
  ASSERT_GT(cpu->finished_total(), 0);  // the curriculum counters travel too
  gpu_env->load_state(cpu->save_state());
  compare_envs(*cpu, *gpu_env, 70);
  for (int step = 71; step <= 130 && !HasFailure(); ++step) {
    draw();
    cpu->step(actions.data());
    gpu_env->step(static_cast<const std::int32_t*>(device_actions.data()));
    compare_envs(*cpu, *gpu_env, step);
  }
  // And back: the GPU's state continues on a fresh CPU env.
  auto resumed = make_cpu_env(data, config, n, 5);
  resumed->load_state(gpu_env->save_state());
  for (int step = 131; step <= 160 && !HasFailure(); ++step) {
    draw();
    resumed->step(actions.data());
    gpu_env->step(static_cast<const std::int32_t*>(device_actions.data()));
    compare_envs(*resumed, *gpu_env, step);
  }
  EXPECT_EQ(resumed->finished_episodes(), gpu_env->finished_episodes());
  EXPECT_NO_THROW(gpu_env->check_faults());
}

TEST_F(EnvFaultsGpu, InvalidActionIsReportedWithTheEnv) {
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, &s.table, &s.splits};
  auto env = gpu::make_cuda_env(data, config_for(true, PenaltyKind::none), 8, 1);
  std::vector<std::int32_t> actions(8, 0);
  actions[5] = 99;
  gpu::DeviceBytes device_actions(actions.size() * sizeof(std::int32_t));
  gpu::copy_to_device(device_actions.data(), actions.data(), actions.size() * sizeof(std::int32_t));
  env->step(static_cast<const std::int32_t*>(device_actions.data()));
  try {
    env->check_faults();
    FAIL() << "no fault reported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("env 5"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(env->check_faults());
}

/// Steps a CPU and a CUDA batch of a top-of-book env (made by `make` for a
/// backend and N) on the same random actions, comparing every output buffer
/// of `fields` after each step, for N in {1, 33, 4096}.
template <class Fields, class Make>
void expect_top_of_book_parity(const Fields& fields, int actions_count, const Make& make) {
  for (const std::int64_t n : {1, 33, 4096}) {
    auto cpu = make(false, n);
    auto gpu_env = make(true, n);
    gpu::DeviceBytes device_actions(static_cast<std::size_t>(n) * sizeof(std::int32_t));
    std::mt19937 random(3);
    std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
    for (int step = 0; step <= 80 && !::testing::Test::HasFailure(); ++step) {
      if (step > 0) {
        for (auto& a : actions) a = static_cast<std::int32_t>(random() % actions_count);
        gpu::copy_to_device(device_actions.data(), actions.data(), actions.size() * sizeof(std::int32_t));
        cpu->step(actions.data());
        gpu_env->step(static_cast<const std::int32_t*>(device_actions.data()));
      }
      compare_outputs(fields, cpu->describe_outputs(), gpu_env->describe_outputs(), step);
    }
  }
}

class FillProbGpu : public GpuTest {};

TEST_F(FillProbGpu, MatchesTheCpuStepByStep) {
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, nullptr, &s.splits};
  for (const bool notebook : {false, true}) {
    FillProbConfig config;
    config.episode_length = 25;
    config.cost = 0.01;
    if (notebook) {
      config.same_side = FillProbSameSide::reprice;
      config.close_volume = FillProbCloseVolume::current_row;
      config.start = FillProbStart::split_start;
      config.episode_end = FillProbEpisodeEnd::truncate;
      config.hit_rule = FillProbHitRule::bid_with_k;
    }
    expect_top_of_book_parity(fill_prob_output_fields(), 3, [&](bool cuda, std::int64_t n) {
      return cuda ? gpu::make_fill_prob_cuda_env(data, config, n, 11) : make_fill_prob_cpu_env(data, config, n, 11);
    });
  }
}

class SpreadGpu : public GpuTest {};

TEST_F(SpreadGpu, MatchesTheCpuStepByStep) {
  const Sample& s = sample();
  const EnvData data{&s.loaded.book, nullptr, &s.splits};
  for (const bool notebook : {false, true}) {
    SpreadConfig config;
    config.episode_length = 25;
    config.history = 3;
    config.trading_fee = 0.02;
    config.time_fee = 0.001;
    if (notebook) {
      config.prices = SpreadPrices::absolute;
      config.price_scale = 1000;
      config.start = SpreadStart::split_start;
    }
    expect_top_of_book_parity(spread_output_fields(), kSpreadActions, [&](bool cuda, std::int64_t n) {
      return cuda ? gpu::make_spread_cuda_env(data, config, n, 11) : make_spread_cpu_env(data, config, n, 11);
    });
  }
}

}  // namespace
}  // namespace mmsim::test
