// Loaders: LOBSTER pairs, snapshot and L1 CSVs, zstd input, multi-file
// datasets, and every validation rule with the file, line and column it names.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/load.hpp"
#include "test_util.hpp"

namespace mmsim {
namespace {

using test::TempDir;
using test::test_data;

constexpr std::int64_t kSecond = 1000000000LL;
constexpr std::int64_t kDay = 86400LL * kSecond;
// Days from 1970-01-01: 2012-01-01 is 42 * 365 + 10 leap days (1972..2008) = 15340;
// 2012-06-21 adds 31 + 29 + 31 + 30 + 31 (Jan..May) + 20 = 172 -> 15512.
constexpr std::int64_t kDays2012_06_21 = 15512;
// 2020-01-01 is 50 * 365 + 12 leap days (1972..2016) = 18262, so 2020-01-02 is 18263.
constexpr std::int64_t kDays2020_01_02 = 18263;

const std::filesystem::path kAaplBook = test_data("AAPL_2012-06-21_34200000_57600000_orderbook_10.csv");
const std::filesystem::path kAaplMessages = test_data("AAPL_2012-06-21_34200000_57600000_message_10.csv");

std::string join_lines(const std::vector<std::string>& lines, bool final_newline = true) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += lines[i];
    if (i + 1 < lines.size() || final_newline) text += '\n';
  }
  return text;
}

/// Writes a LOBSTER pair `<stem>_orderbook_<levels>.csv` / `<stem>_message_<levels>.csv`; returns the orderbook path.
std::filesystem::path write_lobster(const TempDir& dir, const std::vector<std::string>& book,
                                    const std::vector<std::string>& messages,
                                    const std::string& stem = "TEST_2020-01-02_34200000_57600000", int levels = 2,
                                    bool final_newline = true) {
  dir.write(stem + "_message_" + std::to_string(levels) + ".csv", join_lines(messages, final_newline));
  return dir.write(stem + "_orderbook_" + std::to_string(levels) + ".csv", join_lines(book, final_newline));
}

/// `count` valid submit messages one second apart, from 34201.5 s.
std::vector<std::string> plain_messages(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    lines.push_back(std::to_string(34201 + i) + ".5,1," + std::to_string(100 + i) + ",10,1000000,1");
  }
  return lines;
}

// Depth 2, tick 0.01 = 100 price units. Columns: AskPrice1,AskSize1,BidPrice1,BidSize1,AskPrice2,...
// ask1 10003 ticks x 10, bid1 10000 x 10, ask2 10004 x 5, bid2 9999 x 5.
const std::string kRow = "1000300,10,1000000,10,1000400,5,999900,5";

LoadOptions lobster_options(const std::filesystem::path& book, StepOn rule = StepOn::every_event) {
  LoadOptions options;
  options.format = DataFormat::lobster;
  options.files = {book};
  options.instrument = {0.01, 1.0};
  options.step_on = rule;
  return options;
}

struct ExpectedError {
  std::filesystem::path file;
  std::int64_t line = 0;
  std::int64_t column = 0;
  std::string column_name;
  std::string reason;
};

void expect_input_error(const std::function<void()>& action, const ExpectedError& expected) {
  try {
    action();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, expected.file.string());
    EXPECT_EQ(e.where().line, expected.line);
    EXPECT_EQ(e.where().column, expected.column);
    EXPECT_EQ(e.where().column_name, expected.column_name);
    const std::string what = e.what();
    std::string location = expected.file.string();
    if (expected.line > 0) location += ":" + std::to_string(expected.line);
    if (expected.column > 0) location += ":" + std::to_string(expected.column);
    EXPECT_NE(what.find(location), std::string::npos) << what;
    if (!expected.column_name.empty()) {
      EXPECT_NE(what.find("'" + expected.column_name + "'"), std::string::npos) << what;
    }
    EXPECT_NE(what.find(expected.reason), std::string::npos) << "reason '" << expected.reason << "' not in: " << what;
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return;
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
}

void expect_load_error(const LoadOptions& options, const ExpectedError& expected) {
  expect_input_error([&] { load_book_uncached(options); }, expected);
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::int64_t> split_ints(const std::string& line) {
  std::vector<std::int64_t> values;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) values.push_back(std::stoll(field));
  return values;
}

bool zstd_tool_available() { return std::system("zstd --version > /dev/null 2>&1") == 0; }

bool zstd_compress(const std::filesystem::path& in, const std::filesystem::path& out) {
  const std::string command = "zstd -q -f '" + in.string() + "' -o '" + out.string() + "'";
  return std::system(command.c_str()) == 0;
}

// ---------------------------------------------------------------- LOBSTER excerpt (real data)

TEST(LobsterExcerpt, LoadsEveryRowWithTheFirstRowInTicksAndLots) {
  const LoadedBook loaded = load_book_uncached(lobster_options(kAaplBook, StepOn::every_event));
  const BookTensor& book = loaded.book;
  EXPECT_EQ(book.rows(), 999);
  EXPECT_EQ(book.depth, 10);
  EXPECT_EQ(loaded.stats.file_depth, 10);
  EXPECT_EQ(loaded.stats.source_rows, 999);
  EXPECT_EQ(loaded.stats.dropped_rows, 0);
  EXPECT_EQ(loaded.stats.kept_rows, 999);
  EXPECT_EQ(loaded.stats.rows_per_rule[static_cast<int>(StepOn::every_event)], 999);
  // First line: 5859400,200,5853300,18,5859800,200,5853000,150,...  (tick = 100 units)
  EXPECT_EQ(book.ask_price[0], 58594);
  EXPECT_EQ(book.ask_size[0], 200);
  EXPECT_EQ(book.bid_price[0], 58533);
  EXPECT_EQ(book.bid_size[0], 18);
  EXPECT_EQ(book.ask_price[1], 58598);
  EXPECT_EQ(book.ask_size[1], 200);
  EXPECT_EQ(book.bid_price[1], 58530);
  EXPECT_EQ(book.bid_size[1], 150);
  // Last level of the first line: ...,5879000,500,5842700,300
  EXPECT_EQ(book.ask_price[9], 58790);
  EXPECT_EQ(book.ask_size[9], 500);
  EXPECT_EQ(book.bid_price[9], 58427);
  EXPECT_EQ(book.bid_size[9], 300);
  EXPECT_EQ(book.source_line.front(), 1);
  EXPECT_EQ(book.source_line.back(), 999);
  ASSERT_EQ(book.sessions(), 1);
  EXPECT_EQ(book.session_names[0], "AAPL_2012-06-21_34200000_57600000");
  EXPECT_EQ((std::vector<std::int64_t>{0, 999}), book.session_begin);
}

TEST(LobsterExcerpt, TimeIsTheFileDatePlusTheMessageSecondsExactly) {
  const BookTensor book = load_book_uncached(lobster_options(kAaplBook, StepOn::every_event)).book;
  // 15512 days * 86400 s + 34200.004241176 s, in ns.
  const std::int64_t expected = kDays2012_06_21 * kDay + 34200 * kSecond + 4241176;
  EXPECT_EQ(expected, 1340271000004241176LL);
  EXPECT_EQ(book.time_ns[0], expected);
  // Last message of the excerpt: 34249.086375027.
  EXPECT_EQ(book.time_ns.back(), kDays2012_06_21 * kDay + 34249 * kSecond + 86375027);
  for (std::int64_t t = 1; t < book.rows(); ++t) ASSERT_LE(book.time_ns[t - 1], book.time_ns[t]) << "row " << t;
}

TEST(LobsterExcerpt, FirstMessageIsDecoded) {
  const BookTensor book = load_book_uncached(lobster_options(kAaplBook, StepOn::every_event)).book;
  ASSERT_EQ(book.messages.size_rows(), 999);
  // 34200.004241176,1,16113575,18,5853300,1
  EXPECT_EQ(book.messages.time_ns[0], kDays2012_06_21 * kDay + 34200 * kSecond + 4241176);
  EXPECT_EQ(book.messages.type[0], 1);
  EXPECT_EQ(book.messages.order_id[0], 16113575);
  EXPECT_EQ(book.messages.size[0], 18);
  EXPECT_EQ(book.messages.price_half_ticks[0], 2 * 58533);
  EXPECT_EQ(book.messages.direction[0], 1);
  // Fourth message: 34200.025551909,1,16120456,18,5859100,-1
  EXPECT_EQ(book.messages.price_half_ticks[3], 2 * 58591);
  EXPECT_EQ(book.messages.direction[3], -1);
}

