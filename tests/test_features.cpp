// The CPU feature table: hand-computed values on a tiny book, the column
// layout, normalisation with training-split statistics, and the NaN check.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/feature_row.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim {
namespace {

using test::kDoubleAccumulation;
using test::kDoubleRounding;
using test::kFloat32Rounding;
using test::kFloat32RoundingOfTens;
using test::kNormalisedMoments;
using test::kOneFloat32Rounding;

constexpr std::int64_t kSecond = 1000000000LL;
constexpr Nanos kStart0 = 1577957400LL * kSecond;       // 2020-01-02 09:30:00
constexpr Nanos kStart1 = kStart0 + 86400LL * kSecond;  // the next day

struct Row {
  Nanos time;
  Ticks bid1, ask1, bid2, ask2;
  Lots bid1_size, ask1_size, bid2_size, ask2_size;
};

constexpr Ticks E_BID = kEmptyBidTicks;

// Depth 2, two sessions: rows 0..5 and 6..7. Mid in half-ticks (bid1 + ask1) and its move:
//   row: mid2  move        row: mid2  move
//    0   203    0 (start)    4   202   -3
//    1   203    0            5   201   -1
//    2   204   +1            6   402    0 (session start)
//    3   205   +1            7   403   +1
const std::vector<Row> kRows = {
    {kStart0 + 0, 100, 103, 99, 104, 2, 1, 4, 3},
    {kStart0 + kSecond / 2, 100, 103, 99, 104, 3, 1, 4, 3},
    {kStart0 + 3 * kSecond / 4, 101, 103, 100, 104, 2, 1, 4, 3},
    {kStart0 + 2 * kSecond, 101, 104, 100, 105, 2, 1, 4, 3},
    {kStart0 + 2 * kSecond, 100, 102, 99, 103, 2, 1, 4, 3},
    {kStart0 + 3 * kSecond + kSecond / 4, 99, 102, E_BID, 105, 5, 2, 0, 1},  // bid level 2 empty
    {kStart1, 200, 202, 199, 203, 1, 1, 1, 1},
    {kStart1 + kSecond / 1000, 201, 202, 200, 203, 1, 3, 1, 3},
};

BookTensor make_book(const std::vector<Row>& rows = kRows, std::vector<std::int64_t> session_begin = {0, 6, 8}) {
  BookTensor book;
  book.instrument = {0.01, 1.0};
  book.depth = 2;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    book.time_ns.push_back(r.time);
    book.bid_price.insert(book.bid_price.end(), {r.bid1, r.bid2});
    book.ask_price.insert(book.ask_price.end(), {r.ask1, r.ask2});
    book.bid_size.insert(book.bid_size.end(), {r.bid1_size, r.bid2_size});
    book.ask_size.insert(book.ask_size.end(), {r.ask1_size, r.ask2_size});
    book.source_line.push_back(static_cast<std::int64_t>(i) + 1);
  }
  book.session_begin = std::move(session_begin);
  for (std::size_t s = 0; s + 1 < book.session_begin.size(); ++s) book.session_names.push_back("s" + std::to_string(s));
  return book;
}

FeatureConfig small_config() {
  FeatureConfig config;
  config.rsi_windows = {2, 3};
  return config;
}

void expect_column(const FeatureTable& table, int c, const std::vector<double>& expected,
                   double tolerance = kFloat32Rounding) {
  ASSERT_EQ(static_cast<std::int64_t>(expected.size()), table.rows);
  for (std::int64_t r = 0; r < table.rows; ++r) {
    EXPECT_NEAR(table.at(r, c), expected[r], tolerance * std::max(1.0, std::fabs(expected[r])))
        << table.names[c] << " row " << r;
  }
}

