#pragma once
// The market feature table [T, F]: the thesis's observation features computed
// from a BookTensor (formulas in docs/features.md).

#include <cstdint>
#include <string>
#include <vector>

#include "mmsim/core/view.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim {

struct FeatureConfig {
  int depth = 0;                           ///< levels per side used; 0 = the book's depth
  std::vector<int> rsi_windows{30, 90, 270};  ///< RSI windows, in rows
  /// Append the LSTM's mid-move probabilities (docs/lstm.md) to the table in
  /// `mmsim train` and `mmsim eval`; compute_features_cpu ignores it.
  bool lstm = false;
};

/// Throws ConfigError naming the `features.*` key of a value outside its range.
void validate(const FeatureConfig& config);

/// Column layout of the table for a depth and RSI windows.
struct FeatureLayout {
  int depth = 0;
  std::vector<int> rsi_windows;

  int mid_change() const { return 0; }
  int bid_skew(int level) const { return 1 + level; }
  int ask_skew(int level) const { return 1 + depth + level; }
  int spread(int level) const { return 1 + 2 * depth + level; }
  int bid_distance(int level) const { return 1 + 3 * depth + level; }
  int ask_distance(int level) const { return 1 + 4 * depth + level; }
  int bid_size(int level) const { return 1 + 5 * depth + level; }
  int ask_size(int level) const { return 1 + 6 * depth + level; }
  int bid_cum_size(int level) const { return 1 + 7 * depth + level; }
  int ask_cum_size(int level) const { return 1 + 8 * depth + level; }
  int imbalance(int level) const { return 1 + 9 * depth + level; }
  int delta_time() const { return 1 + 10 * depth; }
  int rsi(int window_index) const { return 2 + 10 * depth + window_index; }
  int columns() const { return 2 + 10 * depth + static_cast<int>(rsi_windows.size()); }
  /// Rows at the start of each session whose windows are not yet full.
  std::int64_t warmup_rows() const;
  std::vector<std::string> names() const;
};

FeatureLayout make_feature_layout(const BookTensor& book, const FeatureConfig& config);

/// Row-major float32 table [rows, columns] with per-column normalisation
/// statistics of the training split. `values` holds normalised values
/// (raw - mean) / scale once normalise() ran, raw values before.
struct FeatureTable {
  FeatureLayout layout;
  std::vector<std::string> names;  ///< [F]
  std::int64_t rows = 0;
  std::vector<float> values;       ///< [T, F]
  std::vector<double> mean;        ///< [F] empty until normalised
  std::vector<double> scale;       ///< [F] standard deviation, 1 where it is 0
  bool normalised() const { return !mean.empty(); }
  int columns() const { return static_cast<int>(names.size()); }
  View2D<const float> view() const { return {values.data(), rows, columns()}; }
  float at(std::int64_t row, int column) const { return values[row * columns() + column]; }
};

/// Raw (unnormalised) features on the host: the reference implementation.
/// Throws InputError naming the row and column if a value is NaN or inf.
FeatureTable compute_features_cpu(const BookTensor& book, const FeatureConfig& config);

/// Statistics over the rows of `train`, then normalises every row in place.
void normalise_features(FeatureTable& table, const Split& train);

/// Throws InputError naming the first row and column holding NaN or inf.
void check_finite(const FeatureTable& table, const std::string& what);

}  // namespace mmsim
