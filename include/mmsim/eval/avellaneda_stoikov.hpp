#pragma once
// Avellaneda-Stoikov baselines (docs/baselines.md): the optimal quotes of the
// finite-horizon model (Avellaneda and Stoikov, 2008) and of its asymptotic
// closed-form approximation (Gueant, Lehalle and Fernandez-Tapia, 2013), and
// their calibration on a split of the book. Pure functions.
//
// Units: prices in currency per base unit (e.g. USD per share); time in env
// steps. The model's unit of trade is one order of `order_size` base units
// (Delta): the inventory is q = position / Delta orders, and the formulas are
// applied with sigma_u = Delta * sigma and kappa_u = kappa / Delta, their
// distances (currency per order) divided by Delta back to currency per base
// unit. This is Gueant's (2017) form with trade size Delta; for Delta = 1 it
// is exactly the 2013 paper.

#include <cstdint>
#include <vector>

#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim::eval {

/// Fill intensity lambda(d) = A exp(-kappa d): fills per step of a quote d
/// currency per base unit away from the mid.
struct IntensityModel {
  double A = 0;      ///< fills per step at d = 0
  double kappa = 0;  ///< 1/currency (per base unit of price distance)
};

struct AsModel {
  double sigma = 0;       ///< std of the mid change per env step, currency per base unit
  double A = 0;           ///< fills per step at distance 0
  double kappa = 0;       ///< 1/currency
  double gamma = 0;       ///< absolute risk aversion on wealth, 1/currency
  double order_size = 1;  ///< Delta, base units per order
};

/// Distances from the mid, currency per base unit: bid = mid - bid_distance,
/// ask = mid + ask_distance. Either may be negative (a quote through the mid).
struct AsQuotes {
  double bid_distance = 0;
  double ask_distance = 0;
};

/// Finite-horizon Avellaneda-Stoikov (2008), per order of Delta:
/// reservation price r = s - q gamma sigma_u^2 (T - t), total spread
/// gamma sigma_u^2 (T - t) + (2 / gamma) ln(1 + gamma / kappa_u), quotes
/// symmetric around r; distances divided by Delta. `position` in base units,
/// `steps_left` = T - t >= 0 in env steps. Throws ConfigError
/// ("baselines.as.<field>") for gamma, kappa, A or order_size <= 0 or sigma < 0.
AsQuotes finite_horizon_quotes(const AsModel& m, double position, double steps_left);

/// Gueant, Lehalle and Fernandez-Tapia (2013), asymptotic closed form (no
/// horizon), per order of Delta, with
/// c = sqrt(sigma_u^2 gamma / (2 kappa_u A) (1 + gamma / kappa_u)^(1 + kappa_u / gamma)):
///   delta_b = (1 / gamma) ln(1 + gamma / kappa_u) + (2q + 1) / 2 c
///   delta_a = (1 / gamma) ln(1 + gamma / kappa_u) - (2q - 1) / 2 c
/// divided by Delta. Throws like finite_horizon_quotes.
AsQuotes glft_quotes(const AsModel& m, double position);

/// Population std (mean removed) of mid[t + 1] - mid[t] over consecutive rows
/// inside each range of `split` (level 0 mid, currency per base unit per
/// step). Steps never join two ranges. Throws Error if the split has fewer
/// than 2 steps.
double estimate_sigma(const BookTensor& book, const Split& split);

/// How often a quote d currency away from the mid would have filled under the
/// env's cross fill rule, with the quote resting one step: over each step
/// t -> t + 1 inside a range, a bid at mid_t - d fills iff best ask[t + 1] <=
/// mid_t - d, an ask at mid_t + d iff best bid[t + 1] >= mid_t + d.
struct DistanceFills {
  std::vector<double> distance;     ///< [count] (j + 1) x spacing, currency per base unit
  std::vector<std::int64_t> fills;  ///< [count] fills at each distance, both sides pooled
  std::int64_t trials = 0;          ///< 2 x steps: one bid and one ask per step
};

/// Counts fills at `count` distances every `spacing` currency, in
/// O(steps + count). Throws Error for spacing <= 0 or count < 1.
DistanceFills count_distance_fills(const BookTensor& book, const Split& split, double spacing, int count);

/// Fits ln(fills_j / trials) = ln A - kappa d_j by least squares weighted by
/// fills_j (the inverse variance of the log of a rare binomial frequency) over
/// the distances with at least `min_fills` fills (>= 1). Throws Error naming
/// the problem if fewer than 2 distances qualify or the fitted kappa <= 0.
IntensityModel fit_intensity(const DistanceFills& fills, std::int64_t min_fills = 20);

struct Calibration {
  double sigma = 0;  ///< currency per base unit per step
  IntensityModel intensity;
  DistanceFills fills;  ///< the counts the intensity was fitted to
};

/// sigma and (A, kappa) on `split`, with distances every half tick up to
/// `max_distance_ticks` ticks (in [1, 1e6]), fitted over the distances with
/// at least `min_fills` fills. Throws Error when either cannot be estimated.
Calibration calibrate(const BookTensor& book, const Split& split, double max_distance_ticks = 50,
                      std::int64_t min_fills = 20);

}  // namespace mmsim::eval
