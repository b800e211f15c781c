// Train / validation / test splits on hand-built books, and timestamp parsing.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim {
namespace {

constexpr std::int64_t kSecond = 1000000000LL;
constexpr std::int64_t kDay = 86400LL * kSecond;
// 2020-01-01 is 50 * 365 + 12 leap days (1972..2016) = 18262 days after 1970-01-01.
constexpr std::int64_t kDays2020_01_02 = 18263;
constexpr std::int64_t k0930 = (9 * 3600 + 30 * 60) * kSecond;

/// A depth-1 book with sessions of the given sizes; session s is day 2020-01-02 + s,
/// and its row k is at 09:30:00 + k seconds.
BookTensor make_book(const std::vector<std::int64_t>& session_rows, std::vector<std::string> names = {}) {
  BookTensor book;
  book.depth = 1;
  std::int64_t row = 0;
  for (std::size_t s = 0; s < session_rows.size(); ++s) {
    book.session_begin.push_back(row);
    book.session_names.push_back(names.empty() ? "day" + std::to_string(s + 1) : names[s]);
    for (std::int64_t k = 0; k < session_rows[s]; ++k, ++row) {
      book.time_ns.push_back((kDays2020_01_02 + static_cast<std::int64_t>(s)) * kDay + k0930 + k * kSecond);
      book.bid_price.push_back(100);
      book.ask_price.push_back(101);
      book.bid_size.push_back(1);
      book.ask_size.push_back(1);
      book.source_line.push_back(k + 1);
    }
  }
  book.session_begin.push_back(row);
  return book;
}

using Ranges = std::vector<std::pair<std::int64_t, std::int64_t>>;

Ranges ranges_of(const Split& split) {
  Ranges out;
  for (const RowRange& r : split.ranges) out.emplace_back(r.begin, r.end);
  return out;
}

/// Ranges never cross a session, warm-up rows belong to no split, no row is in two splits.
void expect_well_formed(const BookTensor& book, const Splits& splits, std::int64_t warmup) {
  const Split* all[3] = {&splits.train, &splits.validation, &splits.test};
  for (const Split* split : all) {
    for (const RowRange& r : split->ranges) {
      ASSERT_LT(r.begin, r.end);
      EXPECT_EQ(book.session_of(r.begin), book.session_of(r.end - 1)) << "[" << r.begin << ", " << r.end << ")";
    }
  }
  for (std::int64_t row = 0; row < book.rows(); ++row) {
    const std::int64_t start = book.session_begin[book.session_of(row)];
    int count = 0;
    for (const Split* split : all) count += split->contains(row) ? 1 : 0;
    if (row - start < warmup) {
      EXPECT_EQ(count, 0) << "warm-up row " << row << " is in a split";
    } else {
      EXPECT_LE(count, 1) << "row " << row << " is in more than one split";
    }
  }
}

template <class F>
ConfigError expect_config_error(F&& action, const std::string& key) {
  try {
    action();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(std::string(e.what()).find("'" + key + "'"), std::string::npos) << e.what();
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError for " << key;
  return ConfigError(key, "");
}

TEST(FractionSplit, TwoSessionsWithWarmup) {
  // Sessions of 8 and 12 rows, warm-up 3: eligible [3,8) (5 rows) and [11,20) (9 rows), 14 in all.
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.train_fraction = 0.5;
  config.validation_fraction = 0.25;
  config.test_fraction = 0.25;
  const Splits splits = make_splits(book, 3, config);
  // Cuts in the 14 eligible rows: floor(0.5 * 14) = 7, floor(0.75 * 14) = 10, 14.
  // Train = eligible rows 0..6 = [3,8) + [11,13); validation 7..9 = [13,16); test 10..13 = [16,20).
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{3, 8}, {11, 13}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{13, 16}}));
  EXPECT_EQ(ranges_of(splits.test), (Ranges{{16, 20}}));
  EXPECT_EQ(splits.train.rows(), 7);
  EXPECT_EQ(splits.validation.rows(), 3);
  EXPECT_EQ(splits.test.rows(), 4);
  EXPECT_EQ(splits.train.longest_range(), 5);
  EXPECT_EQ(splits.warmup_rows_per_session, 3);
  expect_well_formed(book, splits, 3);
  EXPECT_TRUE(splits.train.contains(3));
  EXPECT_TRUE(splits.train.contains(12));
  EXPECT_FALSE(splits.train.contains(13));
  EXPECT_FALSE(splits.train.contains(8));
}

