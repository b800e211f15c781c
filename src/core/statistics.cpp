#include "mmsim/core/statistics.hpp"

#include <cmath>

#include "mmsim/core/rng.hpp"

namespace mmsim::stats {

double population_stddev(const std::vector<double>& values) {
  MMSIM_ASSERT(!values.empty(), "standard deviation of nothing");
  const double centre = mean(values);
  double squares = 0;
  for (double v : values) squares += (v - centre) * (v - centre);
  return std::sqrt(squares / static_cast<double>(values.size()));
}

double quantile(std::vector<double> values, double q) {
  MMSIM_ASSERT(!values.empty(), "quantile of nothing");
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (at - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

PairedDifference paired_difference(const std::vector<double>& a, const std::vector<double>& b, std::uint64_t seed,
                                   int resamples) {
  MMSIM_ASSERT(a.size() == b.size() && !a.empty(), "paired samples of equal, non-zero size");
  const std::size_t n = a.size();
  std::vector<double> d(n);
  for (std::size_t k = 0; k < n; ++k) d[k] = a[k] - b[k];
  PairedDifference out;
  out.mean = mean(d);
  std::vector<double> means(static_cast<std::size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    double total = 0;
    for (std::size_t k = 0; k < n; ++k) {
      total += d[uniform_index(seed, k, static_cast<std::uint64_t>(r), 0, RngPurpose::bootstrap, n)];
    }
    means[static_cast<std::size_t>(r)] = total / static_cast<double>(n);
  }
  out.low = quantile(means, 0.025);
  out.high = quantile(means, 0.975);
  return out;
}

}  // namespace mmsim::stats
