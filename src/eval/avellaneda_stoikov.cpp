#include "mmsim/eval/avellaneda_stoikov.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/core/statistics.hpp"
#include "mmsim/data/book_row.hpp"

namespace mmsim::eval {
namespace {

// The model in units of one order of Delta base units (see the header).
struct OrderUnits {
  double q = 0;         // inventory, orders
  double sigma2 = 0;    // sigma_u^2, (currency per order)^2 per step
  double kappa = 0;     // kappa_u, 1 / (currency per order)
  double log_term = 0;  // ln(1 + gamma / kappa_u)
};

OrderUnits to_order_units(const AsModel& m, double position) {
  // Negated comparisons so that NaN fails too.
  if (!(m.gamma > 0)) throw ConfigError("baselines.as.gamma", "must be > 0");
  if (!(m.kappa > 0)) throw ConfigError("baselines.as.kappa", "must be > 0");
  if (!(m.A > 0)) throw ConfigError("baselines.as.A", "must be > 0");
  if (!(m.sigma >= 0)) throw ConfigError("baselines.as.sigma", "must be >= 0");
  if (!(m.order_size > 0)) throw ConfigError("baselines.as.order_size", "must be > 0");
  OrderUnits u;
  u.q = position / m.order_size;
  u.sigma2 = (m.order_size * m.sigma) * (m.order_size * m.sigma);
  u.kappa = m.kappa / m.order_size;
  u.log_term = std::log1p(m.gamma / u.kappa);
  return u;
}

// Calls step(t) for every step t -> t + 1 whose two rows lie in one range.
template <class Step>
void for_each_step(const BookTensor& book, const Split& split, Step step) {
  for (const RowRange& r : split.ranges) {
    if (r.begin < 0 || r.end > book.rows()) {
      throw Error("split range [" + std::to_string(r.begin) + ", " + std::to_string(r.end) +
                  ") is outside the book's " + std::to_string(book.rows()) + " rows");
    }
    for (std::int64_t t = r.begin; t + 1 < r.end; ++t) step(t);
  }
}

}  // namespace

AsQuotes finite_horizon_quotes(const AsModel& m, double position, double steps_left) {
  const OrderUnits u = to_order_units(m, position);
  MMSIM_ASSERT(steps_left >= 0, "the horizon is not in the past");
  const double inventory_risk = m.gamma * u.sigma2 * steps_left;
  const double skew = u.q * inventory_risk;  // s - r
  const double half_spread = 0.5 * inventory_risk + u.log_term / m.gamma;
  AsQuotes quotes;
  quotes.bid_distance = (skew + half_spread) / m.order_size;
  quotes.ask_distance = (half_spread - skew) / m.order_size;
  return quotes;
}

AsQuotes glft_quotes(const AsModel& m, double position) {
  const OrderUnits u = to_order_units(m, position);
  const double base = u.log_term / m.gamma;
  // (1 + gamma / kappa_u)^(1 + kappa_u / gamma) through the logarithm already at hand.
  const double power = std::exp((1 + u.kappa / m.gamma) * u.log_term);
  const double c = std::sqrt(u.sigma2 * m.gamma / (2 * u.kappa * m.A) * power);
  AsQuotes quotes;
  quotes.bid_distance = (base + (2 * u.q + 1) / 2 * c) / m.order_size;
  quotes.ask_distance = (base - (2 * u.q - 1) / 2 * c) / m.order_size;
  return quotes;
}

double estimate_sigma(const BookTensor& book, const Split& split) {
  // Integer half-tick changes: exact as doubles, and so is their sum.
  const BookPrices prices = book.prices();
  std::vector<double> changes;
  for_each_step(book, split, [&](std::int64_t t) {
    changes.push_back(static_cast<double>(mid_half_ticks(prices, t + 1) - mid_half_ticks(prices, t)));
  });
  if (changes.size() < 2) {
    throw Error("estimating sigma needs at least 2 steps inside the split's ranges; it has " +
                std::to_string(changes.size()));
  }
  const double half_tick = 0.5 * book.instrument.tick_size;
  return half_tick * stats::population_stddev(changes);
}

DistanceFills count_distance_fills(const BookTensor& book, const Split& split, double spacing, int count) {
  if (!(spacing > 0)) throw Error("fill distances: the spacing must be > 0");
  if (count < 1) throw Error("fill distances: at least 1 distance is needed");
  const double half_tick = 0.5 * book.instrument.tick_size;
  // reach[k]: quotes that fill at exactly the first k distances (k = count: at all).
  std::vector<std::int64_t> reach(static_cast<std::size_t>(count) + 1, 0);
  auto add = [&](Ticks largest_half_ticks) {
    if (largest_half_ticks <= 0) return;
    // The tolerance keeps a distance that lands on the grid up to rounding error.
    const double k = std::floor(static_cast<double>(largest_half_ticks) * half_tick / spacing + 1e-9);
    ++reach[static_cast<std::size_t>(std::min(k, static_cast<double>(count)))];
  };
  const BookPrices prices = book.prices();
  DistanceFills out;
  for_each_step(book, split, [&](std::int64_t t) {
    // The largest distance at which each side fills, in half ticks.
    add(mid_half_ticks(prices, t) - 2 * prices.ask_price(t + 1, 0));
    add(2 * prices.bid_price(t + 1, 0) - mid_half_ticks(prices, t));
    out.trials += 2;
  });
  out.distance.resize(static_cast<std::size_t>(count));
  out.fills.resize(static_cast<std::size_t>(count));
  std::int64_t filled = 0;
  for (int j = count - 1; j >= 0; --j) {
    const auto i = static_cast<std::size_t>(j);
    filled += reach[i + 1];
    out.fills[i] = filled;
    out.distance[i] = (j + 1) * spacing;
  }
  return out;
}

IntensityModel fit_intensity(const DistanceFills& fills, std::int64_t min_fills) {
  if (min_fills < 1) throw Error("fitting the fill intensity: min_fills must be >= 1");
  MMSIM_ASSERT(fills.distance.size() == fills.fills.size(), "one count per distance");
  double w = 0, wx = 0, wy = 0;
  int used = 0;
  for (std::size_t j = 0; j < fills.fills.size(); ++j) {
    if (fills.fills[j] < min_fills) continue;
    const double f = static_cast<double>(fills.fills[j]);
    w += f;
    wx += f * fills.distance[j];
    wy += f * std::log(f / static_cast<double>(fills.trials));
    ++used;
  }
  if (used < 2) {
    throw Error("fitting the fill intensity needs at least 2 distances with >= " + std::to_string(min_fills) +
                " fills; " + std::to_string(used) + " of " + std::to_string(fills.fills.size()) + " have them (" +
                std::to_string(fills.trials) + " trials)");
  }
  const double x_mean = wx / w, y_mean = wy / w;
  double sxx = 0, sxy = 0;
  for (std::size_t j = 0; j < fills.fills.size(); ++j) {
    if (fills.fills[j] < min_fills) continue;
    const double f = static_cast<double>(fills.fills[j]);
    const double dx = fills.distance[j] - x_mean;
    sxx += f * dx * dx;
    sxy += f * dx * (std::log(f / static_cast<double>(fills.trials)) - y_mean);
  }
  IntensityModel model;
  model.kappa = -sxy / sxx;
  if (!(model.kappa > 0)) {
    throw Error("fitting the fill intensity: fills do not fall with distance (kappa = " + std::to_string(model.kappa) +
                ")");
  }
  model.A = std::exp(y_mean + model.kappa * x_mean);
  return model;
}

Calibration calibrate(const BookTensor& book, const Split& split, double max_distance_ticks,
                      std::int64_t min_fills) {
  // At least the 2 distances the fit needs; the bound keeps the count an int.
  if (!(max_distance_ticks >= 1 && max_distance_ticks <= 1e6)) {
    throw Error("calibration: the largest fill distance must be in [1, 1e6] ticks");
  }
  Calibration c;
  c.sigma = estimate_sigma(book, split);
  const int count = static_cast<int>(std::floor(2 * max_distance_ticks + 1e-9));
  c.fills = count_distance_fills(book, split, 0.5 * book.instrument.tick_size, count);
  c.intensity = fit_intensity(c.fills, min_fills);
  return c;
}

}  // namespace mmsim::eval
