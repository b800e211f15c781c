// The binary book cache: hits, stale keys, corrupt and truncated files, and
// the cache directory's environment variables.

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/load.hpp"
#include "test_util.hpp"

namespace mmsim {
namespace {

using test::TempDir;

// Depth 2, tick 0.01 = 100 units: ask1 10003, bid1 10000, ask2 10004, bid2 9999.
const std::vector<std::string> kBookRows = {
    "1000300,10,1000000,10,1000400,5,999900,5",
    "1000300,20,1000000,10,1000400,5,999900,5",  // size change only
    "1000300,20,1000100,10,1000400,5,999900,5",  // best bid 10001
    "1000200,20,1000100,10,1000400,5,999900,5",  // best ask 10002
};
const std::vector<std::string> kMessageRows = {
    "34201.5,1,100,10,1000000,1",
    "34202.5,1,101,10,1000300,-1",
    "34203.5,1,102,10,1000100,1",
    "34204.5,5,0,10,1000150,-1",
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

struct Source {
  TempDir dir;
  std::filesystem::path book;
  std::filesystem::path cache;
  Source() {
    dir.write("TEST_2020-01-02_34200000_57600000_message_2.csv", join_lines(kMessageRows));
    book = dir.write("TEST_2020-01-02_34200000_57600000_orderbook_2.csv", join_lines(kBookRows));
    cache = dir.path() / "cache";
  }
  LoadOptions options(StepOn rule = StepOn::best_price_change) const {
    LoadOptions o;
    o.format = DataFormat::lobster;
    o.files = {book};
    o.instrument = {0.01, 1.0};
    o.step_on = rule;
    return o;
  }
};

void expect_same(const LoadedBook& a, const LoadedBook& b) {
  test::expect_same_book(a.book, b.book);
  EXPECT_EQ(a.stats.source_rows, b.stats.source_rows);
  EXPECT_EQ(a.stats.dropped_rows, b.stats.dropped_rows);
  EXPECT_EQ(a.stats.kept_rows, b.stats.kept_rows);
  EXPECT_EQ(a.stats.rows_per_rule, b.stats.rows_per_rule);
  EXPECT_EQ(a.stats.file_depth, b.stats.file_depth);
}

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  return files;
}

TEST(Cache, FirstLoadBuildsSecondLoadHitsWithTheSameBook) {
  Source source;
  CacheOutcome first;
  const LoadedBook built = load_book(source.options(), source.cache, &first);
  EXPECT_FALSE(first.hit);
  EXPECT_FALSE(first.rebuild_reason.empty());
  EXPECT_TRUE(std::filesystem::exists(first.file));
  EXPECT_EQ(first.file.parent_path(), source.cache);

  CacheOutcome second;
  const LoadedBook cached = load_book(source.options(), source.cache, &second);
  EXPECT_TRUE(second.hit);
  EXPECT_TRUE(second.rebuild_reason.empty()) << second.rebuild_reason;
  EXPECT_EQ(second.file, first.file);
  expect_same(built, cached);

  // Both agree with a load that bypasses the cache, and with the hand-checked rows:
  // best_price_change keeps lines 1, 3, 4.
  expect_same(load_book_uncached(source.options()), cached);
  EXPECT_EQ(cached.book.source_line, (std::vector<std::int64_t>{1, 3, 4}));
  EXPECT_EQ(cached.book.bid_price, (std::vector<Ticks>{10000, 9999, 10001, 9999, 10001, 9999}));
  EXPECT_EQ(cached.book.messages.price_half_ticks.back(), 20003);  // 1000150 / 100 * 2
  EXPECT_EQ(cached.book.session_names, (std::vector<std::string>{"TEST_2020-01-02_34200000_57600000"}));
  EXPECT_EQ(cached.stats.rows_per_rule, (std::array<std::int64_t, kStepOnRules>{3, 4, 4}));
  // Written atomically: no temporary file is left behind.
  EXPECT_EQ(files_in(source.cache).size(), 1u);
}

TEST(Cache, ChangedSourceIsRebuiltWithTheNewData) {
  Source source;
  CacheOutcome first, second, third;
  load_book(source.options(), source.cache, &first);
  ASSERT_FALSE(first.hit);
  // Rewrite lines 3 and 4: bid1 10001 -> 9998 and bid2 9999 -> 9997.
  std::vector<std::string> rows = kBookRows;
  rows[2] = "1000300,20,999800,10,1000400,5,999700,5";
  rows[3] = "1000200,20,999800,10,1000400,5,999700,5";
  write_bytes(source.book, join_lines(rows));
  const LoadedBook reloaded = load_book(source.options(), source.cache, &second);
  EXPECT_FALSE(second.hit);
  EXPECT_FALSE(second.rebuild_reason.empty());
  EXPECT_EQ(second.file, first.file) << "the same sources and options name the same file";
  EXPECT_NE(second.rebuild_reason.find("stale"), std::string::npos) << second.rebuild_reason;
  EXPECT_EQ(reloaded.book.bid_price, (std::vector<Ticks>{10000, 9999, 9998, 9997, 9998, 9997}));
  const LoadedBook again = load_book(source.options(), source.cache, &third);
  EXPECT_TRUE(third.hit);
  EXPECT_EQ(again.book.bid_price, reloaded.book.bid_price);
}

TEST(Cache, UnwritableCacheDirectoryStillLoads) {
  Source source;
  const std::filesystem::path blocked = source.dir.path() / "not-a-directory";
  write_bytes(blocked, "a file where the cache directory should be");
  CacheOutcome outcome;
  const LoadedBook loaded = load_book(source.options(), blocked / "cache", &outcome);
  EXPECT_FALSE(outcome.hit);
  EXPECT_FALSE(outcome.write_error.empty());
  EXPECT_EQ(loaded.book.rows(), load_book_uncached(source.options()).book.rows());
}

TEST(Cache, ChangedMessageFileIsRebuilt) {
  Source source;
  CacheOutcome first, second;
  load_book(source.options(), source.cache, &first);
  std::vector<std::string> messages = kMessageRows;
  messages[0] = "34201.5,1,100,10,1000000,-1";  // direction flipped
  write_bytes(source.dir.path() / "TEST_2020-01-02_34200000_57600000_message_2.csv", join_lines(messages));
  const LoadedBook reloaded = load_book(source.options(), source.cache, &second);
  EXPECT_FALSE(second.hit);
  EXPECT_NE(second.rebuild_reason.find("stale"), std::string::npos) << second.rebuild_reason;
  EXPECT_EQ(reloaded.book.messages.direction[0], -1);
}

TEST(Cache, ChangedOptionUsesAnotherCacheFile) {
  Source source;
  CacheOutcome best, every, best_again;
  const LoadedBook a = load_book(source.options(StepOn::best_price_change), source.cache, &best);
  const LoadedBook b = load_book(source.options(StepOn::every_event), source.cache, &every);
  EXPECT_FALSE(every.hit);
  EXPECT_NE(every.file, best.file);
  EXPECT_EQ(a.book.rows(), 3);
  EXPECT_EQ(b.book.rows(), 4);
  load_book(source.options(StepOn::best_price_change), source.cache, &best_again);
  EXPECT_TRUE(best_again.hit);
  EXPECT_EQ(best_again.file, best.file);

  LoadOptions coarser = source.options();
  coarser.depth = 1;
  CacheOutcome depth1;
  const LoadedBook c = load_book(coarser, source.cache, &depth1);
  EXPECT_FALSE(depth1.hit);
  EXPECT_EQ(c.book.depth, 1);
}

TEST(Cache, CorruptByteIsDetectedByTheChecksum) {
  Source source;
  CacheOutcome first, second, third;
  const LoadedBook built = load_book(source.options(), source.cache, &first);
  std::string bytes = read_bytes(first.file);
  ASSERT_GT(bytes.size(), 100u);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
  write_bytes(first.file, bytes);
  const LoadedBook rebuilt = load_book(source.options(), source.cache, &second);
  EXPECT_FALSE(second.hit);
  EXPECT_NE(second.rebuild_reason.find("checksum"), std::string::npos) << second.rebuild_reason;
  expect_same(built, rebuilt);
  // The rebuilt file is good again.
  load_book(source.options(), source.cache, &third);
  EXPECT_TRUE(third.hit);
}

TEST(Cache, TruncatedFileIsRebuilt) {
  Source source;
  CacheOutcome first, second, third;
  const LoadedBook built = load_book(source.options(), source.cache, &first);
  std::filesystem::resize_file(first.file, std::filesystem::file_size(first.file) / 2);
  const LoadedBook rebuilt = load_book(source.options(), source.cache, &second);
  EXPECT_FALSE(second.hit);
  EXPECT_NE(second.rebuild_reason.find("truncated"), std::string::npos) << second.rebuild_reason;
  expect_same(built, rebuilt);
  load_book(source.options(), source.cache, &third);
  EXPECT_TRUE(third.hit);

  // Shorter than the header.
  std::filesystem::resize_file(first.file, 5);
  CacheOutcome fourth;
  const LoadedBook tiny = load_book(source.options(), source.cache, &fourth);
  EXPECT_FALSE(fourth.hit);
  expect_same(built, tiny);
}

TEST(Cache, GarbageFileIsRebuilt) {
  Source source;
  CacheOutcome first, second, third;
  const LoadedBook built = load_book(source.options(), source.cache, &first);
  write_bytes(first.file, std::string(4096, 'g'));
  const LoadedBook rebuilt = load_book(source.options(), source.cache, &second);
  EXPECT_FALSE(second.hit);
  EXPECT_FALSE(second.rebuild_reason.empty());
  expect_same(built, rebuilt);
  load_book(source.options(), source.cache, &third);
  EXPECT_TRUE(third.hit);
}

TEST(Cache, EmptyFileIsRebuilt) {
  Source source;
  CacheOutcome first, second;
  const LoadedBook built = load_book(source.options(), source.cache, &first);
  write_bytes(first.file, "");
  const LoadedBook rebuilt = load_book(source.options(), source.cache, &second);
  EXPECT_FALSE(second.hit);
  expect_same(built, rebuilt);
}

TEST(Cache, InvalidSourceIsNotCached) {
  Source source;
  std::vector<std::string> rows = kBookRows;
  rows[1] = "1000300,20,1000300,10,1000400,5,999900,5";  // locked book on line 2
  write_bytes(source.book, join_lines(rows));
  EXPECT_THROW(load_book(source.options(), source.cache), InputError);
  EXPECT_TRUE(!std::filesystem::exists(source.cache) || files_in(source.cache).empty());
}

/// Sets or unsets an environment variable for the scope, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(CacheDir, HonoursMmsimCacheDir) {
  ScopedEnv cache("MMSIM_CACHE_DIR", "/tmp/mmsim-cache-test-dir");
  ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-should-not-win");
  EXPECT_EQ(default_cache_dir(), std::filesystem::path("/tmp/mmsim-cache-test-dir"));
}

TEST(CacheDir, FallsBackToXdgThenHome) {
  ScopedEnv cache("MMSIM_CACHE_DIR", nullptr);
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
    EXPECT_EQ(default_cache_dir(), std::filesystem::path("/tmp/xdg-cache/mmsim"));
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnv home("HOME", "/tmp/some-home");
    EXPECT_EQ(default_cache_dir(), std::filesystem::path("/tmp/some-home/.cache/mmsim"));
  }
  {
    ScopedEnv empty("MMSIM_CACHE_DIR", "");  // empty counts as unset
    ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
    EXPECT_EQ(default_cache_dir(), std::filesystem::path("/tmp/xdg-cache/mmsim"));
  }
}

}  // namespace
}  // namespace mmsim