TEST(FractionSplit, WarmupAndEndRowsOfTheConfigStayOutOfEverySplit) {
  // Sessions of 8 and 12 rows, features' warm-up 3, split.warmup_rows 4 and
  // end_rows 1: eligible [4,7) (3 rows) and [12,19) (7 rows), 10 in all.
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.train_fraction = 0.5;
  config.validation_fraction = 0.25;
  config.test_fraction = 0.25;
  config.warmup_rows = 4;
  config.end_rows = 1;
  const Splits splits = make_splits(book, 3, config);
  // Cuts: floor(5) = 5, floor(7.5) = 7, 10: train [4,7) + [12,14), validation [14,16), test [16,19).
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{4, 7}, {12, 14}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{14, 16}}));
  EXPECT_EQ(ranges_of(splits.test), (Ranges{{16, 19}}));
  EXPECT_EQ(splits.warmup_rows_per_session, 4);
  expect_well_formed(book, splits, 4);
  EXPECT_FALSE(splits.test.contains(7));
  EXPECT_FALSE(splits.test.contains(19));
}

TEST(FractionSplit, WarmupRowsBelowTheFeaturesWarmupNameTheKey) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.warmup_rows = 2;
  const ConfigError e = expect_config_error([&] { make_splits(book, 3, config); }, "split.warmup_rows");
  EXPECT_NE(std::string(e.what()).find("3 rows"), std::string::npos) << e.what();
}

TEST(FractionSplit, DefaultFractions) {
  const BookTensor book = make_book({8, 12});
  const Splits splits = make_splits(book, 3, SplitConfig{});
  // 0.7 * 14 = 9.8 -> 9; 0.85 * 14 = 11.9 -> 11; the last fraction takes the rest (14).
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{3, 8}, {11, 15}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{15, 17}}));
  EXPECT_EQ(ranges_of(splits.test), (Ranges{{17, 20}}));
  expect_well_formed(book, splits, 3);
}

TEST(FractionSplit, FractionsBelowOneLeaveTheTailOut) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.train_fraction = 0.5;
  config.validation_fraction = 0.2;
  config.test_fraction = 0.1;
  const Splits splits = make_splits(book, 3, config);
  // Cuts: floor(7) = 7, floor(9.8) = 9, floor(11.2) = 11: eligible rows 11..13 ([17,20)) are unused.
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{3, 8}, {11, 13}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{13, 15}}));
  EXPECT_EQ(ranges_of(splits.test), (Ranges{{15, 17}}));
  expect_well_formed(book, splits, 3);
  for (std::int64_t row = 17; row < 20; ++row) {
    EXPECT_FALSE(splits.train.contains(row) || splits.validation.contains(row) || splits.test.contains(row));
  }
}

TEST(FractionSplit, BoundaryAtASessionEdgeStartsANewRange) {
  // Sessions of 5 and 5 rows, warm-up 1: eligible [1,5) and [6,10), 8 rows; train 0.5 = 4 rows = all of session 1.
  const BookTensor book = make_book({5, 5});
  SplitConfig config;
  config.train_fraction = 0.5;
  config.validation_fraction = 0.5;
  config.test_fraction = 0;
  const Splits splits = make_splits(book, 1, config);
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{1, 5}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{6, 10}}));
  EXPECT_TRUE(splits.test.ranges.empty());
  expect_well_formed(book, splits, 1);
}

TEST(FractionSplit, FractionsAddingUpToMoreThanOne) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.train_fraction = 0.6;
  config.validation_fraction = 0.3;
  config.test_fraction = 0.2;
  const ConfigError e = expect_config_error([&] { make_splits(book, 3, config); }, "split");
  EXPECT_NE(std::string(e.what()).find("> 1"), std::string::npos) << e.what();
}

TEST(FractionSplit, FractionOutsideZeroToOne) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.train_fraction = -0.1;
  expect_config_error([&] { make_splits(book, 3, config); }, "split.train");
  config = SplitConfig{};
  config.validation_fraction = 1.5;
  expect_config_error([&] { make_splits(book, 3, config); }, "split.validation");
}

