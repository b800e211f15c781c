#pragma once
// Validation of one order-book row that is already in ticks and lots.

#include <cstdint>
#include <string>

#include "mmsim/core/types.hpp"

namespace mmsim::detail {

enum class Field { bid_price, bid_size, ask_price, ask_size };

/// The first violated rule of a row: which level and field, and why.
struct RowProblem {
  int level = 0;  ///< 0-based
  Field field = Field::bid_price;
  std::string message;
};

/// Checks a row of `depth` levels per side (empty levels marked by the
/// kEmpty*Ticks prices): sizes > 0 on occupied levels and 0 on empty ones,
/// empty levels only after occupied ones, asks strictly ascending, bids
/// strictly descending, both best levels occupied and best bid < best ask,
/// prices below kMaxBookTicks and sizes below kMaxBookLots.
/// Returns false and fills `problem` at the first violation.
bool check_row(const Ticks* bid_price, const Lots* bid_size, const Ticks* ask_price, const Lots* ask_size,
               int depth, RowProblem* problem);

}  // namespace mmsim::detail