TEST(FeatureLayout, NamesAndIndices) {
  const BookTensor book = make_book();
  const FeatureLayout layout = make_feature_layout(book, small_config());
  EXPECT_EQ(layout.depth, 2);
  // 10 per level x 2 levels + mid_change + delta_time + 2 RSI windows = 24.
  EXPECT_EQ(layout.columns(), 24);
  const std::vector<std::string> names = layout.names();
  ASSERT_EQ(names.size(), 24u);
  EXPECT_EQ(names[layout.mid_change()], "mid_change");
  EXPECT_EQ(names[layout.bid_skew(0)], "bid_skew_1");
  EXPECT_EQ(names[layout.ask_skew(1)], "ask_skew_2");
  EXPECT_EQ(names[layout.spread(1)], "spread_2");
  EXPECT_EQ(names[layout.bid_distance(0)], "bid_distance_1");
  EXPECT_EQ(names[layout.ask_distance(1)], "ask_distance_2");
  EXPECT_EQ(names[layout.bid_size(0)], "bid_size_1");
  EXPECT_EQ(names[layout.ask_size(1)], "ask_size_2");
  EXPECT_EQ(names[layout.bid_cum_size(1)], "bid_cum_size_2");
  EXPECT_EQ(names[layout.ask_cum_size(0)], "ask_cum_size_1");
  EXPECT_EQ(names[layout.imbalance(1)], "imbalance_2");
  EXPECT_EQ(names[layout.delta_time()], "delta_time");
  EXPECT_EQ(names[layout.rsi(0)], "rsi_2");
  EXPECT_EQ(names[layout.rsi(1)], "rsi_3");
  // Positions: mid_change, then 10 blocks of `depth` columns, delta_time, RSI.
  EXPECT_EQ(layout.ask_skew(1), 4);
  EXPECT_EQ(layout.imbalance(0), 19);
  EXPECT_EQ(layout.delta_time(), 21);
  EXPECT_EQ(layout.rsi(1), 23);
  // Every name is distinct.
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = i + 1; j < names.size(); ++j) EXPECT_NE(names[i], names[j]);
  }
}

TEST(FeatureLayout, WarmupIsTheLongestWindow) {
  const BookTensor book = make_book();
  EXPECT_EQ(make_feature_layout(book, small_config()).warmup_rows(), 3);
  FeatureConfig config;
  config.rsi_windows = {5, 2};
  EXPECT_EQ(make_feature_layout(book, config).warmup_rows(), 5);
  config.rsi_windows = {30, 90, 270};
  EXPECT_EQ(make_feature_layout(book, config).warmup_rows(), 270);
}

TEST(FeatureLayout, InvalidConfigs) {
  const BookTensor book = make_book();
  FeatureConfig config = small_config();
  config.depth = 3;
  try {
    make_feature_layout(book, config);
    ADD_FAILURE() << "depth 3 of a depth-2 book";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "features.depth");
  }
  config = small_config();
  config.rsi_windows = {2, 0};
  try {
    make_feature_layout(book, config);
    ADD_FAILURE() << "window 0";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "features.rsi_windows");
  }
  config.rsi_windows = std::vector<int>(kMaxRsiWindows + 1, 2);
  EXPECT_THROW(make_feature_layout(book, config), ConfigError);
}

TEST(Features, MidChangeInTicksAndZeroAtEachSessionStart) {
  const FeatureTable table = compute_features_cpu(make_book(), small_config());
  ASSERT_EQ(table.rows, 8);
  ASSERT_EQ(table.columns(), 24);
  EXPECT_FALSE(table.normalised());
  // Moves in half-ticks 0, 0, +1, +1, -3, -1, (session start), +1 -> ticks / 2.
  // Row 6 would be (402 - 201) / 2 = 100.5 across the session boundary; it is 0.
  expect_column(table, table.layout.mid_change(), {0, 0, 0.5, 0.5, -1.5, -0.5, 0, 0.5});
}

