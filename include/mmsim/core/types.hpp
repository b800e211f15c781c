#pragma once
// Integer units of the order book. Prices are integer ticks of the instrument
// and sizes integer lots; conversion happens once, in the loaders.

#include <cstdint>

namespace mmsim {

using Ticks = std::int64_t;  ///< price in ticks of the instrument
using Lots = std::int64_t;   ///< size in lots of the instrument
using Nanos = std::int64_t;  ///< time in nanoseconds

/// Price stored for an empty ask level (its size is 0). Far above any real
/// price, so "ask price <= x" never holds for it.
inline constexpr Ticks kEmptyAskTicks = INT64_C(1) << 60;
/// Price stored for an empty bid level (its size is 0).
inline constexpr Ticks kEmptyBidTicks = -(INT64_C(1) << 60);

}  // namespace mmsim
