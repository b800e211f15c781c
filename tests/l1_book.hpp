#pragma once
// A hand-made one-level book for the fill-probability env's and the tabular
// learners' tests.

#include <cstdint>
#include <vector>

#include "mmsim/data/market.hpp"

namespace mmsim::test {

/// A one-level book of `rows` rows, tick 0.01, all in one session and one
/// training range.
struct L1Book {
  BookTensor book;
  Splits splits;
  EnvData data() const { return {&book, nullptr, &splits}; }
};

/// Prices in ticks and depths in lots per row.
inline L1Book make_book(const std::vector<Ticks>& bid, const std::vector<Ticks>& ask, const std::vector<Lots>& bid_depth,
                        const std::vector<Lots>& ask_depth) {
  L1Book b;
  b.book.instrument = {0.01, 1.0};
  b.book.depth = 1;
  const std::int64_t rows = static_cast<std::int64_t>(bid.size());
  for (std::int64_t r = 0; r < rows; ++r) b.book.time_ns.push_back(r * 1000000000LL);
  b.book.bid_price = bid;
  b.book.ask_price = ask;
  b.book.bid_size = bid_depth;
  b.book.ask_size = ask_depth;
  b.book.source_line.assign(static_cast<std::size_t>(rows), 1);
  b.book.session_begin = {0, rows};
  b.book.session_names = {"s"};
  b.splits.train.ranges = {{0, rows}};
  return b;
}

}  // namespace mmsim::test
