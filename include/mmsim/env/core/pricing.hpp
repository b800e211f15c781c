#pragma once
// Pricing an order (docs/mechanics.md, "One step", 2-4): offsets in ticks,
// quote prices on the tick grid around the mid, and the base units a size
// stands for.

#include <cmath>
#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/types.hpp"
#include "mmsim/data/book_row.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// An offset in env.offset_unit (the action table's, a continuous quote's) in ticks, at `row`.
MMSIM_HD inline double offset_ticks(const StepParams& p, const MarketView& m, double offset, std::int64_t row) {
  switch (p.offset_unit) {
    case OffsetUnit::price: return offset / m.tick_size;
    case OffsetUnit::half_spread: return offset * 0.5 * static_cast<double>(spread_ticks(m, row));
    case OffsetUnit::ticks: break;
  }
  return offset;
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

/// The order the agent sends for `quote` (offsets in ticks) when it sees
/// `seen`: prices on the tick grid around that row's mid; a side priced at or
/// below 0 ticks is not quoted.
MMSIM_HD inline SentOrder price_order(const MarketView& m, std::int64_t seen, const ActionRow& quote) {
  const std::int64_t mid = mid_half_ticks(m, seen);
  SentOrder sent;
  sent.bid_price = bid_quote_price(mid, quote.bid_offset);
  sent.ask_price = ask_quote_price(mid, quote.ask_offset);
  sent.bid_size = sent.bid_price > 0 ? quote.bid_size : 0.0;
  sent.ask_size = sent.ask_price > 0 ? quote.ask_size : 0.0;
  return sent;
}

}  // namespace mmsim
