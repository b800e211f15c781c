#include "mmsim/train/lstm_config.hpp"

#include <algorithm>

#include "mmsim/core/error.hpp"

namespace mmsim::train {

std::vector<std::string> lstm_column_names(const LstmConfig& c) {
  std::vector<std::string> names;
  for (int k = 0; k < lstm_class_count(c); ++k) {
    const int move = lstm_class_move(k, c);
    names.push_back("lstm_move_" + (move < 0 ? "m" + std::to_string(-move) : move > 0 ? "p" + std::to_string(move) : "0"));
  }
  return names;
}

std::int64_t row_at(const std::vector<RowRange>& ranges, std::int64_t index) {
  std::int64_t last = 0;
  for (const RowRange& r : ranges) {
    if (index < r.size()) return r.begin + index;
    index -= r.size();
    last = r.end;
  }
  return last;
}

std::vector<RowRange> clip_ranges(const std::vector<RowRange>& ranges, std::int64_t begin, std::int64_t end) {
  std::vector<RowRange> out;
  for (const RowRange& r : ranges) {
    const RowRange c{std::max(r.begin, begin), std::min(r.end, end)};
    if (c.size() > 0) out.push_back(c);
  }
  return out;
}

WalkForwardBlocks plan_walk_forward(const Split& train, int blocks) {
  const std::int64_t rows = train.rows();
  if (blocks < 2 || rows < blocks) {
    throw ConfigError("lstm.walk_forward_blocks", std::to_string(blocks) + " blocks of " + std::to_string(rows) +
                                                      " training rows: need 2 or more blocks of at least one row");
  }
  WalkForwardBlocks plan;
  for (int k = 0; k < blocks; ++k) plan.begin.push_back(row_at(train.ranges, rows * k / blocks));
  plan.begin.push_back(train.ranges.back().end);
  return plan;
}

}  // namespace mmsim::train
