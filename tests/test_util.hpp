#pragma once
// Helpers shared by the test suites.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
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

inline std::filesystem::path test_data(const std::string& name) { return std::filesystem::path(MMSIM_TEST_DATA_DIR) / name; }
inline std::filesystem::path sample_data(const std::string& name) {
  return std::filesystem::path(MMSIM_SAMPLE_DATA_DIR) / name;
}

/// The shipped GOOG sample with default features and splits, normalised with
/// the training split: what the env and evaluation tests run on. Loaded once.
struct GoogSample {
  LoadedBook loaded;
  FeatureTable table;
  Splits splits;
  EnvData data() const { return {&loaded.book, &table, &splits}; }
};

inline const GoogSample& goog_sample() {
  static const GoogSample sample = [] {
    GoogSample out;
    LoadOptions options;
    options.files = {sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")};
    out.loaded = load_book_uncached(options);
    out.table = compute_features_cpu(out.loaded.book, FeatureConfig{});
    out.splits = make_splits(out.loaded.book, out.table.layout.warmup_rows(), SplitConfig{});
    normalise_features(out.table, out.splits.train);
    return out;
  }();
  return sample;
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

}  // namespace mmsim::test
