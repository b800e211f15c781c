#pragma once
// What the LSTM mid-move forecaster learns from (docs/lstm.md, "Targets and
// classes"): the normalised market features, the mid moves in half-ticks and
// their class targets, all on the host.

#include <torch/types.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/train/lstm_config.hpp"

namespace mmsim::train {

/// Marks a row without a next move (the last row of its split range).
inline constexpr std::int64_t kNoMove = std::numeric_limits<std::int64_t>::min();

/// What the forecaster reads, on the host.
struct LstmData {
  torch::Tensor inputs;                     ///< [T, F] float32 CPU, owned: the normalised market features
  std::vector<std::int64_t> next_move;      ///< [T] mid move from row t to t + 1 in half-ticks; kNoMove unless
                                            ///< t + 1 lies in the same split range as t
  std::vector<std::int64_t> last_move;      ///< [T] mid move into row t in half-ticks; 0 on a session's first row
  std::vector<std::int64_t> session_begin;  ///< [S + 1] first row of each session, then T
  Splits splits;
  std::int64_t rows() const { return inputs.size(0); }
  std::int64_t columns() const { return inputs.size(1); }
};

/// `table` must be normalised and hold only the market columns (no LSTM
/// columns): the forecaster's inputs never include its own outputs.
LstmData make_lstm_data(const BookTensor& book, const FeatureTable& table, const Splits& splits);

/// Class targets [T] int64 CPU, -1 where there is none: a row of `ranges`
/// has the class of its next move when row t + 1 lies in the same range.
torch::Tensor lstm_targets_within(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config);

/// Hash of what the models depend on: the inputs, the moves, the sessions and
/// splits, and the class and architecture settings.
std::uint64_t lstm_data_key(const LstmData& data, const LstmConfig& config);

}  // namespace mmsim::train
