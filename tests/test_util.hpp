#pragma once
// Helpers shared by the test suites.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/market.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/batch_env.hpp"

namespace mmsim::test {

/// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("mmsim-test-" + std::to_string(entropy()) + "-" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `content` to a file in the directory and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

 private:
  std::filesystem::path path_;
};

/// The bytes of `file` ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::filesystem::path test_data(const std::string& name) { return std::filesystem::path(MMSIM_TEST_DATA_DIR) / name; }
inline std::filesystem::path sample_data(const std::string& name) {
  return std::filesystem::path(MMSIM_SAMPLE_DATA_DIR) / name;
}

/// The shipped GOOG sample with default features and splits, normalised with
/// the training split (load_market without the cache): what the env and
/// evaluation tests run on. Loaded once.
struct GoogSample : MarketData {
  EnvData data() const { return view(); }
};

inline const GoogSample& goog_sample() {
  static const GoogSample sample = [] {
    LoadOptions options;
    options.files = {sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")};
    return GoogSample{load_market(options, {}, FeatureConfig{}, SplitConfig{})};
  }();
  return sample;
}

struct Level {
  Ticks price;
  Lots size;
};

/// One row of a hand-made book, best level first; levels not given are empty.
struct BookRow {
  std::vector<Level> bids, asks;
};

/// A hand-made book: one row per BookRow (one second apart), depth = the
/// deepest row given. `sessions`: session_begin without the final T.
inline BookTensor hand_book(const std::vector<BookRow>& rows, double tick_size = 0.01, double lot_size = 1.0,
                            std::vector<std::int64_t> sessions = {0}) {
  BookTensor book;
  int depth = 1;
  for (const BookRow& r : rows) depth = std::max(depth, static_cast<int>(std::max(r.bids.size(), r.asks.size())));
  book.instrument = {tick_size, lot_size};
  book.depth = depth;
  const auto count = static_cast<std::int64_t>(rows.size());
  for (std::int64_t t = 0; t < count; ++t) {
    const BookRow& r = rows[static_cast<std::size_t>(t)];
    book.time_ns.push_back(t * 1000000000LL);
    for (int l = 0; l < depth; ++l) {
      const auto level = static_cast<std::size_t>(l);
      const bool bid = level < r.bids.size(), ask = level < r.asks.size();
      book.bid_price.push_back(bid ? r.bids[level].price : kEmptyBidTicks);
      book.bid_size.push_back(bid ? r.bids[level].size : 0);
      book.ask_price.push_back(ask ? r.asks[level].price : kEmptyAskTicks);
      book.ask_size.push_back(ask ? r.asks[level].size : 0);
    }
    book.source_line.push_back(t + 1);
  }
  book.session_begin = std::move(sessions);
  book.session_begin.push_back(count);
  for (std::size_t k = 0; k + 1 < book.session_begin.size(); ++k) book.session_names.push_back("s" + std::to_string(k));
  return book;
}

/// A hand-made book with a feature table of two columns, `feature(row,
/// column)`, and splits for the test to fill in.
struct HandMarket {
  BookTensor book;
  FeatureTable table;
  Splits splits;
  EnvData data() const { return {&book, &table, &splits}; }
};

inline HandMarket hand_market(const std::vector<BookRow>& rows, double tick_size, double lot_size,
                              std::vector<std::int64_t> sessions,
                              const std::function<float(std::int64_t, int)>& feature) {
  HandMarket m;
  m.book = hand_book(rows, tick_size, lot_size, std::move(sessions));
  m.table.names = {"f0", "f1"};
  m.table.rows = m.book.rows();
  for (std::int64_t t = 0; t < m.table.rows; ++t) {
    for (int c = 0; c < 2; ++c) m.table.values.push_back(feature(t, c));
  }
  return m;
}

/// Every field of two books is equal.
inline void expect_same_book(const BookTensor& a, const BookTensor& b) {
  EXPECT_EQ(a.instrument.tick_size, b.instrument.tick_size);
  EXPECT_EQ(a.instrument.lot_size, b.instrument.lot_size);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.bid_price, b.bid_price);
  EXPECT_EQ(a.ask_price, b.ask_price);
  EXPECT_EQ(a.bid_size, b.bid_size);
  EXPECT_EQ(a.ask_size, b.ask_size);
  EXPECT_EQ(a.source_line, b.source_line);
  EXPECT_EQ(a.session_begin, b.session_begin);
  EXPECT_EQ(a.session_names, b.session_names);
  EXPECT_EQ(a.messages.time_ns, b.messages.time_ns);
  EXPECT_EQ(a.messages.type, b.messages.type);
  EXPECT_EQ(a.messages.order_id, b.messages.order_id);
  EXPECT_EQ(a.messages.size, b.messages.size);
  EXPECT_EQ(a.messages.price_half_ticks, b.messages.price_half_ticks);
  EXPECT_EQ(a.messages.direction, b.messages.direction);
  EXPECT_EQ(a.message_begin, b.message_begin);
  EXPECT_EQ(a.message_end, b.message_end);
}

/// Expects a ConfigError for `key` whose message holds every one of `parts`.
inline void expect_config_error(const std::function<void()>& action, const std::string& key,
                                const std::vector<std::string>& parts = {}) {
  try {
    action();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
    const std::string what = e.what();
    EXPECT_NE(what.find("'" + key + "'"), std::string::npos) << what;
    for (const std::string& part : parts)
      EXPECT_NE(what.find(part), std::string::npos) << "'" << part << "' not in: " << what;
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError for " << key << ", got: " << e.what();
    return;
  }
  ADD_FAILURE() << "expected ConfigError for " << key << ", nothing was thrown";
}

}  // namespace mmsim::test