void expect_message_partition(const BookTensor& book) {
  ASSERT_TRUE(book.has_messages());
  ASSERT_EQ(static_cast<std::int64_t>(book.message_begin.size()), book.rows());
  ASSERT_EQ(static_cast<std::int64_t>(book.message_end.size()), book.rows());
  EXPECT_EQ(book.message_begin.front(), 0);
  EXPECT_LE(book.message_end.back(), book.messages.size_rows());
  for (std::int64_t t = 0; t < book.rows(); ++t) {
    ASSERT_LE(book.message_begin[t], book.message_end[t]) << "row " << t;
    // Contiguous within a session.
    if (t + 1 < book.rows() && book.session_of(t + 1) == book.session_of(t)) {
      ASSERT_EQ(book.message_end[t], book.message_begin[t + 1]) << "row " << t;
    }
  }
}

TEST(LobsterExcerpt, MessageRangesPartitionTheMessages) {
  for (StepOn rule : {StepOn::every_event, StepOn::any_change, StepOn::best_price_change}) {
    SCOPED_TRACE(to_string(rule));
    const BookTensor book = load_book_uncached(lobster_options(kAaplBook, rule)).book;
    EXPECT_EQ(book.messages.size_rows(), 999);
    expect_message_partition(book);
    // Row t was produced by message source_line[t] - 1 (one message per line), so
    // its range ends right after it, and the next range starts there.
    for (std::int64_t t = 0; t < book.rows(); ++t) {
      ASSERT_EQ(book.message_end[t], book.source_line[t]) << "row " << t;
    }
  }
  const BookTensor every = load_book_uncached(lobster_options(kAaplBook, StepOn::every_event)).book;
  for (std::int64_t t = 0; t < every.rows(); ++t) ASSERT_EQ(every.message_begin[t], t);
}

TEST(LobsterExcerpt, BestPriceChangeKeepsRowsWhereTheBestQuoteMoved) {
  const LoadedBook loaded = load_book_uncached(lobster_options(kAaplBook, StepOn::best_price_change));
  const BookTensor& book = loaded.book;
  const int L = book.depth;

  // Independent count from the raw file: rows whose (AskPrice1, BidPrice1) differ from the previous row.
  const std::vector<std::string> lines = read_lines(kAaplBook);
  ASSERT_EQ(lines.size(), 999u);
  std::vector<std::int64_t> expected_lines;
  std::int64_t previous_ask = -1, previous_bid = -1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::int64_t> v = split_ints(lines[i]);
    if (i == 0 || v[0] != previous_ask || v[2] != previous_bid)
      expected_lines.push_back(static_cast<std::int64_t>(i) + 1);
    previous_ask = v[0];
    previous_bid = v[2];
  }
  EXPECT_LT(book.rows(), 999);
  EXPECT_EQ(book.source_line, expected_lines);
  EXPECT_EQ(loaded.stats.kept_rows, book.rows());
  EXPECT_EQ(loaded.stats.rows_per_rule[static_cast<int>(StepOn::best_price_change)], book.rows());

  for (std::int64_t t = 1; t < book.rows(); ++t) {
    const bool changed =
        book.bid_price[t * L] != book.bid_price[(t - 1) * L] || book.ask_price[t * L] != book.ask_price[(t - 1) * L];
    ASSERT_TRUE(changed) << "kept row " << t << " has the same best bid and ask as the previous kept row";
  }
}

TEST(LobsterExcerpt, RowsPerRuleAgreeWithWhatEachRuleKeeps) {
  std::array<std::int64_t, kStepOnRules> first{};
  for (StepOn rule : {StepOn::best_price_change, StepOn::any_change, StepOn::every_event}) {
    SCOPED_TRACE(to_string(rule));
    const LoadedBook loaded = load_book_uncached(lobster_options(kAaplBook, rule));
    EXPECT_EQ(loaded.book.rows(), loaded.stats.rows_per_rule[static_cast<int>(rule)]);
    if (rule == StepOn::best_price_change) first = loaded.stats.rows_per_rule;
    EXPECT_EQ(loaded.stats.rows_per_rule, first) << "the counts of every rule do not depend on the chosen rule";
  }
  EXPECT_LE(first[static_cast<int>(StepOn::best_price_change)], first[static_cast<int>(StepOn::any_change)]);
  EXPECT_LE(first[static_cast<int>(StepOn::any_change)], first[static_cast<int>(StepOn::every_event)]);
}

TEST(LobsterExcerpt, DepthOptionKeepsTheBestLevels) {
  LoadOptions options = lobster_options(kAaplBook, StepOn::every_event);
  options.depth = 3;
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.book.depth, 3);
  EXPECT_EQ(loaded.stats.file_depth, 10);
  ASSERT_EQ(loaded.book.bid_price.size(), 999u * 3);
  // First line, level 3: 5861000,200,5851000,5
  EXPECT_EQ(loaded.book.ask_price[2], 58610);
  EXPECT_EQ(loaded.book.ask_size[2], 200);
  EXPECT_EQ(loaded.book.bid_price[2], 58510);
  EXPECT_EQ(loaded.book.bid_size[2], 5);
  // Second row starts at index 3: second line is 5859400,200,5853300,18,...
  EXPECT_EQ(loaded.book.ask_price[3], 58594);
  EXPECT_EQ(loaded.book.bid_price[3], 58533);
}

TEST(LobsterExcerpt, ExcerptHasNoFinalNewline) {
  std::ifstream in(kAaplBook, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.back(), '\n');  // the load tests above therefore cover a missing final newline
}

// ---------------------------------------------------------------- hand-made LOBSTER pairs

