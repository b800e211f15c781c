#pragma once
// Pricing an order (docs/mechanics.md, "One step", 2-4): offsets in ticks,
// quote prices around the mid (env.quote_pricing), and the base units a size
// stands for.

#include <cmath>
#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/types.hpp"
#include "mmsim/data/book_row.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// An offset in `unit` (the action table's, a continuous quote's: env.offset_unit) in ticks, at `row`.
MMSIM_HD inline double offset_ticks(OffsetUnit unit, const MarketView& m, double offset, std::int64_t row) {
  switch (unit) {
    case OffsetUnit::price: return offset / m.tick_size;
    case OffsetUnit::half_spread: return offset * 0.5 * static_cast<double>(spread_ticks(m, row));
    case OffsetUnit::ticks: break;
  }
  return offset;
}

/// An offset in `unit` in currency, at `row` (an offset in currency is kept as given).
MMSIM_HD inline double offset_price(OffsetUnit unit, const MarketView& m, double offset, std::int64_t row) {
  return unit == OffsetUnit::price ? offset : offset_ticks(unit, m, offset, row) * m.tick_size;
}

/// Tolerance for placing a quote exactly on the tick grid despite rounding
/// of the offset (e.g. 0.1 / 0.01): far below any meaningful fraction of a tick.
inline constexpr double kGridTolerance = 1e-9;

/// Bid quote: the mid (half-ticks) minus the offset, rounded down to the tick grid.
MMSIM_HD inline Ticks bid_quote_price(std::int64_t mid_half_ticks, double offset) {
  return static_cast<Ticks>(floor(0.5 * (static_cast<double>(mid_half_ticks) - 2.0 * offset) + kGridTolerance));
}

/// Ask quote: the mid plus the offset, rounded up to the tick grid.
MMSIM_HD inline Ticks ask_quote_price(std::int64_t mid_half_ticks, double offset) {
  return static_cast<Ticks>(ceil(0.5 * (static_cast<double>(mid_half_ticks) + 2.0 * offset) - kGridTolerance));
}

/// Prices in ticks as the doubles nearest their decimal values, the way a
/// data file's text ("564.35") reads: ticks / (1 / tick_size) when a tick
/// divides the currency unit (exact integers, one rounding), else
/// ticks x tick_size. Built once per order: the test of the tick is shared.
struct DecimalPrices {
  double ticks_per_unit = 0;  ///< 1 / tick_size when a tick divides the unit; 0 otherwise
  double tick_size = 0;

  MMSIM_HD explicit DecimalPrices(double tick) : tick_size(tick) {
    const double per_unit = floor(1.0 / tick + 0.5);
    if (per_unit >= 1 && fabs(per_unit * tick - 1.0) < 1e-12) ticks_per_unit = per_unit;
  }

  MMSIM_HD double operator()(Ticks ticks) const {
    return ticks_per_unit > 0 ? static_cast<double>(ticks) / ticks_per_unit : static_cast<double>(ticks) * tick_size;
  }
};

/// The mid of `row` in currency as the thesis's code computes it: the mean of
/// the best bid's and best ask's decimal prices, in floating point.
MMSIM_HD inline double float_mid_price(const MarketView& m, const DecimalPrices& decimal, std::int64_t row) {
  return (decimal(m.bid_price(row, 0)) + decimal(m.ask_price(row, 0))) / 2;
}

/// quote_pricing: float_mid. The highest tick price whose decimal price is at
/// or below the bid `quote` (currency): exactly the ask levels the code's
/// `level <= quote` fills, since decimal prices rise with ticks.
MMSIM_HD inline Ticks float_bid_limit(const DecimalPrices& decimal, double quote) {
  auto t = static_cast<Ticks>(floor(quote / decimal.tick_size));
  while (decimal(t + 1) <= quote) ++t;
  while (decimal(t) > quote) --t;
  return t;
}

/// quote_pricing: float_mid. The lowest tick price whose decimal price is at
/// or above the ask `quote` (currency): the bid levels `level >= quote` fills.
MMSIM_HD inline Ticks float_ask_limit(const DecimalPrices& decimal, double quote) {
  auto t = static_cast<Ticks>(ceil(quote / decimal.tick_size));
  while (decimal(t - 1) >= quote) --t;
  while (decimal(t) < quote) ++t;
  return t;
}

/// Base units a quote of `size` (lots or notional) at `price` ticks stands for.
MMSIM_HD inline double quote_units(const StepParams& p, const MarketView& m, double size, Ticks price) {
  return p.size_unit == SizeUnit::base ? size * m.lot_size : size / (static_cast<double>(price) * m.tick_size);
}

/// Bound on |offset| of an explicit quote, in ticks (exclusive): far beyond
/// any book, and small enough that the quote's price converts to Ticks exactly.
inline constexpr double kMaxQuoteOffsetTicks = 1e12;

/// A size >= 0 and finite (x - x is NaN for infinities, 0 otherwise).
MMSIM_HD inline bool valid_size(double x) { return x >= 0 && x - x == 0; }

/// True when an explicit quote can be placed: offsets below the bound (so
/// finite) and valid sizes.
MMSIM_HD inline bool valid_quote(const ActionRow& q) {
  return fabs(q.bid_offset) < kMaxQuoteOffsetTicks && fabs(q.ask_offset) < kMaxQuoteOffsetTicks &&
         valid_size(q.bid_size) && valid_size(q.ask_size);
}

/// The order the agent sends for `quote` (offsets in `unit`) when it sees
/// `seen`, priced by env.quote_pricing around that row's mid: on the tick
/// grid, or at the tick limits of the floating-point quote; a side priced at
/// or below 0 ticks is not quoted.
MMSIM_HD inline SentOrder price_order(const StepParams& p, const MarketView& m, std::int64_t seen,
                                      const ActionRow& quote, OffsetUnit unit) {
  SentOrder sent;
  if (p.quote_pricing == QuotePricing::float_mid) {
    const DecimalPrices decimal(m.tick_size);
    const double mid = float_mid_price(m, decimal, seen);
    sent.bid_price = float_bid_limit(decimal, mid - offset_price(unit, m, quote.bid_offset, seen));
    sent.ask_price = float_ask_limit(decimal, mid + offset_price(unit, m, quote.ask_offset, seen));
  } else {
    const std::int64_t mid = mid_half_ticks(m, seen);
    sent.bid_price = bid_quote_price(mid, offset_ticks(unit, m, quote.bid_offset, seen));
    sent.ask_price = ask_quote_price(mid, offset_ticks(unit, m, quote.ask_offset, seen));
  }
  sent.bid_size = sent.bid_price > 0 ? quote.bid_size : 0.0;
  sent.ask_size = sent.ask_price > 0 ? quote.ask_size : 0.0;
  return sent;
}

}  // namespace mmsim
