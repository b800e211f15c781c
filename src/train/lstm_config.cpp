#include "mmsim/train/lstm_config.hpp"

#include <algorithm>
#include <cmath>

#include "mmsim/core/error.hpp"

namespace mmsim::train {
namespace {

void require(bool ok, const char* key, const std::string& value, const std::string& allowed) {
  if (!ok) throw ConfigError(key, value + " is not allowed: " + allowed);
}

std::string number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

void validate(const LstmConfig& c) {
  using std::to_string;
  require(c.hidden >= 1 && c.hidden <= 4096, "lstm.hidden", to_string(c.hidden), "an integer in [1, 4096]");
  require(c.max_move_half_ticks >= 1 && c.max_move_half_ticks <= 1000, "lstm.max_move_half_ticks",
          to_string(c.max_move_half_ticks), "an integer in [1, 1000]");
  require(c.class_width_half_ticks >= 1 && c.max_move_half_ticks % c.class_width_half_ticks == 0,
          "lstm.class_width_half_ticks", to_string(c.class_width_half_ticks),
          "an integer >= 1 that divides lstm.max_move_half_ticks (" + to_string(c.max_move_half_ticks) + ")");
  require(c.sequence_length >= 1, "lstm.sequence_length", to_string(c.sequence_length), "an integer >= 1");
  require(c.batch_size >= 1, "lstm.batch_size", to_string(c.batch_size), "an integer >= 1");
  require(c.epochs >= 1, "lstm.epochs", to_string(c.epochs), "an integer >= 1");
  require(c.patience >= 1, "lstm.patience", to_string(c.patience), "an integer >= 1");
  require(std::isfinite(c.learning_rate) && c.learning_rate > 0, "lstm.learning_rate", number(c.learning_rate),
          "a number > 0");
  require(std::isfinite(c.clip_norm) && c.clip_norm > 0, "lstm.clip_norm", number(c.clip_norm), "a number > 0");
  require(c.walk_forward_blocks >= 2 && c.walk_forward_blocks <= 100, "lstm.walk_forward_blocks",
          to_string(c.walk_forward_blocks), "an integer in [2, 100]");
  require(c.fold_validation_fraction > 0 && c.fold_validation_fraction < 1, "lstm.fold_validation_fraction",
          number(c.fold_validation_fraction), "a fraction in (0, 1)");
}

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
