#pragma once
// The per-row feature formulas, written once for the CPU reference and the
// CUDA kernel (docs/features.md). CUDA-free and Torch-free.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/types.hpp"
#include "mmsim/core/view.hpp"
#include "mmsim/data/book_row.hpp"

namespace mmsim {

inline constexpr int kMaxRsiWindows = 8;

/// Everything the formulas read. Views point to host or device memory alike;
/// the book's rules (mid, session) are those of mmsim/data/book_row.hpp.
struct FeatureInputs {
  View2D<const Ticks> bid_price, ask_price;  ///< [T, L]
  View2D<const Lots> bid_size, ask_size;     ///< [T, L]
  View2D<const Lots> bid_cum, ask_cum;       ///< [T, L] inclusive scans of the sizes along each row
  View<const Nanos> time_ns;                 ///< [T]
  View<const std::int64_t> session_begin;    ///< [S + 1]
  View<const std::int64_t> up_prefix;        ///< [T] inclusive scan of the upward mid moves (half-ticks)
  View<const std::int64_t> down_prefix;      ///< [T] inclusive scan of the downward mid moves (half-ticks)
  int depth = 0;                             ///< L used by the table (<= the book's columns)
  int rsi_count = 0;
  int rsi_windows[kMaxRsiWindows] = {};
};

/// Price of a level for the price features: an empty level takes the price of
/// the deepest occupied level on its side.
MMSIM_HD inline Ticks effective_price(const View2D<const Ticks>& price, std::int64_t row, int level, Ticks empty) {
  while (level > 0 && price(row, level) == empty) --level;
  return price(row, level);
}

/// RSI over the last `window` mid moves of the session (simple averages):
/// 100 * U / (U + D), 50 when the mid did not move in the window.
MMSIM_HD inline double rsi_value(const FeatureInputs& in, std::int64_t row, std::int64_t session_start, int window) {
  const std::int64_t lo = row - window > session_start ? row - window : session_start;
  const std::int64_t up = in.up_prefix[row] - in.up_prefix[lo];
  const std::int64_t down = in.down_prefix[row] - in.down_prefix[lo];
  if (up + down == 0) return 50.0;
  return 100.0 * static_cast<double>(up) / static_cast<double>(up + down);
}

/// Writes the 10 L + 2 + rsi_count raw features of `row` to `out`, in the
/// column order of FeatureLayout.
MMSIM_HD inline void compute_feature_row(const FeatureInputs& in, std::int64_t row, float* out) {
  const int depth = in.depth;
  const std::int64_t session_start = session_start_of(in.session_begin, row);
  const std::int64_t mid2 = mid_half_ticks(in, row);
  const double mid2_d = static_cast<double>(mid2);
  out[0] = static_cast<float>(0.5 * static_cast<double>(mid_move_half_ticks(in, session_start, row)));
  for (int level = 0; level < depth; ++level) {
    const Ticks bid = effective_price(in.bid_price, row, level, kEmptyBidTicks);
    const Ticks ask = effective_price(in.ask_price, row, level, kEmptyAskTicks);
    out[1 + level] = static_cast<float>(0.5 * static_cast<double>(2 * bid - mid2));
    out[1 + depth + level] = static_cast<float>(0.5 * static_cast<double>(2 * ask - mid2));
    out[1 + 2 * depth + level] = static_cast<float>(ask - bid);
    out[1 + 3 * depth + level] = static_cast<float>(2.0 * static_cast<double>(bid) / mid2_d - 1.0);
    out[1 + 4 * depth + level] = static_cast<float>(2.0 * static_cast<double>(ask) / mid2_d - 1.0);
    out[1 + 5 * depth + level] = static_cast<float>(in.bid_size(row, level));
    out[1 + 6 * depth + level] = static_cast<float>(in.ask_size(row, level));
    const Lots bid_cum = in.bid_cum(row, level);
    const Lots ask_cum = in.ask_cum(row, level);
    out[1 + 7 * depth + level] = static_cast<float>(bid_cum);
    out[1 + 8 * depth + level] = static_cast<float>(ask_cum);
    out[1 + 9 * depth + level] =
        static_cast<float>(static_cast<double>(bid_cum - ask_cum) / static_cast<double>(bid_cum + ask_cum));
  }
  out[1 + 10 * depth] =
      row == session_start ? 0.0f : static_cast<float>(1e-9 * static_cast<double>(in.time_ns[row] - in.time_ns[row - 1]));
  for (int w = 0; w < in.rsi_count; ++w) {
    out[2 + 10 * depth + w] = static_cast<float>(rsi_value(in, row, session_start, in.rsi_windows[w]));
  }
}

}  // namespace mmsim