TEST(LobsterHandMade, StepOnRulesKeepTheRowsTheyDescribe) {
  TempDir dir;
  const auto book = write_lobster(dir,
                                  {
                                      kRow,                                        // 1: first row
                                      "1000300,20,1000000,10,1000400,5,999900,5",  // 2: ask size 1 changed
                                      "1000300,20,1000100,10,1000400,5,999900,5",  // 3: best bid 10000 -> 10001
                                      "1000300,20,1000100,10,1000400,5,999900,5",  // 4: identical
                                      "1000300,20,1000100,10,1000400,5,999900,7",  // 5: bid size 2 changed
                                  },
                                  plain_messages(5));
  const struct {
    StepOn rule;
    std::vector<std::int64_t> lines;
  } cases[] = {
      {StepOn::every_event, {1, 2, 3, 4, 5}},
      {StepOn::any_change, {1, 2, 3, 5}},
      {StepOn::best_price_change, {1, 3}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(to_string(c.rule));
    const LoadedBook loaded = load_book_uncached(lobster_options(book, c.rule));
    EXPECT_EQ(loaded.book.source_line, c.lines);
    EXPECT_EQ(loaded.stats.kept_rows, static_cast<std::int64_t>(c.lines.size()));
    EXPECT_EQ(loaded.stats.source_rows, 5);
    EXPECT_EQ(loaded.stats.rows_per_rule[static_cast<int>(StepOn::every_event)], 5);
    EXPECT_EQ(loaded.stats.rows_per_rule[static_cast<int>(StepOn::any_change)], 4);
    EXPECT_EQ(loaded.stats.rows_per_rule[static_cast<int>(StepOn::best_price_change)], 2);
  }
  // Values of the kept rows under best_price_change: lines 1 and 3.
  const BookTensor b = load_book_uncached(lobster_options(book, StepOn::best_price_change)).book;
  EXPECT_EQ(b.bid_price, (std::vector<Ticks>{10000, 9999, 10001, 9999}));
  EXPECT_EQ(b.ask_price, (std::vector<Ticks>{10003, 10004, 10003, 10004}));
  EXPECT_EQ(b.ask_size, (std::vector<Lots>{10, 5, 20, 5}));
  EXPECT_EQ(b.bid_size, (std::vector<Lots>{10, 5, 10, 5}));
  // Times: line 1 -> 34201.5 s, line 3 -> 34203.5 s on 2020-01-02.
  EXPECT_EQ(b.time_ns, (std::vector<Nanos>{kDays2020_01_02 * kDay + 34201 * kSecond + kSecond / 2,
                                           kDays2020_01_02 * kDay + 34203 * kSecond + kSecond / 2}));
}

TEST(LobsterHandMade, AnyChangeOnlyComparesTheKeptDepth) {
  TempDir dir;
  const auto book = write_lobster(dir,
                                  {
                                      kRow,
                                      "1000300,10,1000000,10,1000400,9,999900,5",  // level 2 only
                                      "1000300,10,1000000,11,1000400,9,999900,5",  // bid size 1
                                  },
                                  plain_messages(3));
  LoadOptions options = lobster_options(book, StepOn::any_change);
  options.depth = 1;
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.book.source_line, (std::vector<std::int64_t>{1, 3}));
  options.depth = 2;
  EXPECT_EQ(load_book_uncached(options).book.source_line, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(LobsterHandMade, MessageRangesOfKeptRows) {
  TempDir dir;
  const auto book = write_lobster(dir,
                                  {
                                      kRow,                                        // 1: kept
                                      "1000300,20,1000000,10,1000400,5,999900,5",  // 2: size only
                                      "1000300,20,1000100,10,1000400,5,999900,5",  // 3: best bid moves: kept
                                      "1000300,20,1000100,30,1000400,5,999900,5",  // 4: size only
                                      "1000200,20,1000100,30,1000400,5,999900,5",  // 5: best ask moves: kept
                                  },
                                  plain_messages(5));
  const BookTensor b = load_book_uncached(lobster_options(book, StepOn::best_price_change)).book;
  EXPECT_EQ(b.source_line, (std::vector<std::int64_t>{1, 3, 5}));
  // Rows 0, 2, 4 of the file kept -> messages [0,1), [1,3), [3,5).
  EXPECT_EQ(b.message_begin, (std::vector<std::int64_t>{0, 1, 3}));
  EXPECT_EQ(b.message_end, (std::vector<std::int64_t>{1, 3, 5}));
  EXPECT_EQ(b.messages.order_id, (std::vector<std::int64_t>{100, 101, 102, 103, 104}));
}

TEST(LobsterHandMade, LastRowOfATimestampSeesTheBookAfterTheWholeBurst) {
  TempDir dir;
  // Lines 2-4 share one timestamp: the best bid moves up and back within the
  // burst, and line 4 then moves the best ask. Line 5 comes a second later.
  const auto book = write_lobster(dir,
                                  {
                                      kRow,                                        // 1: 34201.5 s
                                      "1000300,10,1000100,10,1000400,5,999900,5",  // 2: 34202.5 s, bid 10001
                                      "1000300,10,1000000,10,1000400,5,999900,5",  // 3: 34202.5 s, bid 10000 again
                                      "1000200,10,1000000,10,1000400,5,999900,5",  // 4: 34202.5 s, ask 10002
                                      "1000200,10,1000100,10,1000400,5,999900,5",  // 5: 34203.5 s, bid 10001
                                  },
                                  {"34201.5,1,100,10,1000000,1", "34202.5,1,101,10,1000100,1",
                                   "34202.5,3,101,10,1000100,1", "34202.5,1,102,10,1000200,-1",
                                   "34203.5,1,103,10,1000100,1"});
  LoadOptions options = lobster_options(book, StepOn::best_price_change);
  const LoadedBook each = load_book_uncached(options);
  EXPECT_EQ(each.book.source_line, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  options.same_timestamp = SameTimestamp::last_row;
  const LoadedBook last = load_book_uncached(options);
  // Line 4 ends the burst; against line 1 its best ask moved: kept, with the
  // burst's three messages. Line 5 moves the best bid: kept.
  EXPECT_EQ(last.book.source_line, (std::vector<std::int64_t>{1, 4, 5}));
  EXPECT_EQ(last.book.message_begin, (std::vector<std::int64_t>{0, 1, 4}));
  EXPECT_EQ(last.book.message_end, (std::vector<std::int64_t>{1, 4, 5}));
  EXPECT_EQ(last.stats.kept_rows, 3);
  EXPECT_EQ(last.stats.source_rows, 5);
  EXPECT_EQ(last.stats.rows_per_rule[static_cast<int>(StepOn::every_event)], 3);  // the rows considered
  // every_event keeps the last row of each timestamp.
  options.step_on = StepOn::every_event;
  EXPECT_EQ(load_book_uncached(options).book.source_line, (std::vector<std::int64_t>{1, 4, 5}));
}

TEST(LobsterHandMade, ABurstThatEndsWhereItBeganIsNoStep) {
  TempDir dir;
  const auto book = write_lobster(dir,
                                  {
                                      kRow,                                        // 1: 34201.5 s
                                      "1000300,10,1000100,10,1000400,5,999900,5",  // 2: 34202.5 s, bid 10001
                                      kRow,                                        // 3: 34202.5 s, back
                                  },
                                  {"34201.5,1,100,10,1000000,1", "34202.5,1,101,10,1000100,1",
                                   "34202.5,3,101,10,1000100,1"});
  LoadOptions options = lobster_options(book, StepOn::best_price_change);
  options.same_timestamp = SameTimestamp::last_row;
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.book.source_line, (std::vector<std::int64_t>{1}));
  // The burst's messages follow the session's last kept row: they belong to no row.
  EXPECT_EQ(loaded.book.message_end, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(loaded.book.messages.size_rows(), 3);
}

TEST(LobsterHandMade, EmptyLevelsLoadAsSentinelsWithSizeZero) {
  TempDir dir;
  const auto book = write_lobster(dir, {"1000300,10,1000000,10,9999999999,0,-9999999999,0", kRow}, plain_messages(2));
  const BookTensor b = load_book_uncached(lobster_options(book)).book;
  ASSERT_EQ(b.rows(), 2);
  EXPECT_EQ(b.ask_price[0], 10003);
  EXPECT_EQ(b.bid_price[0], 10000);
  EXPECT_EQ(b.ask_price[1], kEmptyAskTicks);
  EXPECT_EQ(b.bid_price[1], kEmptyBidTicks);
  EXPECT_EQ(b.ask_size[1], 0);
  EXPECT_EQ(b.bid_size[1], 0);
  EXPECT_EQ(b.ask_price[3], 10004);  // the second row has level 2 again
}

TEST(LobsterHandMade, HiddenExecutionAtAHalfCentKeepsTheHalfTick) {
  TempDir dir;
  const auto book = write_lobster(dir, {kRow, kRow, kRow},
                                  {
                                      "34201.5,1,7,10,1000300,-1",
                                      "34202.5,5,0,50,1000050,-1",  // hidden execution at 100.005 USD
                                      "34203.5,7,0,0,-1,-1",        // trading halt: code, not a price
                                  });
  const BookTensor b = load_book_uncached(lobster_options(book)).book;
  ASSERT_EQ(b.messages.size_rows(), 3);
  EXPECT_EQ(b.messages.price_half_ticks[0], 2 * 10003);
  // 1000050 units / 100 units per tick = 10000.5 ticks = 20001 half-ticks.
  EXPECT_EQ(b.messages.price_half_ticks[1], 2 * 10000 + 1);
  EXPECT_EQ(b.messages.type[1], static_cast<std::int8_t>(MessageType::hidden_execution));
  EXPECT_EQ(b.messages.size[1], 50);
  EXPECT_EQ(b.messages.direction[1], -1);
  EXPECT_EQ(b.messages.price_half_ticks[2], 0);
  EXPECT_EQ(b.messages.type[2], static_cast<std::int8_t>(MessageType::trading_halt));
}

TEST(LobsterHandMade, MissingFinalNewlineAndCrlfLoad) {
  TempDir dir;
  const std::vector<std::string> rows = {kRow, "1000300,10,1000100,10,1000400,5,999900,5"};
  const auto with_newline = write_lobster(dir, rows, plain_messages(2), "A_2020-01-02_34200000_57600000");
  const auto without = write_lobster(dir, rows, plain_messages(2), "B_2020-01-02_34200000_57600000", 2, false);
  const auto crlf =
      write_lobster(dir, {kRow + "\r", "1000300,10,1000100,10,1000400,5,999900,5\r"},
                    {plain_messages(2)[0] + "\r", plain_messages(2)[1] + "\r"}, "C_2020-01-02_34200000_57600000");
  const BookTensor a = load_book_uncached(lobster_options(with_newline)).book;
  ASSERT_EQ(a.rows(), 2);
  EXPECT_EQ(a.bid_price[2], 10001);
  for (const auto& other : {without, crlf}) {
    SCOPED_TRACE(other.filename().string());
    const BookTensor b = load_book_uncached(lobster_options(other)).book;
    EXPECT_EQ(b.rows(), 2);
    EXPECT_EQ(b.time_ns, a.time_ns);
    EXPECT_EQ(b.bid_price, a.bid_price);
    EXPECT_EQ(b.ask_size, a.ask_size);
    EXPECT_EQ(b.bid_size, a.bid_size);
    EXPECT_EQ(b.messages.direction, a.messages.direction);
  }
}

TEST(LobsterHandMade, DropPolicySkipsBadRowsAndCountsThem) {
  TempDir dir;
  const auto book = write_lobster(dir,
                                  {
                                      kRow,
                                      "1000300,10,1000400,10,1000400,5,999900,5",  // 2: crossed
                                      "1000300,10,1000100,10,1000400,5,999900,5",
                                      "1000300,abc,1000100,10,1000400,5,999900,5",  // 4: unparsable
                                      "1000300,10,1000000,10,1000400,5,999900,5",
                                  },
                                  plain_messages(5));
  LoadOptions options = lobster_options(book);
  EXPECT_THROW(load_book_uncached(options), InputError);
  options.bad_rows = BadRowPolicy::drop;
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.stats.source_rows, 5);
  EXPECT_EQ(loaded.stats.dropped_rows, 2);
  EXPECT_EQ(loaded.stats.kept_rows, 3);
  EXPECT_EQ(loaded.book.source_line, (std::vector<std::int64_t>{1, 3, 5}));
  EXPECT_EQ(loaded.book.bid_price, (std::vector<Ticks>{10000, 9999, 10001, 9999, 10000, 9999}));
  // The messages of dropped rows still happened: they belong to the next kept row.
  EXPECT_EQ(loaded.book.messages.size_rows(), 5);
  EXPECT_EQ(loaded.book.message_begin, (std::vector<std::int64_t>{0, 1, 3}));
  EXPECT_EQ(loaded.book.message_end, (std::vector<std::int64_t>{1, 3, 5}));
}

TEST(LobsterHandMade, DropPolicySkipsAMessageThatGoesBackInTime) {
  TempDir dir;
  const auto book = write_lobster(dir, {kRow, kRow, kRow, kRow},
                                  {"34201.5,1,1,10,1000000,1", "34202.5,1,2,10,1000000,1",
                                   "34200.5,1,3,10,1000000,1",  // 3: earlier than line 2
                                   "34203.5,1,4,10,1000000,1"});
  LoadOptions options = lobster_options(book);
  options.bad_rows = BadRowPolicy::drop;
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.stats.dropped_rows, 1);
  EXPECT_EQ(loaded.book.source_line, (std::vector<std::int64_t>{1, 2, 4}));
  EXPECT_EQ(loaded.book.messages.order_id, (std::vector<std::int64_t>{1, 2, 4}));
}

TEST(LobsterHandMade, DepthLargerThanTheFileIsAConfigError) {
  TempDir dir;
  const auto book = write_lobster(dir, {kRow}, plain_messages(1));
  LoadOptions options = lobster_options(book);
  options.depth = 3;
  try {
    load_book_uncached(options);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "data.depth");
  }
}