TEST(FractionSplit, EmptyTrainingSplitIsAnError) {
  const BookTensor book = make_book({3, 3});
  // Warm-up 3 leaves no eligible row.
  expect_config_error([&] { make_splits(book, 3, SplitConfig{}); }, "split");
}

TEST(TimeSplit, CutsAtTheGivenTimes) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.by = SplitBy::time;
  config.validation_start = "2020-01-03 09:30:05";
  config.test_start = "2020-01-03 09:30:08.5";
  const Splits splits = make_splits(book, 3, config);
  // Day 1 (rows 0..7) is before both: train [3,8). Day 2 row 8 + k is at 09:30:0k:
  // rows 11..12 (k = 3, 4) < 09:30:05 -> train; rows 13..16 (k = 5..8) < 09:30:08.5 -> validation;
  // rows 17..19 (k = 9..11) -> test.
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{3, 8}, {11, 13}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{13, 17}}));
  EXPECT_EQ(ranges_of(splits.test), (Ranges{{17, 20}}));
  expect_well_formed(book, splits, 3);
}

TEST(TimeSplit, ValidationStartsInsideTheFirstSession) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.by = SplitBy::time;
  config.validation_start = "2020-01-02T09:30:06";
  config.test_start = "2020-01-03 00:00:00";
  const Splits splits = make_splits(book, 3, config);
  // Day 1: rows 3..5 (09:30:03..05) train, rows 6..7 validation; all of day 2's eligible rows are test.
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{3, 6}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{6, 8}}));
  EXPECT_EQ(ranges_of(splits.test), (Ranges{{11, 20}}));
  expect_well_formed(book, splits, 3);
}

TEST(TimeSplit, BadTimestampsAreConfigErrors) {
  const BookTensor book = make_book({8, 12});
  SplitConfig config;
  config.by = SplitBy::time;
  config.validation_start = "tomorrow";
  config.test_start = "2020-01-03 09:30:08";
  const ConfigError e = expect_config_error([&] { make_splits(book, 3, config); }, "split.validation_start");
  EXPECT_NE(std::string(e.what()).find("'tomorrow'"), std::string::npos) << e.what();
  config.validation_start = "2020-01-03 09:30:05";
  config.test_start = "";
  expect_config_error([&] { make_splits(book, 3, config); }, "split.test_start");
  config.test_start = "2020-01-03 09:30:01";  // before validation_start
  expect_config_error([&] { make_splits(book, 3, config); }, "split.test_start");
}

TEST(SessionSplit, WholeSessionsByName) {
  // Sessions of 4, 5, 6 rows: [0,4), [4,9), [9,15); warm-up 2.
  const BookTensor book = make_book({4, 5, 6}, {"mon", "tue", "wed"});
  SplitConfig config;
  config.by = SplitBy::session;
  config.train_sessions = {"mon", "wed"};
  config.validation_sessions = {"tue"};
  const Splits splits = make_splits(book, 2, config);
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{2, 4}, {11, 15}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{6, 9}}));
  EXPECT_TRUE(splits.test.ranges.empty());
  EXPECT_EQ(splits.train.rows(), 6);
  expect_well_formed(book, splits, 2);
}

TEST(SessionSplit, EndRowsLeaveEachSessionsLastRowsOut) {
  const BookTensor book = make_book({4, 5, 6}, {"mon", "tue", "wed"});
  SplitConfig config;
  config.by = SplitBy::session;
  config.train_sessions = {"mon", "wed"};
  config.validation_sessions = {"tue"};
  config.end_rows = 2;
  const Splits splits = make_splits(book, 2, config);
  // mon [2,4) minus 2 end rows is empty; tue [6,7); wed [11,13).
  EXPECT_EQ(ranges_of(splits.train), (Ranges{{11, 13}}));
  EXPECT_EQ(ranges_of(splits.validation), (Ranges{{6, 7}}));
}