TEST(Features, SkewsSpreadsAndDistancesOfRowZero) {
  const FeatureTable table = compute_features_cpu(make_book(), small_config());
  const FeatureLayout& l = table.layout;
  // Row 0: bid 100 / 99, ask 103 / 104, mid = (100 + 103) / 2 = 101.5 ticks.
  EXPECT_FLOAT_EQ(table.at(0, l.bid_skew(0)), -1.5f);                                        // 100 - 101.5
  EXPECT_FLOAT_EQ(table.at(0, l.bid_skew(1)), -2.5f);                                        // 99 - 101.5
  EXPECT_FLOAT_EQ(table.at(0, l.ask_skew(0)), 1.5f);                                         // 103 - 101.5
  EXPECT_FLOAT_EQ(table.at(0, l.ask_skew(1)), 2.5f);                                         // 104 - 101.5
  EXPECT_FLOAT_EQ(table.at(0, l.spread(0)), 3.0f);                                           // 103 - 100
  EXPECT_FLOAT_EQ(table.at(0, l.spread(1)), 5.0f);                                           // 104 - 99
  EXPECT_FLOAT_EQ(table.at(0, l.bid_distance(0)), static_cast<float>(100.0 / 101.5 - 1.0));  // -0.014778...
  EXPECT_FLOAT_EQ(table.at(0, l.bid_distance(1)), static_cast<float>(99.0 / 101.5 - 1.0));
  EXPECT_FLOAT_EQ(table.at(0, l.ask_distance(0)), static_cast<float>(103.0 / 101.5 - 1.0));  // +0.014778...
  EXPECT_FLOAT_EQ(table.at(0, l.ask_distance(1)), static_cast<float>(104.0 / 101.5 - 1.0));
  // Row 7 (second session): bid 201, ask 202, mid 201.5: an integer mid is not required.
  EXPECT_FLOAT_EQ(table.at(7, l.bid_skew(0)), -0.5f);
  EXPECT_FLOAT_EQ(table.at(7, l.ask_skew(0)), 0.5f);
  EXPECT_FLOAT_EQ(table.at(7, l.spread(1)), 3.0f);  // 203 - 200
  // Row 4: bid 100, ask 102, integer mid 101.
  EXPECT_FLOAT_EQ(table.at(4, l.bid_skew(0)), -1.0f);
  EXPECT_FLOAT_EQ(table.at(4, l.ask_skew(1)), 2.0f);  // 103 - 101
}

TEST(Features, SizesCumulativeSizesAndImbalance) {
  const FeatureTable table = compute_features_cpu(make_book(), small_config());
  const FeatureLayout& l = table.layout;
  // Row 0: bid sizes 2, 4 (cum 2, 6); ask sizes 1, 3 (cum 1, 4).
  EXPECT_FLOAT_EQ(table.at(0, l.bid_size(0)), 2.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.bid_size(1)), 4.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.ask_size(0)), 1.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.ask_size(1)), 3.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.bid_cum_size(0)), 2.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.bid_cum_size(1)), 6.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.ask_cum_size(0)), 1.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.ask_cum_size(1)), 4.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.imbalance(0)), 1.0f / 3.0f);  // (2 - 1) / (2 + 1)
  EXPECT_FLOAT_EQ(table.at(0, l.imbalance(1)), 0.2f);         // (6 - 4) / (6 + 4)
  // Row 1: bid size 1 is 3: imbalance_1 = (3 - 1) / 4 = 0.5; cum bid 7: imbalance_2 = (7 - 4) / 11.
  EXPECT_FLOAT_EQ(table.at(1, l.imbalance(0)), 0.5f);
  EXPECT_FLOAT_EQ(table.at(1, l.imbalance(1)), 3.0f / 11.0f);
  // Row 7: bid 1, 1 (cum 1, 2); ask 3, 3 (cum 3, 6): (1 - 3) / 4 = -0.5, (2 - 6) / 8 = -0.5.
  EXPECT_FLOAT_EQ(table.at(7, l.imbalance(0)), -0.5f);
  EXPECT_FLOAT_EQ(table.at(7, l.imbalance(1)), -0.5f);
  EXPECT_FLOAT_EQ(table.at(7, l.ask_cum_size(1)), 6.0f);
}

TEST(Features, EmptyLevelUsesTheDeepestOccupiedPriceAndSizeZero) {
  const FeatureTable table = compute_features_cpu(make_book(), small_config());
  const FeatureLayout& l = table.layout;
  // Row 5: bid 99 x 5, bid level 2 empty; ask 102 x 2, 105 x 1; mid = (99 + 102) / 2 = 100.5.
  EXPECT_FLOAT_EQ(table.at(5, l.bid_skew(0)), -1.5f);
  EXPECT_FLOAT_EQ(table.at(5, l.bid_skew(1)), -1.5f);  // level 1's price 99
  EXPECT_FLOAT_EQ(table.at(5, l.ask_skew(1)), 4.5f);   // 105 - 100.5
  EXPECT_FLOAT_EQ(table.at(5, l.spread(1)), 6.0f);     // 105 - 99
  EXPECT_FLOAT_EQ(table.at(5, l.bid_distance(1)), static_cast<float>(99.0 / 100.5 - 1.0));
  EXPECT_FLOAT_EQ(table.at(5, l.bid_size(1)), 0.0f);
  EXPECT_FLOAT_EQ(table.at(5, l.bid_cum_size(1)), 5.0f);      // 5 + 0
  EXPECT_FLOAT_EQ(table.at(5, l.ask_cum_size(1)), 3.0f);      // 2 + 1
  EXPECT_FLOAT_EQ(table.at(5, l.imbalance(0)), 3.0f / 7.0f);  // (5 - 2) / (5 + 2)
  EXPECT_FLOAT_EQ(table.at(5, l.imbalance(1)), 0.25f);        // (5 - 3) / (5 + 3)
}