TEST(LobsterHandMade, TickSizeMustBeAMultipleOfThePriceUnit) {
  TempDir dir;
  const auto book = write_lobster(dir, {kRow}, plain_messages(1));
  LoadOptions options = lobster_options(book);
  options.instrument.tick_size = 0.00005;  // half of LOBSTER's 1/10000 unit
  try {
    load_book_uncached(options);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "data.tick_size");
  }
  options.instrument.tick_size = 0.01;
  options.instrument.lot_size = 1.5;  // LOBSTER sizes are whole shares
  try {
    load_book_uncached(options);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "data.lot_size");
  }
}

TEST(LobsterHandMade, CoarserTickAndLotDivideTheRawUnits) {
  TempDir dir;
  // tick 0.05 USD = 500 units; lot 5 shares.
  const auto book = write_lobster(dir, {"1001000,10,1000000,25,1001500,5,999500,5"}, {"34201.5,1,1,10,1000000,1"});
  LoadOptions options = lobster_options(book);
  options.instrument = {0.05, 5.0};
  const BookTensor b = load_book_uncached(options).book;
  EXPECT_EQ(b.ask_price, (std::vector<Ticks>{2002, 2003}));  // 1001000 / 500, 1001500 / 500
  EXPECT_EQ(b.bid_price, (std::vector<Ticks>{2000, 1999}));
  EXPECT_EQ(b.ask_size, (std::vector<Lots>{2, 1}));  // 10 / 5, 5 / 5
  EXPECT_EQ(b.bid_size, (std::vector<Lots>{5, 1}));  // 25 / 5
  EXPECT_EQ(b.messages.size[0], 2);
  EXPECT_EQ(b.messages.price_half_ticks[0], 2 * 2000);
}

// ---------------------------------------------------------------- LOBSTER validation, one rule each

class LobsterValidation : public ::testing::Test {
 protected:
  /// A 3-row pair whose line `line` of the orderbook file is replaced by `row`.
  std::filesystem::path with_book_row(int line, const std::string& row) {
    std::vector<std::string> rows = {kRow, kRow, kRow};
    rows[line - 1] = row;
    book_ = write_lobster(dir_, rows, plain_messages(3));
    return book_;
  }
  std::filesystem::path with_message_row(int line, const std::string& message) {
    std::vector<std::string> messages = plain_messages(3);
    messages[line - 1] = message;
    book_ = write_lobster(dir_, {kRow, kRow, kRow}, messages);
    return book_;
  }
  std::filesystem::path message_file() const { return dir_.path() / "TEST_2020-01-02_34200000_57600000_message_2.csv"; }
  void expect_book_error(int line, int column, const std::string& name, const std::string& reason) {
    expect_load_error(lobster_options(book_), {book_, line, column, name, reason});
  }

  TempDir dir_;
  std::filesystem::path book_;
};

TEST_F(LobsterValidation, TimeGoingBackwards) {
  with_message_row(3, "34201.0,1,102,10,1000000,1");  // line 2 is 34202.5
  expect_load_error(lobster_options(book_), {message_file(), 3, 1, "Time", "time goes backwards"});
}

TEST_F(LobsterValidation, UnparsableTime) {
  with_message_row(2, "34202.5x,1,101,10,1000000,1");
  expect_load_error(lobster_options(book_), {message_file(), 2, 1, "Time", "'34202.5x'"});
}

TEST_F(LobsterValidation, MessageTypeOutOfRange) {
  with_message_row(2, "34202.5,9,101,10,1000000,1");
  expect_load_error(lobster_options(book_), {message_file(), 2, 2, "Type", "message type 1..7, got '9'"});
}

TEST_F(LobsterValidation, DirectionZero) {
  with_message_row(3, "34203.5,1,102,10,1000000,0");
  expect_load_error(lobster_options(book_), {message_file(), 3, 6, "Direction", "direction 1 or -1, got '0'"});
}

TEST_F(LobsterValidation, NegativeMessageSize) {
  with_message_row(2, "34202.5,1,101,-10,1000000,1");
  expect_load_error(lobster_options(book_), {message_file(), 2, 4, "Size", "non-negative integer size"});
}

TEST_F(LobsterValidation, UnparsableMessagePrice) {
  with_message_row(2, "34202.5,1,101,10,10.5,1");
  expect_load_error(lobster_options(book_), {message_file(), 2, 5, "Price", "'10.5'"});
}

TEST_F(LobsterValidation, WrongNumberOfMessageFields) {
  with_message_row(2, "34202.5,1,101,10,1000000");
  expect_load_error(lobster_options(book_), {message_file(), 2, 0, "", "expected 6 fields"});
}

TEST_F(LobsterValidation, CrossedBook) {
  with_book_row(2, "1000300,10,1000400,10,1000400,5,999900,5");  // bid 10004 > ask 10003
  expect_book_error(2, 3, "BidPrice1", "crossed book");
}

TEST_F(LobsterValidation, LockedBook) {
  with_book_row(3, "1000300,10,1000300,10,1000400,5,999900,5");  // bid 10003 == ask 10003
  expect_book_error(3, 3, "BidPrice1", "locked book");
}

TEST_F(LobsterValidation, AsksNotAscending) {
  with_book_row(2, "1000300,10,1000000,10,1000200,5,999900,5");  // ask2 10002 < ask1 10003
  expect_book_error(2, 5, "AskPrice2", "ask levels out of order");
}

TEST_F(LobsterValidation, BidsNotDescending) {
  with_book_row(2, "1000300,10,1000000,10,1000400,5,1000000,5");  // bid2 == bid1
  expect_book_error(2, 7, "BidPrice2", "bid levels out of order");
}