TEST(SessionSplit, UnknownSessionNameNamesTheKey) {
  const BookTensor book = make_book({4, 5, 6}, {"mon", "tue", "wed"});
  SplitConfig config;
  config.by = SplitBy::session;
  config.train_sessions = {"mon"};
  config.test_sessions = {"thu"};
  const ConfigError e = expect_config_error([&] { make_splits(book, 2, config); }, "split.test_sessions");
  const std::string what = e.what();
  EXPECT_NE(what.find("'thu'"), std::string::npos) << what;
  EXPECT_NE(what.find("mon, tue, wed"), std::string::npos) << what;
}

TEST(SessionSplit, SessionInTwoSplits) {
  const BookTensor book = make_book({4, 5, 6}, {"mon", "tue", "wed"});
  SplitConfig config;
  config.by = SplitBy::session;
  config.train_sessions = {"mon", "tue"};
  config.validation_sessions = {"tue"};
  expect_config_error([&] { make_splits(book, 2, config); }, "split.validation_sessions");
}

TEST(SessionSplit, NoTrainingSessionIsAnError) {
  const BookTensor book = make_book({4, 5, 6}, {"mon", "tue", "wed"});
  SplitConfig config;
  config.by = SplitBy::session;
  config.validation_sessions = {"tue"};
  expect_config_error([&] { make_splits(book, 2, config); }, "split");
}

TEST(ParseTimestamp, AcceptedForms) {
  Nanos t = -1;
  // 2020-01-02 = day 18263; 09:30:00 = 34200 s.
  const Nanos base = kDays2020_01_02 * kDay + 34200 * kSecond;
  ASSERT_TRUE(parse_timestamp("2020-01-02 09:30:00", &t));
  EXPECT_EQ(t, base);
  EXPECT_EQ(t, 1577957400LL * kSecond);
  ASSERT_TRUE(parse_timestamp("2020-01-02 09:30:00.5", &t));
  EXPECT_EQ(t, base + 500000000);
  ASSERT_TRUE(parse_timestamp("2020-01-02T09:30:00.123456789", &t));
  EXPECT_EQ(t, base + 123456789);
  ASSERT_TRUE(parse_timestamp("2020-01-02T09:30:00Z", &t));
  EXPECT_EQ(t, base);
  ASSERT_TRUE(parse_timestamp("2020-01-02 09:30:00.000001Z", &t));
  EXPECT_EQ(t, base + 1000);
  ASSERT_TRUE(parse_timestamp("1970-01-01 00:00:00", &t));
  EXPECT_EQ(t, 0);
  // 2000-02-29: 2000-01-01 is 30 * 365 + 7 leap days = 10957; + 31 + 28 = 11016.
  ASSERT_TRUE(parse_timestamp("2000-02-29 23:59:59.000000001", &t));
  EXPECT_EQ(t, 11016 * kDay + 86399 * kSecond + 1);
}

TEST(ParseTimestamp, RejectedForms) {
  for (const char* text : {"",
                           "abc",
                           "2020-01-02",
                           "2020-01-02 09:30",
                           "2020/01/02 09:30:00",
                           "2020-01-02X09:30:00",
                           "2020-13-02 09:30:00",
                           "2020-00-02 09:30:00",
                           "2020-01-32 09:30:00",
                           "2020-01-00 09:30:00",
                           "2020-01-02 24:00:00",
                           "2020-01-02 09:60:00",
                           "2020-01-02 09:30:61",
                           "2020-01-02 09:30:00.",
                           "2020-01-02 09:30:00.1234567891",
                           "2020-01-02 09:30:00,5",
                           "2020-01-02 09:30:0x",
                           "2020-01-02 09:30:00.5Q",
                           "2020-01-02 09:30:00.-5",
                           " 2020-01-02 09:30:00",
                           "2020-01-02 09:30:00 ",
                           "+020-01-02 09:30:00"}) {
    Nanos t = 0;
    EXPECT_FALSE(parse_timestamp(text, &t)) << "'" << text << "'";
  }
}

TEST(ParseTimestamp, RejectsDaysPastTheEndOfTheMonth) {
  for (const char* text : {"2020-02-30 00:00:00", "2021-02-29 00:00:00", "2020-04-31 00:00:00"}) {
    Nanos t = 0;
    EXPECT_FALSE(parse_timestamp(text, &t)) << "'" << text << "' is not a date";
  }
}

}  // namespace
}  // namespace mmsim
