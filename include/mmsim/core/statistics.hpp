#pragma once
// Sample statistics, written once for the evaluation's summary and paired
// bootstrap, training's validation and its spread across seeds and sweep
// points, and the data summary. Sums run in the order of the values, so a
// result is the same wherever it is computed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmsim/core/error.hpp"

namespace mmsim::stats {

/// Sum of `values` as doubles, added in order from 0.
template <class T>
double sum(const std::vector<T>& values) {
  double total = 0;
  for (const T& v : values) total += static_cast<double>(v);
  return total;
}

/// Arithmetic mean: sum() / count; 0 for no values.
template <class T>
double mean(const std::vector<T>& values) {
  return values.empty() ? 0.0 : sum(values) / static_cast<double>(values.size());
}

/// Population standard deviation (squared deviations from the mean divided
/// by the count, two passes: no cancellation). At least one value.
double population_stddev(const std::vector<double>& values);

/// Value at quantile q in [0, 1], interpolated linearly between the order
/// statistics around q x (count - 1). At least one value.
double quantile(std::vector<double> values, double q);

/// The order statistic at floor(q x (count - 1)) for q in [0, 1]: quantile()'s
/// lower neighbour, without interpolation (for counts such as ticks). At
/// least one value.
template <class T>
T lower_order_statistic(std::vector<T> values, double q) {
  MMSIM_ASSERT(!values.empty(), "order statistic of nothing");
  const auto k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

/// Smallest value. At least one value.
template <class T>
T minimum(const std::vector<T>& values) {
  MMSIM_ASSERT(!values.empty(), "minimum of nothing");
  return *std::min_element(values.begin(), values.end());
}

/// Largest value. At least one value.
template <class T>
T maximum(const std::vector<T>& values) {
  MMSIM_ASSERT(!values.empty(), "maximum of nothing");
  return *std::max_element(values.begin(), values.end());
}

/// Mean of a - b over paired samples with a percentile-bootstrap 95% interval.
struct PairedDifference {
  double mean = 0, low = 0, high = 0;
};

/// The paired difference of `a` and `b` (the same count, at least one):
/// `resamples` resamples of the pairs with replacement, pair k of resample r
/// drawn from the counter-based RNG at (seed, stream k, episode r, step 0,
/// RngPurpose::bootstrap), so the same seed gives the same interval; the
/// interval is the 2.5% and 97.5% quantile() of the resamples' means.
PairedDifference paired_difference(const std::vector<double>& a, const std::vector<double>& b, std::uint64_t seed,
                                   int resamples = 2000);

/// The 97.5% quantile of Student's t distribution with `degrees_of_freedom`
/// (>= 1): tabulated to 6 digits up to 30, a Cornish-Fisher expansion above
/// (within 1e-5 there).
double student_t_975(int degrees_of_freedom);

/// A mean with its 95% Student-t interval, mean +- t x s / sqrt(n) with the
/// sample standard deviation s (n - 1 in its denominator): the interval of
/// a mean across independent runs (seeds). Two values at least.
struct MeanInterval {
  double mean = 0, low = 0, high = 0;
};
MeanInterval t_interval(const std::vector<double>& values);

/// Agents of two or more seeds evaluated on the same windows.
struct SeedGroupStats {
  std::vector<double> means;         ///< each seed's mean over the windows
  MeanInterval across;               ///< the mean over seeds, t-interval across seeds
  std::vector<double> window_means;  ///< each window's mean over the seeds
};

/// `per_seed` [seeds][windows]: two seeds or more, the same windows each.
SeedGroupStats seed_group_stats(const std::vector<const std::vector<double>*>& per_seed);

/// A seed group against another policy on the same windows.
struct SeedGroupDifference {
  MeanInterval seeds;        ///< seeds' means - the policy's mean, t-interval across seeds
  PairedDifference windows;  ///< window_means - the policy's, paired bootstrap over windows (paired_difference)
};
SeedGroupDifference seed_group_difference(const SeedGroupStats& group, const std::vector<double>& other,
                                          std::uint64_t seed);

}  // namespace mmsim::stats
