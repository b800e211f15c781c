// CUDA feature precompute against the CPU reference.

#include <gtest/gtest.h>

#include <cmath>

#include "gpu/gpu_fixture.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/gpu/features.hpp"
#include "test_util.hpp"

namespace mmsim::test {
namespace {

/// Raw features: both backends evaluate the same double formulas and round
/// once to float; only contraction into FMA may differ, by a few float ulps.
constexpr double kRawRelativeTolerance = 1e-6;
/// Normalised features: the statistics are summed in another order.
constexpr double kNormalisedAbsoluteTolerance = 1e-5;

LoadedBook load_sample(StepOn rule) {
  LoadOptions options;
  options.format = DataFormat::lobster;
  options.files = {sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")};
  options.step_on = rule;
  return load_book_uncached(options);
}

/// Two sessions: the AAPL excerpt, then the GOOG day.
LoadedBook load_two_sessions() {
  LoadOptions options;
  options.format = DataFormat::lobster;
  options.files = {test_data("AAPL_2012-06-21_34200000_57600000_orderbook_10.csv"),
                   sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")};
  return load_book_uncached(options);
}

void expect_close_raw(const FeatureTable& cpu, const FeatureTable& gpu) {
  ASSERT_EQ(cpu.rows, gpu.rows);
  ASSERT_EQ(cpu.names, gpu.names);
  std::int64_t mismatches = 0;
  for (std::size_t i = 0; i < cpu.values.size(); ++i) {
    const double a = cpu.values[i], b = gpu.values[i];
    if (std::fabs(a - b) > kRawRelativeTolerance * std::max(1.0, std::fabs(a))) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "row " << i / cpu.columns() << " column " << cpu.names[i % cpu.columns()] << ": cpu " << a
                      << " gpu " << b;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

class FeaturesGpu : public GpuTest {};

TEST_F(FeaturesGpu, RawFeaturesMatchTheCpuOnTheSample) {
  for (StepOn rule : {StepOn::best_price_change, StepOn::any_change}) {
    const LoadedBook loaded = load_sample(rule);
    const FeatureConfig config;
    const FeatureTable cpu = compute_features_cpu(loaded.book, config);
    const FeatureTable gpu = gpu::compute_features_cuda(loaded.book, config, nullptr, {}).to_host({});
    expect_close_raw(cpu, gpu);
    EXPECT_FALSE(gpu.normalised());
  }
}

TEST_F(FeaturesGpu, RawFeaturesMatchAcrossTwoSessionsAndShallowDepth) {
  const LoadedBook loaded = load_two_sessions();
  ASSERT_EQ(loaded.book.sessions(), 2);
  FeatureConfig config;
  config.depth = 4;
  config.rsi_windows = {5, 30, 400};
  expect_close_raw(compute_features_cpu(loaded.book, config),
                   gpu::compute_features_cuda(loaded.book, config, nullptr, {}).to_host({}));
}

TEST_F(FeaturesGpu, NormalisedFeaturesAndStatisticsMatchTheCpu) {
  const LoadedBook loaded = load_sample(StepOn::best_price_change);
  const FeatureConfig config;
  FeatureTable cpu = compute_features_cpu(loaded.book, config);
  const Splits splits = make_splits(loaded.book, cpu.layout.warmup_rows(), SplitConfig{});
  normalise_features(cpu, splits.train);
  const FeatureTable gpu = gpu::compute_features_cuda(loaded.book, config, &splits.train, {}).to_host({});
  ASSERT_TRUE(gpu.normalised());
  for (int c = 0; c < cpu.columns(); ++c) {
    EXPECT_NEAR(gpu.mean[c], cpu.mean[c], 1e-9 * std::max(1.0, std::fabs(cpu.mean[c]))) << cpu.names[c];
    EXPECT_NEAR(gpu.scale[c], cpu.scale[c], 1e-9 * std::max(1.0, std::fabs(cpu.scale[c]))) << cpu.names[c];
  }
  std::int64_t mismatches = 0;
  for (std::size_t i = 0; i < cpu.values.size(); ++i) {
    if (std::fabs(cpu.values[i] - gpu.values[i]) > kNormalisedAbsoluteTolerance) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_F(FeaturesGpu, RepeatedRunsAreIdentical) {
  const LoadedBook loaded = load_sample(StepOn::best_price_change);
  const FeatureConfig config;
  const Splits splits = make_splits(loaded.book, 270, SplitConfig{});
  const FeatureTable first = gpu::compute_features_cuda(loaded.book, config, &splits.train, {}).to_host({});
  const FeatureTable second = gpu::compute_features_cuda(loaded.book, config, &splits.train, {}).to_host({});
  EXPECT_EQ(first.values, second.values);
  EXPECT_EQ(first.mean, second.mean);
}

}  // namespace
}  // namespace mmsim::test