TEST(Features, EmptyLevelsTakeTheDeepestOccupiedLevelOfThreeLevels) {
  // Depth 3, one row: bid 100, 98, empty; ask 101, empty, empty. Mid 100.5.
  BookTensor book;
  book.depth = 3;
  book.time_ns = {0};
  book.bid_price = {100, 98, kEmptyBidTicks};
  book.bid_size = {1, 2, 0};
  book.ask_price = {101, kEmptyAskTicks, kEmptyAskTicks};
  book.ask_size = {4, 0, 0};
  book.source_line = {1};
  book.session_begin = {0, 1};
  book.session_names = {"one"};
  FeatureConfig config;
  config.rsi_windows = {};
  const FeatureTable table = compute_features_cpu(book, config);
  const FeatureLayout& l = table.layout;
  EXPECT_FLOAT_EQ(table.at(0, l.bid_skew(2)), -2.5f);  // 98 - 100.5
  EXPECT_FLOAT_EQ(table.at(0, l.ask_skew(1)), 0.5f);   // 101 - 100.5
  EXPECT_FLOAT_EQ(table.at(0, l.ask_skew(2)), 0.5f);
  EXPECT_FLOAT_EQ(table.at(0, l.spread(2)), 3.0f);  // 101 - 98
  EXPECT_FLOAT_EQ(table.at(0, l.ask_cum_size(2)), 4.0f);
  EXPECT_FLOAT_EQ(table.at(0, l.imbalance(2)), -1.0f / 7.0f);  // (3 - 4) / (3 + 4)
  EXPECT_EQ(table.columns(), 2 + 30);
}

TEST(Features, DeltaTimeInSecondsAndZeroAtEachSessionStart) {
  const FeatureTable table = compute_features_cpu(make_book(), small_config());
  // Times in session 0: 0, 0.5, 0.75, 2, 2, 3.25 s; session 1: 0, 0.001 s (a day later).
  expect_column(table, table.layout.delta_time(), {0, 0.5, 0.25, 1.25, 0, 1.25, 0, 0.001});
}

TEST(Features, RsiOverSmallWindows) {
  const FeatureTable table = compute_features_cpu(make_book(), small_config());
  // Moves (half-ticks): 0, 0, +1, +1, -3, -1 | 0, +1. RSI = 100 U / (U + D) over the last w moves of
  // the session, 50 when nothing moved.
  // w = 2: r0 none -> 50; r1 {0} -> 50; r2 {0,+1} -> 100; r3 {+1,+1} -> 100; r4 {+1,-3} -> 25;
  //        r5 {-3,-1} -> 0; r6 none -> 50; r7 {+1} (clipped at the session start) -> 100.
  expect_column(table, table.layout.rsi(0), {50, 50, 100, 100, 25, 0, 50, 100});
  // w = 3: r3 {0,+1,+1} -> 100; r4 {+1,+1,-3} -> 200/5 = 40; r5 {+1,-3,-1} -> 100/5 = 20;
  //        r7 {+1} -> 100 (unclipped it would be {-1, 0, +1} -> 50).
  expect_column(table, table.layout.rsi(1), {50, 50, 100, 100, 40, 20, 50, 100});
}