TEST_F(LobsterValidation, SizeZeroOnAnOccupiedLevel) {
  with_book_row(2, "1000300,0,1000000,10,1000400,5,999900,5");
  expect_book_error(2, 2, "AskSize1", "size must be > 0 on an occupied level");
}

TEST_F(LobsterValidation, EmptyLevelWithASize) {
  with_book_row(2, "1000300,10,1000000,10,1000400,5,-9999999999,4");
  expect_book_error(2, 8, "BidSize2", "empty bid level must have size 0");
}

TEST_F(LobsterValidation, EmptyBestLevel) {
  with_book_row(2, "9999999999,0,1000000,10,9999999999,0,999900,5");
  expect_book_error(2, 1, "AskPrice1", "best ask level is empty");
}

TEST_F(LobsterValidation, OccupiedLevelAfterAnEmptyOne) {
  // Depth 3: bid level 2 is empty, bid level 3 is occupied.
  const std::string good = "1000300,10,1000000,10,1000400,5,999900,5,1000500,5,999800,5";
  const std::string bad = "1000300,10,1000000,10,1000400,5,-9999999999,0,1000500,5,999800,5";
  book_ = write_lobster(dir_, {good, bad}, plain_messages(2), "DEEP_2020-01-02_34200000_57600000", 3);
  expect_book_error(2, 11, "BidPrice3", "occupied bid level after an empty one");
}

TEST_F(LobsterValidation, WrongNumberOfFields) {
  with_book_row(2, "1000300,10,1000000,10,1000400,5,999900");
  expect_book_error(2, 0, "", "expected 8 fields");
}

TEST_F(LobsterValidation, UnparsableField) {
  with_book_row(2, "1000300,10,1000000,abc,1000400,5,999900,5");
  expect_book_error(2, 4, "BidSize1", "expected an integer, got 'abc'");
}

TEST_F(LobsterValidation, PriceNotAMultipleOfTheTick) {
  with_book_row(3, "1000350,10,1000000,10,1000400,5,999900,5");
  expect_book_error(3, 1, "AskPrice1", "not a multiple of the tick");
}

TEST_F(LobsterValidation, NonPositivePrice) {
  with_book_row(2, "1000300,10,1000000,10,1000400,5,-100,5");
  expect_book_error(2, 7, "BidPrice2", "price must be > 0");
}

TEST_F(LobsterValidation, NegativeSize) {
  with_book_row(2, "1000300,10,1000000,10,1000400,-5,999900,5");
  expect_book_error(2, 6, "AskSize2", "non-negative multiple of the lot");
}

TEST_F(LobsterValidation, MessageFileEndsFirst) {
  book_ = write_lobster(dir_, {kRow, kRow, kRow}, plain_messages(2));
  expect_load_error(lobster_options(book_), {message_file(), 3, 0, "", "message file ends first"});
}

TEST_F(LobsterValidation, OrderbookFileEndsFirst) {
  book_ = write_lobster(dir_, {kRow, kRow}, plain_messages(3));
  expect_book_error(3, 0, "", "orderbook file ends first");
}

TEST_F(LobsterValidation, EmptyOrderbookFile) {
  book_ = write_lobster(dir_, {}, {});
  expect_book_error(1, 0, "", "empty");
}

TEST_F(LobsterValidation, MissingMessageFile) {
  book_ = dir_.write("X_2020-01-02_34200000_57600000_orderbook_2.csv", kRow + "\n");
  expect_load_error(lobster_options(book_),
                    {dir_.path() / "X_2020-01-02_34200000_57600000_message_2.csv", 0, 0, "", "cannot open"});
}

TEST_F(LobsterValidation, NotALobsterFileName) {
  book_ = dir_.write("book.csv", kRow + "\n");
  expect_book_error(0, 0, "", "not a LOBSTER orderbook file name");
}

TEST_F(LobsterValidation, ErrorLineCountsEveryPhysicalLine) {
  // The bad row is line 5 of a longer file.
  std::vector<std::string> rows(6, kRow);
  rows[4] = "1000300,10,1000000,10,1000400,5,999900,x";
  book_ = write_lobster(dir_, rows, plain_messages(6));
  expect_book_error(5, 8, "BidSize2", "'x'");
}

// ---------------------------------------------------------------- zstd input

TEST(ZstdInput, CompressedPairLoadsLikeThePlainOne) {
  if (!zstd_tool_available()) GTEST_SKIP() << "the zstd command line tool is not installed";
  TempDir dir;
  const auto book =
      write_lobster(dir, {kRow, "1000300,20,1000000,10,1000400,5,999900,5", "1000300,20,1000100,10,1000400,5,999900,5"},
                    plain_messages(3));
  const auto messages = dir.path() / "TEST_2020-01-02_34200000_57600000_message_2.csv";
  const std::filesystem::path book_zst = book.string() + ".zst";
  ASSERT_TRUE(zstd_compress(book, book_zst));
  ASSERT_TRUE(zstd_compress(messages, messages.string() + ".zst"));
  // Make sure the plain files are not what gets read.
  std::filesystem::rename(book, dir.path() / "plain_book.csv");
  std::filesystem::rename(messages, dir.path() / "plain_messages.csv");

  const LoadedBook zst = load_book_uncached(lobster_options(book_zst, StepOn::any_change));
  std::filesystem::rename(dir.path() / "plain_book.csv", book);
  std::filesystem::rename(dir.path() / "plain_messages.csv", messages);
  const LoadedBook plain = load_book_uncached(lobster_options(book, StepOn::any_change));
  EXPECT_EQ(zst.book.rows(), 3);
  test::expect_same_book(zst.book, plain.book);
  EXPECT_EQ(zst.stats.rows_per_rule, plain.stats.rows_per_rule);
}

TEST(ZstdInput, CompressedSnapshotIsRecognisedByItsMagicBytes) {
  if (!zstd_tool_available()) GTEST_SKIP() << "the zstd command line tool is not installed";
  TempDir dir;
  const auto plain = dir.write("snap.csv", "time,bid1,bidSize1,ask1,askSize1\n1,10,1,11,2\n2,10,3,11,2\n");
  const auto compressed = dir.path() / "snap_compressed.csv";  // no .zst suffix
  ASSERT_TRUE(zstd_compress(plain, compressed));
  LoadOptions options;
  options.format = DataFormat::snapshot;
  options.instrument = {1.0, 1.0};
  options.step_on = StepOn::every_event;
  options.files = {plain};
  const BookTensor a = load_book_uncached(options).book;
  options.files = {compressed};
  const BookTensor b = load_book_uncached(options).book;
  EXPECT_EQ(b.rows(), 2);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.bid_size, b.bid_size);
  EXPECT_EQ(b.bid_size, (std::vector<Lots>{1, 3}));
}

TEST(ZstdInput, CorruptZstdIsAnInputError) {
  TempDir dir;
  // The zstd frame magic number followed by garbage.
  const std::string garbage = std::string("\x28\xB5\x2F\xFD", 4) + std::string(64, '\x7f');
  const auto book = dir.write("TEST_2020-01-02_34200000_57600000_orderbook_2.csv.zst", garbage);
  dir.write("TEST_2020-01-02_34200000_57600000_message_2.csv.zst", garbage);
  expect_load_error(lobster_options(book), {book, 0, 0, "", "zstd"});
}

TEST(ZstdInput, TruncatedZstdIsAnInputError) {
  if (!zstd_tool_available()) GTEST_SKIP() << "the zstd command line tool is not installed";
  TempDir dir;
  std::vector<std::string> rows(50, kRow);
  const auto book = write_lobster(dir, rows, plain_messages(50));
  const std::filesystem::path book_zst = book.string() + ".zst";
  ASSERT_TRUE(zstd_compress(book, book_zst));
  std::filesystem::resize_file(book_zst, std::filesystem::file_size(book_zst) / 2);
  dir.write("TEST_2020-01-02_34200000_57600000_message_2.csv.zst",
            join_lines(plain_messages(50)));  // plain text under a .zst name is read as text
  expect_load_error(lobster_options(book_zst), {book_zst, 0, 0, "", "zstd"});
}

// ---------------------------------------------------------------- snapshot and L1 formats

const std::string kSnapshotHeader = "time,bid1,bidSize1,ask1,askSize1,bid2,bidSize2,ask2,askSize2";
// tick 0.5, lot 0.01
const std::string kSnapshotRow1 = "1.5,100.5,0.25,101.0,1.5,100.0,2,101.5,0.01";
const std::string kSnapshotRow2 = "2.000000001,100.5,0.3,101.5,0.07,99.5,1.25,102.0,3";

