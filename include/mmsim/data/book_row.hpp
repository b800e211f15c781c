#pragma once
// The rules of a book row, written once for the host and the device: the mid
// (in half-ticks, ticks and currency), the spread, the session a row belongs
// to and the mid move into a row. `Book` is any type with [T, L] tick views
// `bid_price` and `ask_price`: BookPrices (BookTensor::prices()), MarketView,
// FeatureInputs. CUDA-free and Torch-free.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/types.hpp"
#include "mmsim/core/view.hpp"

namespace mmsim {

/// The price columns of a book: [T, L] ticks, level 0 best, in host or device memory.
struct BookPrices {
  View2D<const Ticks> bid_price, ask_price;
};

/// Mid of `row` in half-ticks: best bid + best ask in ticks, so exact.
template <class Book>
MMSIM_HD std::int64_t mid_half_ticks(const Book& book, std::int64_t row) {
  return book.bid_price(row, 0) + book.ask_price(row, 0);
}

/// Mid of `row` in ticks (a multiple of a half tick).
template <class Book>
MMSIM_HD double mid_ticks(const Book& book, std::int64_t row) {
  return 0.5 * static_cast<double>(mid_half_ticks(book, row));
}

/// Mid of `row` in currency, for a tick of `tick_size` currency.
template <class Book>
MMSIM_HD double mid_price(const Book& book, std::int64_t row, double tick_size) {
  return mid_ticks(book, row) * tick_size;
}

/// Best ask minus best bid of `row`, ticks (> 0 on every row of a loaded book).
template <class Book>
MMSIM_HD Ticks spread_ticks(const Book& book, std::int64_t row) {
  return book.ask_price(row, 0) - book.bid_price(row, 0);
}

/// Index of the session holding `row`. `session_begin` [S + 1]: the first
/// row of each session, then T (BookTensor::session_begin). Binary search.
MMSIM_HD inline std::int64_t session_index(const View<const std::int64_t>& session_begin, std::int64_t row) {
  std::int64_t lo = 0, hi = session_begin.size - 2;
  while (lo < hi) {
    const std::int64_t mid = (lo + hi + 1) / 2;
    if (session_begin[mid] <= row) lo = mid; else hi = mid - 1;
  }
  return lo;
}

/// First row of the session holding `row`.
MMSIM_HD inline std::int64_t session_start_of(const View<const std::int64_t>& session_begin, std::int64_t row) {
  return session_begin[session_index(session_begin, row)];
}

/// One past the last row of the session holding `row`.
MMSIM_HD inline std::int64_t session_end_of(const View<const std::int64_t>& session_begin, std::int64_t row) {
  return session_begin[session_index(session_begin, row) + 1];
}

/// Mid move into `row` in half-ticks, given the first row of its session:
/// 0 on that first row, so no move spans two sessions.
template <class Book>
MMSIM_HD std::int64_t mid_move_half_ticks(const Book& book, std::int64_t session_start, std::int64_t row) {
  return row == session_start ? 0 : mid_half_ticks(book, row) - mid_half_ticks(book, row - 1);
}

}  // namespace mmsim
