#pragma once
// Integer units of the order book. Prices are integer ticks of the instrument
// and sizes integer lots; conversion happens once, in the loaders.

#include <cstdint>

namespace mmsim {

using Ticks = std::int64_t;  ///< price in ticks of the instrument
using Lots = std::int64_t;   ///< size in lots of the instrument
using Nanos = std::int64_t;  ///< time in nanoseconds

/// Prices a book holds are below 2^53 ticks: exact in a double.
inline constexpr Ticks kMaxBookTicks = INT64_C(1) << 53;
/// Sizes a book holds are below 2^40 lots: a row's sizes summed over its
/// levels stay exact in a double and far from int64 overflow.
inline constexpr Lots kMaxBookLots = INT64_C(1) << 40;

/// Price stored for an empty ask level (its size is 0). Far above any real
/// price, so "ask price <= x" never holds for it.
inline constexpr Ticks kEmptyAskTicks = INT64_C(1) << 60;
/// Price stored for an empty bid level (its size is 0).
inline constexpr Ticks kEmptyBidTicks = -(INT64_C(1) << 60);

}  // namespace mmsim
