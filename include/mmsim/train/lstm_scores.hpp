#pragma once
// Scores of mid-move forecasts (docs/lstm.md, "Report"): cross-entropy,
// class accuracy and direction accuracy, of the LSTM's probabilities and of
// two baselines.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "mmsim/data/splits.hpp"
#include "mmsim/train/lstm_config.hpp"
#include "mmsim/train/lstm_data.hpp"

namespace mmsim::train {

/// Scores of a forecast over rows with a next move.
struct LstmScores {
  std::int64_t rows = 0;        ///< rows with a next move
  std::int64_t moved_rows = 0;  ///< of those, rows where the mid moved
  double cross_entropy = 0;     ///< mean -log p(true class), nats; NaN for forecasts without probabilities
  double accuracy = 0;          ///< most probable class == true class
  double direction_accuracy = 0;  ///< over moved rows: sign of the most probable class's move == sign of the move
};

/// Scores of probabilities [T, C] (any device and float type) on the rows of `ranges`.
LstmScores score_forecast(const torch::Tensor& probabilities, const LstmData& data,
                          const std::vector<RowRange>& ranges, const LstmConfig& config);
/// The class frequencies of the training split's targets (add-one smoothed), [C] float64.
torch::Tensor training_class_frequencies(const LstmData& data, const LstmConfig& config);
/// Baseline: always the training split's most frequent class (cross-entropy of its frequencies).
LstmScores score_most_frequent(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config);
/// Baseline: the class and sign of the last move (no cross-entropy).
LstmScores score_last_move(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config);

}  // namespace mmsim::train