LoadOptions snapshot_options(const std::filesystem::path& file) {
  LoadOptions options;
  options.format = DataFormat::snapshot;
  options.files = {file};
  options.instrument = {0.5, 0.01};
  options.step_on = StepOn::every_event;
  return options;
}

std::filesystem::path write_snapshot(const TempDir& dir, const std::vector<std::string>& rows,
                                     const std::string& name = "BTC_day1.csv",
                                     const std::string& header = kSnapshotHeader) {
  std::vector<std::string> lines{header};
  lines.insert(lines.end(), rows.begin(), rows.end());
  return dir.write(name, join_lines(lines));
}

TEST(Snapshot, ValuesInTicksAndLots) {
  TempDir dir;
  const auto file = write_snapshot(dir, {kSnapshotRow1, kSnapshotRow2});
  const LoadedBook loaded = load_book_uncached(snapshot_options(file));
  const BookTensor& b = loaded.book;
  ASSERT_EQ(b.rows(), 2);
  EXPECT_EQ(b.depth, 2);
  EXPECT_EQ(loaded.stats.file_depth, 2);
  EXPECT_FALSE(b.has_messages());
  // Prices / 0.5: 100.5 -> 201, 101.0 -> 202, 100.0 -> 200, 101.5 -> 203, 99.5 -> 199, 102.0 -> 204.
  EXPECT_EQ(b.bid_price, (std::vector<Ticks>{201, 200, 201, 199}));
  EXPECT_EQ(b.ask_price, (std::vector<Ticks>{202, 203, 203, 204}));
  // Sizes / 0.01: 0.25 -> 25, 2 -> 200, 0.3 -> 30, 1.25 -> 125; 1.5 -> 150, 0.01 -> 1, 0.07 -> 7, 3 -> 300.
  EXPECT_EQ(b.bid_size, (std::vector<Lots>{25, 200, 30, 125}));
  EXPECT_EQ(b.ask_size, (std::vector<Lots>{150, 1, 7, 300}));
  // Seconds: 1.5 s and 2.000000001 s, exactly.
  EXPECT_EQ(b.time_ns, (std::vector<Nanos>{1500000000, 2000000001}));
  EXPECT_EQ(b.source_line, (std::vector<std::int64_t>{2, 3}));
  ASSERT_EQ(b.sessions(), 1);
  EXPECT_EQ(b.session_names[0], "BTC_day1");
}

TEST(Snapshot, TimestampUnits) {
  TempDir dir;
  const auto file = write_snapshot(dir, {"1500," + kSnapshotRow1.substr(4), "2500.25," + kSnapshotRow2.substr(12)});
  LoadOptions options = snapshot_options(file);
  options.timestamp_format = TimestampFormat::milliseconds;
  // 1500 ms = 1.5e9 ns; 2500.25 ms = 2500250000 ns.
  EXPECT_EQ(load_book_uncached(options).book.time_ns, (std::vector<Nanos>{1500000000, 2500250000}));
  options.timestamp_format = TimestampFormat::microseconds;
  // 1500 us = 1500000 ns; 2500.25 us = 2500250 ns.
  EXPECT_EQ(load_book_uncached(options).book.time_ns, (std::vector<Nanos>{1500000, 2500250}));
}

TEST(Snapshot, Iso8601Timestamps) {
  TempDir dir;
  const auto file = write_snapshot(
      dir, {"2020-01-02 09:30:00.5," + kSnapshotRow1.substr(4), "2020-01-02T09:30:01Z," + kSnapshotRow2.substr(12)});
  LoadOptions options = snapshot_options(file);
  options.timestamp_format = TimestampFormat::iso8601;
  const BookTensor b = load_book_uncached(options).book;
  // 2020-01-02 = day 18263; 09:30:00.5 = 34200.5 s.
  EXPECT_EQ(b.time_ns, (std::vector<Nanos>{kDays2020_01_02 * kDay + 34200 * kSecond + kSecond / 2,
                                           kDays2020_01_02 * kDay + 34201 * kSecond}));
  EXPECT_EQ(b.time_ns[0], 1577957400500000000LL);
}

TEST(Snapshot, EmptyLevelHasBothFieldsEmpty) {
  TempDir dir;
  const auto file = write_snapshot(dir, {"1,100.5,0.25,101.0,1.5,,,101.5,0.01"});
  const BookTensor b = load_book_uncached(snapshot_options(file)).book;
  ASSERT_EQ(b.rows(), 1);
  EXPECT_EQ(b.bid_price[1], kEmptyBidTicks);
  EXPECT_EQ(b.bid_size[1], 0);
  EXPECT_EQ(b.ask_price[1], 203);
  EXPECT_EQ(b.ask_size[1], 1);
}

TEST(Snapshot, CustomColumnNames) {
  TempDir dir;
  // Other names, another column order, and a column mmsim does not use.
  const auto mapped = write_snapshot(dir, {"7,0.01,100.5,1.5,101.0,0.25"}, "mapped.csv", "ts,bq1,bp1,aq1,ap1,note");
  LoadOptions options = snapshot_options(mapped);
  options.columns = {"ts", "bp{level}", "bq{level}", "ap{level}", "aq{level}"};
  const BookTensor b = load_book_uncached(options).book;
  EXPECT_EQ(b.depth, 1);
  EXPECT_EQ(b.time_ns, (std::vector<Nanos>{7 * kSecond}));
  EXPECT_EQ(b.bid_price, (std::vector<Ticks>{201}));
  EXPECT_EQ(b.bid_size, (std::vector<Lots>{1}));      // bq1 0.01 / 0.01
  EXPECT_EQ(b.ask_price, (std::vector<Ticks>{202}));  // ap1 101.0 / 0.5
  EXPECT_EQ(b.ask_size, (std::vector<Lots>{150}));    // aq1 1.5 / 0.01
  // The default names are not in this header.
  expect_load_error(snapshot_options(mapped), {mapped, 1, 0, "", "no level 1 columns"});
}

TEST(Snapshot, L1FormatWithRowNumbers) {
  TempDir dir;
  const auto file =
      dir.write("l1.csv", "AskPrice1,AskVolume1,BidPrice1,BidVolume1\n10.02,300,10.01,200\n10.03,100,10.01,200\n");
  LoadOptions options;
  options.format = DataFormat::l1;
  options.files = {file};
  options.instrument = {0.01, 1.0};
  options.step_on = StepOn::every_event;
  options.timestamp_format = TimestampFormat::row_number;
  const BookTensor b = load_book_uncached(options).book;
  EXPECT_EQ(b.depth, 1);
  EXPECT_EQ(b.ask_price, (std::vector<Ticks>{1002, 1003}));
  EXPECT_EQ(b.ask_size, (std::vector<Lots>{300, 100}));
  EXPECT_EQ(b.bid_price, (std::vector<Ticks>{1001, 1001}));
  EXPECT_EQ(b.bid_size, (std::vector<Lots>{200, 200}));
  EXPECT_EQ(b.time_ns, (std::vector<Nanos>{0, kSecond}));  // row number k -> k seconds
}

class SnapshotValidation : public ::testing::Test {
 protected:
  void expect_row_error(const std::string& row, std::int64_t column, const std::string& name,
                        const std::string& reason) {
    const auto file = write_snapshot(dir_, {kSnapshotRow1, row});
    expect_load_error(snapshot_options(file), {file, 3, column, name, reason});
  }
  TempDir dir_;
};

TEST_F(SnapshotValidation, NaNPriceNamesTheColumn) {
  expect_row_error("2,nan,0.3,101.5,0.07,99.5,1.25,102.0,3", 2, "bid1", "NaN or infinite price");
}

TEST_F(SnapshotValidation, InfiniteSize) {
  expect_row_error("2,100.5,0.3,101.5,0.07,99.5,1.25,102.0,inf", 9, "askSize2", "NaN or infinite size");
}

TEST_F(SnapshotValidation, PriceOffTheTickGrid) {
  expect_row_error("2,100.5,0.3,101.2,0.07,99.5,1.25,102.0,3", 4, "ask1", "not a multiple of the tick size");
}

TEST_F(SnapshotValidation, SizeOffTheLotGrid) {
  expect_row_error("2,100.5,0.255,101.5,0.07,99.5,1.25,102.0,3", 3, "bidSize1", "multiple of the lot size");
}

