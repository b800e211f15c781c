#include "mmsim/core/statistics.hpp"

#include <cmath>

#include "mmsim/core/error.hpp"
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

double student_t_975(int degrees_of_freedom) {
  MMSIM_ASSERT(degrees_of_freedom >= 1, "Student's t needs a degree of freedom");
  static constexpr double kTable[] = {12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.30600,
                                      2.26216, 2.22814, 2.20099, 2.17881, 2.16037, 2.14479, 2.13145, 2.11991,
                                      2.10982, 2.10092, 2.09302, 2.08596, 2.07961, 2.07387, 2.06866, 2.06390,
                                      2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227};
  if (degrees_of_freedom <= 30) return kTable[degrees_of_freedom - 1];
  const double z = 1.959963984540054;
  const double v = degrees_of_freedom;
  return z + (std::pow(z, 3) + z) / (4 * v) + (5 * std::pow(z, 5) + 16 * std::pow(z, 3) + 3 * z) / (96 * v * v) +
         (3 * std::pow(z, 7) + 19 * std::pow(z, 5) + 17 * std::pow(z, 3) - 15 * z) / (384 * v * v * v);
}

MeanInterval t_interval(const std::vector<double>& values) {
  MMSIM_ASSERT(values.size() >= 2, "an interval across runs needs two of them");
  const double n = static_cast<double>(values.size());
  const double sample_stddev = population_stddev(values) * std::sqrt(n / (n - 1));
  const double half = student_t_975(static_cast<int>(values.size()) - 1) * sample_stddev / std::sqrt(n);
  MeanInterval out;
  out.mean = mean(values);
  out.low = out.mean - half;
  out.high = out.mean + half;
  return out;
}

SeedGroupStats seed_group_stats(const std::vector<const std::vector<double>*>& per_seed) {
  MMSIM_ASSERT(per_seed.size() >= 2, "a seed group has two seeds or more");
  SeedGroupStats g;
  g.window_means.assign(per_seed.front()->size(), 0.0);
  for (const std::vector<double>* pnl : per_seed) {
    MMSIM_ASSERT(pnl->size() == g.window_means.size(), "every seed has the same windows");
    g.means.push_back(mean(*pnl));
    for (std::size_t w = 0; w < g.window_means.size(); ++w) {
      g.window_means[w] += (*pnl)[w] / static_cast<double>(per_seed.size());
    }
  }
  g.across = t_interval(g.means);
  return g;
}

SeedGroupDifference seed_group_difference(const SeedGroupStats& group, const std::vector<double>& other,
                                          std::uint64_t seed) {
  const double other_mean = mean(other);
  std::vector<double> differences;
  for (double m : group.means) differences.push_back(m - other_mean);
  return {t_interval(differences), paired_difference(group.window_means, other, seed)};
}

}  // namespace mmsim::stats