TEST(Features, SmallerFeatureDepthKeepsTheSameLevelValues) {
  const BookTensor book = make_book();
  const FeatureTable full = compute_features_cpu(book, small_config());
  FeatureConfig config = small_config();
  config.depth = 1;
  const FeatureTable one = compute_features_cpu(book, config);
  EXPECT_EQ(one.columns(), 2 + 10 + 2);
  for (std::int64_t r = 0; r < book.rows(); ++r) {
    EXPECT_EQ(one.at(r, one.layout.bid_skew(0)), full.at(r, full.layout.bid_skew(0)));
    EXPECT_EQ(one.at(r, one.layout.imbalance(0)), full.at(r, full.layout.imbalance(0)));
    EXPECT_EQ(one.at(r, one.layout.delta_time()), full.at(r, full.layout.delta_time()));
    EXPECT_EQ(one.at(r, one.layout.rsi(1)), full.at(r, full.layout.rsi(1)));
  }
  EXPECT_FLOAT_EQ(one.at(0, one.layout.imbalance(0)), 1.0f / 3.0f);
}

TEST(Normalise, StatisticsOfTheTrainingRowsOnly) {
  FeatureTable table = compute_features_cpu(make_book(), small_config());
  Split train;
  train.ranges = {{1, 4}, {7, 8}};  // rows 1, 2, 3, 7
  normalise_features(table, train);
  ASSERT_TRUE(table.normalised());
  const FeatureLayout& l = table.layout;
  ASSERT_EQ(table.mean.size(), 24u);
  ASSERT_EQ(table.scale.size(), 24u);

  // mid_change on rows 1, 2, 3, 7: 0, 0.5, 0.5, 0.5 -> mean 0.375;
  // squared deviations 0.140625 + 3 * 0.015625 = 0.1875, / 4 = 0.046875 -> std sqrt(0.046875) = sqrt(3) / 8.
  EXPECT_DOUBLE_EQ(table.mean[l.mid_change()], 0.375);
  EXPECT_NEAR(table.scale[l.mid_change()], std::sqrt(3.0) / 8.0, kDoubleRounding);
  // Normalised: row 0 (0 - 0.375) / (sqrt(3) / 8) = -sqrt(3); row 2: 0.125 * 8 / sqrt(3) = 1 / sqrt(3);
  // row 4 (not in the split): (-1.5 - 0.375) * 8 / sqrt(3) = -15 / sqrt(3).
  EXPECT_NEAR(table.at(0, l.mid_change()), -std::sqrt(3.0), kFloat32Rounding);
  EXPECT_NEAR(table.at(2, l.mid_change()), 1.0 / std::sqrt(3.0), kFloat32Rounding);
  EXPECT_NEAR(table.at(4, l.mid_change()), -15.0 / std::sqrt(3.0), kFloat32RoundingOfTens);

  // ask_size_2 on rows 1, 2, 3, 7: 3, 3, 3, 3 -> constant: mean 3, scale 1; row 5 (size 1) -> -2.
  EXPECT_DOUBLE_EQ(table.mean[l.ask_size(1)], 3.0);
  EXPECT_DOUBLE_EQ(table.scale[l.ask_size(1)], 1.0);
  EXPECT_FLOAT_EQ(table.at(1, l.ask_size(1)), 0.0f);
  EXPECT_FLOAT_EQ(table.at(5, l.ask_size(1)), -2.0f);

  // rsi_2 on rows 1, 2, 3, 7: 50, 100, 100, 100 -> mean 87.5; variance (1406.25 + 3 * 156.25) / 4 = 468.75.
  EXPECT_DOUBLE_EQ(table.mean[l.rsi(0)], 87.5);
  EXPECT_NEAR(table.scale[l.rsi(0)], std::sqrt(468.75), kDoubleAccumulation);
  EXPECT_NEAR(table.at(4, l.rsi(0)), (25.0 - 87.5) / std::sqrt(468.75), kFloat32RoundingOfTens);

  // delta_time on rows 1, 2, 3, 7: 0.5, 0.25, 1.25, 0.001 -> mean 2.001 / 4 = 0.50025.
  EXPECT_NEAR(table.mean[l.delta_time()], 0.50025, kOneFloat32Rounding);
}

TEST(Normalise, EmptyTrainingSplitIsAnError) {
  FeatureTable table = compute_features_cpu(make_book(), small_config());
  EXPECT_THROW(normalise_features(table, Split{}), ConfigError);
  EXPECT_FALSE(table.normalised());
}