TEST_F(SnapshotValidation, UnparsablePrice) {
  expect_row_error("2,100.5,0.3,101.5,0.07,abc,1.25,102.0,3", 6, "bid2", "expected a number, got 'abc'");
}

TEST_F(SnapshotValidation, PriceWithoutSize) {
  expect_row_error("2,100.5,,101.5,0.07,99.5,1.25,102.0,3", 3, "bidSize1", "expected a number");
}

TEST_F(SnapshotValidation, EmptyPriceWithASize) {
  expect_row_error("2,100.5,0.3,101.5,0.07,99.5,1.25,,3", 9, "askSize2", "empty ask level must have size 0");
}

TEST_F(SnapshotValidation, CrossedBook) {
  expect_row_error("2,102.0,0.3,101.5,0.07,99.5,1.25,102.5,3", 2, "bid1", "crossed book");
}

TEST_F(SnapshotValidation, TimeGoingBackwards) {
  expect_row_error("1.0,100.5,0.3,101.5,0.07,99.5,1.25,102.0,3", 1, "time", "time goes backwards");
}

TEST_F(SnapshotValidation, UnparsableTime) {
  expect_row_error("abc,100.5,0.3,101.5,0.07,99.5,1.25,102.0,3", 1, "time", "expected a timestamp");
}

TEST_F(SnapshotValidation, WrongNumberOfFields) {
  expect_row_error("2,100.5,0.3,101.5,0.07,99.5,1.25,102.0", 0, "", "expected 9 fields");
}

TEST_F(SnapshotValidation, MissingTimestampColumn) {
  const auto file = write_snapshot(dir_, {"100.5,0.25,101.0,1.5"}, "no_time.csv", "bid1,bidSize1,ask1,askSize1");
  expect_load_error(snapshot_options(file), {file, 1, 0, "", "no timestamp column 'time'"});
}

TEST_F(SnapshotValidation, DropPolicy) {
  const auto file = write_snapshot(dir_, {kSnapshotRow1, "2,nan,0.3,101.5,0.07,99.5,1.25,102.0,3", kSnapshotRow2});
  LoadOptions options = snapshot_options(file);
  options.bad_rows = BadRowPolicy::drop;
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.stats.source_rows, 3);
  EXPECT_EQ(loaded.stats.dropped_rows, 1);
  EXPECT_EQ(loaded.book.source_line, (std::vector<std::int64_t>{2, 4}));
}

// ---------------------------------------------------------------- multi-file datasets

TEST(MultiFile, TwoLobsterSessions) {
  TempDir dir;
  const auto day1 = write_lobster(dir, {kRow, "1000300,10,1000100,10,1000400,5,999900,5", kRow}, plain_messages(3),
                                  "TEST_2020-01-02_34200000_57600000");
  const auto day2 = write_lobster(dir, {"1000400,10,1000000,10,1000500,5,999900,5", kRow}, plain_messages(2),
                                  "TEST_2020-01-03_34200000_57600000");
  LoadOptions options = lobster_options(day1);
  options.files = {day1, day2};
  const LoadedBook loaded = load_book_uncached(options);
  const BookTensor& b = loaded.book;
  EXPECT_EQ(b.rows(), 5);
  ASSERT_EQ(b.sessions(), 2);
  EXPECT_EQ(b.session_begin, (std::vector<std::int64_t>{0, 3, 5}));
  EXPECT_EQ(b.session_names,
            (std::vector<std::string>{"TEST_2020-01-02_34200000_57600000", "TEST_2020-01-03_34200000_57600000"}));
  EXPECT_EQ(b.source_line, (std::vector<std::int64_t>{1, 2, 3, 1, 2}));
  // Row 3 is the first of the second day: 18264 days + 34201.5 s.
  EXPECT_EQ(b.time_ns[3], (kDays2020_01_02 + 1) * kDay + 34201 * kSecond + kSecond / 2);
  EXPECT_EQ(b.ask_price[3 * 2], 10004);
  EXPECT_EQ(b.messages.size_rows(), 5);
  EXPECT_EQ(b.message_begin, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(b.message_end, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(loaded.stats.source_rows, 5);
  EXPECT_EQ(b.session_of(0), 0);
  EXPECT_EQ(b.session_of(2), 0);
  EXPECT_EQ(b.session_of(3), 1);
  EXPECT_EQ(b.session_of(4), 1);
}

TEST(MultiFile, StepOnRestartsAtEachSession) {
  TempDir dir;
  // The second day starts with the same book as the first day ended: it is still kept.
  const auto day1 = write_lobster(dir, {kRow, kRow}, plain_messages(2), "TEST_2020-01-02_34200000_57600000");
  const auto day2 = write_lobster(dir, {kRow, kRow}, plain_messages(2), "TEST_2020-01-03_34200000_57600000");
  LoadOptions options = lobster_options(day1, StepOn::best_price_change);
  options.files = {day1, day2};
  const LoadedBook loaded = load_book_uncached(options);
  EXPECT_EQ(loaded.book.session_begin, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(loaded.book.source_line, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(loaded.stats.rows_per_rule[static_cast<int>(StepOn::any_change)], 2);
}

TEST(MultiFile, MessageRangesStayInsideTheirSession) {
  TempDir dir;
  // Day 1: line 2 only changes a size, so best_price_change does not keep it;
  // its message is still a day-1 message and must not be attributed to day 2.
  const auto day1 = write_lobster(dir, {kRow, "1000300,20,1000000,10,1000400,5,999900,5"}, plain_messages(2),
                                  "TEST_2020-01-02_34200000_57600000");
  const auto day2 = write_lobster(dir, {kRow, "1000300,10,1000100,10,1000400,5,999900,5"}, plain_messages(2),
                                  "TEST_2020-01-03_34200000_57600000");
  LoadOptions options = lobster_options(day1, StepOn::best_price_change);
  options.files = {day1, day2};
  const BookTensor b = load_book_uncached(options).book;
  ASSERT_EQ(b.rows(), 3);
  ASSERT_EQ(b.session_begin, (std::vector<std::int64_t>{0, 1, 3}));
  expect_message_partition(b);
  // Day 1's second message follows its last kept row: it belongs to no row.
  EXPECT_EQ(b.message_end[0], 1);
  // Messages 0, 1 are day 1's, messages 2, 3 day 2's.
  EXPECT_EQ(b.message_begin[b.session_begin[1]], 2) << "the first day-2 row starts at the first day-2 message";
  for (std::int64_t t = 0; t < b.rows(); ++t) {
    for (std::int64_t m = b.message_begin[t]; m < b.message_end[t]; ++m) {
      EXPECT_EQ(b.messages.time_ns[m] / kDay, b.time_ns[t] / kDay)
          << "row " << t << " holds message " << m << " of another day";
    }
  }
}

TEST(MultiFile, TwoSnapshotSessions) {
  TempDir dir;
  const auto day1 = write_snapshot(dir, {kSnapshotRow1, kSnapshotRow2}, "day1.csv");
  const auto day2 = write_snapshot(dir, {kSnapshotRow1}, "day2.csv");
  LoadOptions options = snapshot_options(day1);
  options.files = {day1, day2};
  const BookTensor b = load_book_uncached(options).book;
  EXPECT_EQ(b.rows(), 3);
  EXPECT_EQ(b.session_begin, (std::vector<std::int64_t>{0, 2, 3}));
  EXPECT_EQ(b.session_names, (std::vector<std::string>{"day1", "day2"}));
  // Each file has its own clock: the second session starts again at 1.5 s.
  EXPECT_EQ(b.time_ns, (std::vector<Nanos>{1500000000, 2000000001, 1500000000}));
  EXPECT_EQ(b.session_of(1), 0);
  EXPECT_EQ(b.session_of(2), 1);
}

TEST(MultiFile, FilesWithDifferentDepthsAreAnError) {
  TempDir dir;
  const auto two = write_lobster(dir, {kRow}, plain_messages(1), "TEST_2020-01-02_34200000_57600000", 2);
  const auto three =
      write_lobster(dir, {kRow + ",1000500,5,999800,5"}, plain_messages(1), "TEST_2020-01-03_34200000_57600000", 3);
  LoadOptions options = lobster_options(two);
  options.files = {two, three};
  expect_load_error(options, {three, 0, 0, "", "has 3 levels per side"});
}

TEST(MultiFile, NoFilesIsAConfigError) {
  LoadOptions options;
  try {
    load_book_uncached(options);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "data.files");
  }
}

}  // namespace
}  // namespace mmsim

// ---------------------------------------------------------------- edge cases of real-world files

namespace mmsim {
namespace {

TEST(EdgeCases, HugeSnapshotPriceIsRejected) {
  TempDir dir;
  // 1e300 / 0.5 ticks cannot be held exactly: column 2 is bid1.
  const auto file = write_snapshot(dir, {"1.5,1e300,0.25,101.0,1.5,100.0,2,101.5,0.01"});
  try {
    load_book_uncached(snapshot_options(file));
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().column, 2);
    EXPECT_NE(std::string(e.what()).find("2^53"), std::string::npos) << e.what();
  }
}

TEST(EdgeCases, TimestampsThatOverflowAreRejected) {
  TempDir dir;
  // Epoch milliseconds read as seconds: 1.7e12 s is beyond int64 nanoseconds.
  const auto file = write_snapshot(dir, {"1700000000000," + kSnapshotRow1.substr(4)});
  try {
    load_book_uncached(snapshot_options(file));
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().column, 1);
    EXPECT_NE(std::string(e.what()).find("data.timestamp_format"), std::string::npos) << e.what();
  }
}

TEST(EdgeCases, NegativeTimesAndSignedSignsAreMalformed) {
  TempDir dir;
  const auto negative = write_snapshot(dir, {"-0.5," + kSnapshotRow1.substr(4)}, "neg.csv");
  EXPECT_THROW(load_book_uncached(snapshot_options(negative)), InputError);
  const auto book = write_lobster(dir, {"+-1000300,10,1000000,10,1000400,5,999900,5"}, plain_messages(1));
  EXPECT_THROW(load_book_uncached(lobster_options(book)), InputError);
}

TEST(EdgeCases, ByteOrderMarkAndTrailingBlankLinesAreIgnored) {
  TempDir dir;
  const auto file = dir.write("bom.csv", "\xEF\xBB\xBF" + kSnapshotHeader + "\n" + kSnapshotRow1 + "\n\n\r\n");
  const LoadedBook loaded = load_book_uncached(snapshot_options(file));
  EXPECT_EQ(loaded.book.rows(), 1);
  EXPECT_EQ(loaded.stats.source_rows, 1);
}

TEST(EdgeCases, DuplicateSessionNamesAreRejected) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "a");
  std::filesystem::create_directories(dir.path() / "b");
  const std::string text = kSnapshotHeader + "\n" + kSnapshotRow1 + "\n";
  const auto first = dir.write("a/day.csv", text);
  const auto second = dir.write("b/day.csv", "time" + text.substr(4));
  LoadOptions options = snapshot_options(first);
  options.files = {first, second};
  try {
    load_book_uncached(options);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, second.string());
    EXPECT_NE(std::string(e.what()).find("'day'"), std::string::npos) << e.what();
  }
}

