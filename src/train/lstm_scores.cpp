#include "mmsim/train/lstm_scores.hpp"

#include <algorithm>
#include <cmath>

#include "mmsim/core/error.hpp"

namespace mmsim::train {
namespace {

/// Calls `score(row, move)` for each row of `ranges` with a next move, in order.
template <class Score>
void for_each_next_move(const LstmData& data, const std::vector<RowRange>& ranges, Score&& score) {
  for (const RowRange& r : ranges) {
    for (std::int64_t row = r.begin; row < r.end; ++row) {
      const std::int64_t move = data.next_move[row];
      if (move != kNoMove) score(row, move);
    }
  }
}

/// sum / count, NaN over no rows.
double mean_or_nan(double sum, std::int64_t count) {
  return count > 0 ? sum / static_cast<double>(count) : std::nan("");
}

}  // namespace

LstmScores score_forecast(const torch::Tensor& probabilities, const LstmData& data,
                          const std::vector<RowRange>& ranges, const LstmConfig& config) {
  const auto C = static_cast<std::int64_t>(lstm_class_count(config));
  const torch::Tensor p = probabilities.to(torch::kCPU).to(torch::kFloat64).contiguous();
  MMSIM_ASSERT(p.dim() == 2 && p.size(1) == C, "forecast with the wrong class count");
  const double* values = p.data_ptr<double>();
  const std::int64_t stride = p.size(0) == 1 ? 0 : C;  // one row: the same forecast everywhere
  LstmScores s;
  double ce = 0;
  std::int64_t correct = 0, direction = 0;
  for_each_next_move(data, ranges, [&](std::int64_t row, std::int64_t move) {
    const double* q = values + row * stride;
    const int target = lstm_class_of_move(move, config);
    const int best = static_cast<int>(std::max_element(q, q + C) - q);
    ++s.rows;
    ce -= std::log(std::max(q[target], 1e-12));
    correct += best == target;
    if (move != 0) {
      ++s.moved_rows;
      const int predicted = lstm_class_move(best, config);
      direction += (predicted > 0) == (move > 0) && predicted != 0;
    }
  });
  s.cross_entropy = mean_or_nan(ce, s.rows);
  s.accuracy = mean_or_nan(static_cast<double>(correct), s.rows);
  s.direction_accuracy = mean_or_nan(static_cast<double>(direction), s.moved_rows);
  return s;
}

torch::Tensor training_class_frequencies(const LstmData& data, const LstmConfig& config) {
  torch::Tensor counts = torch::ones({lstm_class_count(config)}, torch::kFloat64);
  auto* c = counts.data_ptr<double>();
  for_each_next_move(data, data.splits.train.ranges,
                     [&](std::int64_t, std::int64_t move) { c[lstm_class_of_move(move, config)] += 1; });
  return counts / counts.sum();
}

LstmScores score_most_frequent(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config) {
  // One row of probabilities stands for every row (score_forecast's stride 0).
  return score_forecast(training_class_frequencies(data, config).unsqueeze(0), data, ranges, config);
}

LstmScores score_last_move(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config) {
  LstmScores s;
  std::int64_t correct = 0, direction = 0;
  for_each_next_move(data, ranges, [&](std::int64_t row, std::int64_t move) {
    const std::int64_t last = data.last_move[row];
    ++s.rows;
    correct += lstm_class_of_move(last, config) == lstm_class_of_move(move, config);
    if (move != 0) {
      ++s.moved_rows;
      direction += last != 0 && (last > 0) == (move > 0);
    }
  });
  s.cross_entropy = std::nan("");
  s.accuracy = mean_or_nan(static_cast<double>(correct), s.rows);
  s.direction_accuracy = mean_or_nan(static_cast<double>(direction), s.moved_rows);
  return s;
}

}  // namespace mmsim::train