TEST(Normalise, TwiceIsAnInternalError) {
  FeatureTable table = compute_features_cpu(make_book(), small_config());
  Split train;
  train.ranges = {{0, 8}};
  normalise_features(table, train);
  EXPECT_THROW(normalise_features(table, train), InternalError);
}

TEST(CheckFinite, NamesTheRowAndColumnOfANaN) {
  FeatureTable table = compute_features_cpu(make_book(), small_config());
  EXPECT_NO_THROW(check_finite(table, "features"));
  const int c = table.layout.spread(1);
  table.values[3 * table.columns() + c] = std::numeric_limits<float>::quiet_NaN();
  try {
    check_finite(table, "features");
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "features");
    EXPECT_EQ(e.where().line, 4);  // row 3, 1-based
    EXPECT_EQ(e.where().column, c + 1);
    EXPECT_EQ(e.where().column_name, "spread_2");
    const std::string what = e.what();
    EXPECT_NE(what.find("NaN"), std::string::npos) << what;
    EXPECT_NE(what.find("row 3"), std::string::npos) << what;
    EXPECT_NE(what.find("spread_2"), std::string::npos) << what;
  }
}

TEST(CheckFinite, ReportsTheFirstInfinity) {
  FeatureTable table = compute_features_cpu(make_book(), small_config());
  table.values[6 * table.columns() + table.layout.rsi(1)] = std::numeric_limits<float>::infinity();
  table.values[7 * table.columns() + 0] = std::numeric_limits<float>::quiet_NaN();
  try {
    check_finite(table, "obs");
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 7);
    EXPECT_EQ(e.where().column_name, "rsi_3");
    EXPECT_NE(std::string(e.what()).find("infinite"), std::string::npos) << e.what();
  }
}

TEST(CheckFinite, ComputeRejectsABookThatGivesNaN) {
  // Both best sizes 0: imbalance_1 = 0 / 0.
  std::vector<Row> rows = kRows;
  rows[2].bid1_size = 0;
  rows[2].ask1_size = 0;
  rows[2].bid2_size = 0;
  rows[2].ask2_size = 0;
  try {
    compute_features_cpu(make_book(rows), small_config());
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column_name, "imbalance_1");
  }
}

TEST(SampleData, NormalisedTrainingColumnsHaveMeanZeroAndStdOne) {
  LoadOptions options;
  options.format = DataFormat::lobster;
  options.files = {test::sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")};
  options.instrument = {0.01, 1.0};
  options.step_on = StepOn::best_price_change;
  const BookTensor book = load_book_uncached(options).book;
  ASSERT_GT(book.rows(), 1000);
  EXPECT_EQ(book.depth, 10);

  FeatureTable table = compute_features_cpu(book, FeatureConfig{});
  ASSERT_EQ(table.columns(), 2 + 10 * 10 + 3);
  const Splits splits = make_splits(book, table.layout.warmup_rows(), SplitConfig{});
  normalise_features(table, splits.train);
  EXPECT_NO_THROW(check_finite(table, "GOOG features"));

  const int F = table.columns();
  const double n = static_cast<double>(splits.train.rows());
  std::vector<double> sum(F, 0.0), sum_sq(F, 0.0);
  for (const RowRange& range : splits.train.ranges) {
    for (std::int64_t r = range.begin; r < range.end; ++r) {
      for (int c = 0; c < F; ++c) {
        const double v = table.at(r, c);
        ASSERT_TRUE(std::isfinite(v)) << "row " << r << " column " << table.names[c];
        sum[c] += v;
        sum_sq[c] += v * v;
      }
    }
  }
  int constant_columns = 0;
  for (int c = 0; c < F; ++c) {
    const double mean = sum[c] / n;
    const double sd = std::sqrt(std::max(0.0, sum_sq[c] / n - mean * mean));
    EXPECT_NEAR(mean, 0.0, kNormalisedMoments) << table.names[c];
    if (table.scale[c] == 1.0 && sd < kFloat32Rounding) {
      ++constant_columns;  // a constant column is centred but not scaled
      continue;
    }
    EXPECT_NEAR(sd, 1.0, kNormalisedMoments) << table.names[c];
  }
  EXPECT_LT(constant_columns, F);
  for (float v : table.values) ASSERT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace mmsim