TEST(EdgeCases, FilesOutOfTimeOrderAreRejected) {
  TempDir dir;
  const auto later = write_lobster(dir, {kRow}, plain_messages(1), "TEST_2020-01-03_34200000_57600000");
  const auto earlier = write_lobster(dir, {kRow}, plain_messages(1), "TEST_2020-01-02_34200000_57600000");
  LoadOptions options = lobster_options(later);
  options.files = {later, earlier};
  try {
    load_book_uncached(options);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, earlier.string());
    EXPECT_NE(std::string(e.what()).find("time order"), std::string::npos) << e.what();
  }
}

TEST(EdgeCases, AnImpossibleDateInALobsterNameIsRejected) {
  TempDir dir;
  const auto book = write_lobster(dir, {kRow}, plain_messages(1), "TEST_2020-02-30_34200000_57600000");
  EXPECT_THROW(load_book_uncached(lobster_options(book)), InputError);
}

TEST(EdgeCases, TimesWithMoreDigitsThanNanosecondsAreRoundedToTheNanosecond) {
  TempDir dir;
  // An official LOBSTER sample prints 43002.632812672004: 12 decimals.
  const auto book = write_lobster(dir, {kRow, kRow, kRow},
                                  {"43002.632812672004,1,100,10,1000000,1", "43002.6328126725,1,101,10,1000000,1",
                                   "43002.9999999996,1,102,10,1000000,1"});
  const Nanos midnight = kDays2020_01_02 * kDay;
  // ...672|004 -> ...672; ...672|5 -> ...673 (half up); 43002.999999999|6 -> 43003.
  EXPECT_EQ(load_book_uncached(lobster_options(book)).book.time_ns,
            (std::vector<Nanos>{midnight + 43002632812672LL, midnight + 43002632812673LL, midnight + 43003 * kSecond}));

  // 1.000000000|5 s -> 1000000001 ns; 2.000000001|49 s -> 2000000001 ns.
  const auto seconds = write_snapshot(dir, {"1.0000000005" + kSnapshotRow1.substr(3),
                                            "2.00000000149" + kSnapshotRow2.substr(11)});
  EXPECT_EQ(load_book_uncached(snapshot_options(seconds)).book.time_ns,
            (std::vector<Nanos>{1000000001, 2000000001}));
  // Malformed decimals stay malformed.
  const auto malformed = write_lobster(dir, {kRow}, {"34200.12345678901x,1,100,10,1000000,1"});
  expect_load_error(lobster_options(malformed),
                    {std::filesystem::path(malformed).replace_filename(
                         "TEST_2020-01-02_34200000_57600000_message_2.csv"),
                     1, 1, "Time", "expected seconds after midnight"});
}

TEST(EdgeCases, SizesAndPricesBeyondWhatABookHoldsAreRejected) {
  TempDir dir;
  // 2^53 + 1, 2^63 - 1 and 2^40 shares: lots of 1 share.
  for (const std::string size : {"9007199254740993", "9223372036854775807", "1099511627776"}) {
    const auto book = write_lobster(dir, {"1000300," + size + ",1000000,10,1000400,5,999900,5"}, plain_messages(1));
    expect_load_error(lobster_options(book), {book, 1, 2, "AskSize1", "below 2^40 lots"});
  }
  const auto largest = write_lobster(dir, {"1000300,1099511627775,1000000,10,1000400,5,999900,5"}, plain_messages(1));
  EXPECT_EQ(load_book_uncached(lobster_options(largest)).book.ask_size[0], 1099511627775LL);
  // 2^53 ticks of 0.01 are 900719925474099200 LOBSTER units.
  const auto price =
      write_lobster(dir, {"900719925474099200,10,1000000,10,900719925474099300,5,999900,5"}, plain_messages(1));
  expect_load_error(lobster_options(price), {price, 1, 1, "AskPrice1", "below 2^53 ticks"});
  // 2e12 units of 0.01: 2e14 lots.
  const auto snapshot = write_snapshot(dir, {"1.5,100.5,0.25,101.0,2e12,100.0,2,101.5,0.01"}, "big.csv");
  expect_load_error(snapshot_options(snapshot), {snapshot, 2, 5, "askSize1", "below 2^40 lots"});
}

TEST(EdgeCases, AnErrorQuotesOnlyTheBeginningOfAHugeField) {
  TempDir dir;
  const std::string huge(2000000, '7');
  const auto book = write_lobster(dir, {"1000300," + huge + "x,1000000,10,1000400,5,999900,5"}, plain_messages(1));
  try {
    load_book_uncached(lobster_options(book));
    FAIL() << "accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_LT(what.size(), 500u) << what.substr(0, 500);
    EXPECT_NE(what.find("'" + huge.substr(0, 64) + "...' (2000001 characters)"), std::string::npos) << what;
    EXPECT_EQ(e.where().column, 2);
  }
}

TEST(EdgeCases, ADirectoryGivenAsADataFileIsNamed) {
  TempDir dir;
  const std::filesystem::path folder = dir.path() / "TEST_2020-01-02_34200000_57600000_orderbook_2.csv";
  std::filesystem::create_directories(folder);
  dir.write("TEST_2020-01-02_34200000_57600000_message_2.csv", join_lines(plain_messages(1)));
  expect_load_error(lobster_options(folder), {folder, 0, 0, "", "is a directory, not a file"});
  const std::filesystem::path snapshot_folder = dir.path() / "BTC_day1.csv";
  std::filesystem::create_directories(snapshot_folder);
  expect_load_error(snapshot_options(snapshot_folder), {snapshot_folder, 0, 0, "", "is a directory, not a file"});
}

}  // namespace
}  // namespace mmsim
