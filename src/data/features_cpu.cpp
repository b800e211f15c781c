#include <algorithm>
#include <cmath>
#include <numeric>

#include "mmsim/core/error.hpp"
#include "mmsim/data/feature_row.hpp"
#include "mmsim/data/features.hpp"

namespace mmsim {

std::int64_t FeatureLayout::warmup_rows() const {
  // Row s0 + n is the first whose n-move window lies inside the session; with
  // no RSI, the first row still has no mid change.
  std::int64_t longest = 1;
  for (int window : rsi_windows) longest = std::max<std::int64_t>(longest, window);
  return longest;
}

std::vector<std::string> FeatureLayout::names() const {
  std::vector<std::string> names(static_cast<std::size_t>(columns()));
  names[mid_change()] = "mid_change";
  for (int l = 0; l < depth; ++l) {
    const std::string level = std::to_string(l + 1);
    names[bid_skew(l)] = "bid_skew_" + level;
    names[ask_skew(l)] = "ask_skew_" + level;
    names[spread(l)] = "spread_" + level;
    names[bid_distance(l)] = "bid_distance_" + level;
    names[ask_distance(l)] = "ask_distance_" + level;
    names[bid_size(l)] = "bid_size_" + level;
    names[ask_size(l)] = "ask_size_" + level;
    names[bid_cum_size(l)] = "bid_cum_size_" + level;
    names[ask_cum_size(l)] = "ask_cum_size_" + level;
    names[imbalance(l)] = "imbalance_" + level;
  }
  names[delta_time()] = "delta_time";
  for (std::size_t w = 0; w < rsi_windows.size(); ++w) {
    names[rsi(static_cast<int>(w))] = "rsi_" + std::to_string(rsi_windows[w]);
  }
  return names;
}

FeatureLayout make_feature_layout(const BookTensor& book, const FeatureConfig& config) {
  validate(config);
  if (config.depth > book.depth) {
    throw ConfigError("features.depth", std::to_string(config.depth) + " is outside [0, " +
                                            std::to_string(book.depth) + "] (0 = the book's depth)");
  }
  FeatureLayout layout;
  layout.depth = config.depth > 0 ? config.depth : book.depth;
  layout.rsi_windows = config.rsi_windows;
  return layout;
}

FeatureTable compute_features_cpu(const BookTensor& book, const FeatureConfig& config) {
  FeatureTable table;
  table.layout = make_feature_layout(book, config);
  table.names = table.layout.names();
  table.rows = book.rows();
  const std::int64_t rows = book.rows();
  const int L = book.depth;
  const int F = table.columns();

  // Same algorithm as the CUDA path: scans along each row for cumulative
  // sizes, scans over rows for the up and down mid moves, then the row formulas.
  std::vector<Lots> bid_cum(book.bid_size.size()), ask_cum(book.ask_size.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    std::inclusive_scan(book.bid_size.begin() + r * L, book.bid_size.begin() + (r + 1) * L, bid_cum.begin() + r * L);
    std::inclusive_scan(book.ask_size.begin() + r * L, book.ask_size.begin() + (r + 1) * L, ask_cum.begin() + r * L);
  }
  FeatureInputs in;
  in.bid_price = book.bid_prices();
  in.ask_price = book.ask_prices();
  in.bid_size = book.bid_sizes();
  in.ask_size = book.ask_sizes();
  in.bid_cum = {bid_cum.data(), rows, L};
  in.ask_cum = {ask_cum.data(), rows, L};
  in.time_ns = {book.time_ns.data(), rows};
  in.session_begin = book.session_bounds();
  in.depth = table.layout.depth;
  in.rsi_count = static_cast<int>(table.layout.rsi_windows.size());
  for (int w = 0; w < in.rsi_count; ++w) in.rsi_windows[w] = table.layout.rsi_windows[w];

  std::vector<std::int64_t> up(rows), down(rows);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t move = mid_move_half_ticks(in, session_start_of(in.session_begin, r), r);
    up[r] = move > 0 ? move : 0;
    down[r] = move < 0 ? -move : 0;
  }
  std::inclusive_scan(up.begin(), up.end(), up.begin());
  std::inclusive_scan(down.begin(), down.end(), down.begin());
  in.up_prefix = {up.data(), rows};
  in.down_prefix = {down.data(), rows};

  table.values.resize(static_cast<std::size_t>(rows) * F);
  for (std::int64_t r = 0; r < rows; ++r) compute_feature_row(in, r, table.values.data() + r * F);
  check_finite(table, "feature table");
  return table;
}

void check_finite(const FeatureTable& table, const std::string& what) {
  const int F = table.columns();
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    if (!std::isfinite(table.values[i])) {
      const std::int64_t row = static_cast<std::int64_t>(i) / F;
      const int column = static_cast<int>(static_cast<std::int64_t>(i) % F);
      throw InputError({what, row + 1, column + 1, table.names[column]},
                       std::string("value is ") + (std::isnan(table.values[i]) ? "NaN" : "infinite") + " at row " +
                           std::to_string(row));
    }
  }
}

void normalise_features(FeatureTable& table, const Split& train) {
  MMSIM_ASSERT(!table.normalised(), "the table is already normalised");
  const int F = table.columns();
  const double count = static_cast<double>(train.rows());
  if (count == 0) throw ConfigError("split", "cannot normalise features: the training split is empty");
  std::vector<double> mean(F, 0.0), scale(F, 0.0);
  // Two passes in double: the mean first, then the squared deviations.
  for (const RowRange& range : train.ranges) {
    for (std::int64_t r = range.begin; r < range.end; ++r) {
      for (int c = 0; c < F; ++c) mean[c] += table.values[r * F + c];
    }
  }
  for (double& m : mean) m /= count;
  for (const RowRange& range : train.ranges) {
    for (std::int64_t r = range.begin; r < range.end; ++r) {
      for (int c = 0; c < F; ++c) {
        const double d = table.values[r * F + c] - mean[c];
        scale[c] += d * d;
      }
    }
  }
  for (double& s : scale) {
    s = std::sqrt(s / count);
    if (!(s > 0)) s = 1.0;  // a constant column is centred but not scaled
  }
  for (std::int64_t r = 0; r < table.rows; ++r) {
    for (int c = 0; c < F; ++c) {
      float& v = table.values[r * F + c];
      v = static_cast<float>((v - mean[c]) / scale[c]);
    }
  }
  table.mean = std::move(mean);
  table.scale = std::move(scale);
}

}  // namespace mmsim
