// The market data every front end starts from (load_market) and the data
// summary they print, on the shipped sample.

#include <gtest/gtest.h>

#include <string>

#include "mmsim/config/market.hpp"
#include "test_util.hpp"

namespace mmsim::test {
namespace {

Config quickstart_without_cache() {
  Config config = load_config(std::filesystem::path(MMSIM_CONFIG_DIR) / "quickstart.yaml");
  config.data.use_cache = false;
  return config;
}

TEST(MarketData, IsTheBookItsNormalisedFeaturesAndItsSplits) {
  const Config config = quickstart_without_cache();
  const MarketData market = load_market(config);
  EXPECT_FALSE(market.cached);
  EXPECT_EQ(market.feature_backend, "cpu");
  const GoogSample& sample = goog_sample();
  EXPECT_EQ(market.loaded.book.rows(), sample.loaded.book.rows());
  EXPECT_EQ(market.splits.train.ranges.front().begin, sample.splits.train.ranges.front().begin);
  EXPECT_EQ(market.splits.test.rows(), sample.splits.test.rows());
  ASSERT_TRUE(market.table.normalised());
  EXPECT_EQ(market.table.values, sample.table.values);
  const EnvData view = market.view();
  EXPECT_EQ(view.book, &market.loaded.book);
  EXPECT_EQ(view.features, &market.table);
}

TEST(MarketData, AFeatureBackendComputesTheTableAndIsNamedInTheSummary) {
  const Config config = quickstart_without_cache();
  FeatureBackend backend;
  backend.name = "a stand-in";
  int calls = 0;
  backend.compute = [&](const BookTensor& book, const FeatureConfig& features, const Split& train) {
    ++calls;
    FeatureTable table = compute_features_cpu(book, features);
    normalise_features(table, train);
    return table;
  };
  const MarketData market = load_market(config, backend);
  EXPECT_EQ(calls, 1);
  const std::string summary = market_summary(market, config);
  EXPECT_NE(summary.find("computed on a stand-in in"), std::string::npos) << summary;
  EXPECT_NE(summary.find("loaded        without cache"), std::string::npos) << summary;
  EXPECT_NE(summary.find("step_on       best_price_change      24,085 rows   <- in use"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("features      105 columns (depth 10, RSI 30/90/270), 270 warm-up rows per session"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("env           7 actions (half_spread offsets, base sizes), "
                         "observation 5 x 110 = 550 floats"),
            std::string::npos)
      << summary;
}

}  // namespace
}  // namespace mmsim::test
