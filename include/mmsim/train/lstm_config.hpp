#pragma once
// The LSTM mid-move forecaster's class mapping and walk-forward blocks, from
// its settings (config section `lstm`, docs/lstm.md). Torch-free.

#include <cstdint>
#include <string>
#include <vector>

#include "mmsim/config/lstm_config.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim::train {

/// C = 2 R / w + 1 classes.
inline int lstm_class_count(const LstmConfig& c) { return 2 * c.max_move_half_ticks / c.class_width_half_ticks + 1; }

/// The class of a mid move of `move` half-ticks: round(clip(move, -R, R) / w)
/// + R / w, rounding halves away from zero (so the mapping is symmetric).
inline int lstm_class_of_move(std::int64_t move, const LstmConfig& c) {
  const std::int64_t r = c.max_move_half_ticks, w = c.class_width_half_ticks;
  const std::int64_t clipped = move < -r ? -r : (move > r ? r : move);
  const std::int64_t magnitude = ((clipped < 0 ? -clipped : clipped) * 2 + w) / (2 * w);
  return static_cast<int>((clipped < 0 ? -magnitude : magnitude) + r / w);
}

/// The move a class stands for, in half-ticks: (class - R / w) x w.
inline int lstm_class_move(int cls, const LstmConfig& c) {
  return (cls - c.max_move_half_ticks / c.class_width_half_ticks) * c.class_width_half_ticks;
}

/// Column names of the C probabilities: lstm_move_m<k>, lstm_move_0,
/// lstm_move_p<k>, k = the class's move in half-ticks.
std::vector<std::string> lstm_column_names(const LstmConfig& c);

/// The training split cut into K blocks of (nearly) equal numbers of rows, in
/// time order. Block k holds the training rows in [begin[k], begin[k + 1]).
struct WalkForwardBlocks {
  std::vector<std::int64_t> begin;  ///< [K + 1] row indices
  int count() const { return static_cast<int>(begin.size()) - 1; }
};

/// Throws ConfigError (lstm.walk_forward_blocks) if a block would be empty.
WalkForwardBlocks plan_walk_forward(const Split& train, int blocks);

/// The parts of `ranges` inside rows [begin, end).
std::vector<RowRange> clip_ranges(const std::vector<RowRange>& ranges, std::int64_t begin, std::int64_t end);

/// The row at ordinal `index` (0-based) of the rows of `ranges`, taken in order;
/// one past the last row when index == the row count.
std::int64_t row_at(const std::vector<RowRange>& ranges, std::int64_t index);

}  // namespace mmsim::train
