#pragma once
// Fitting one LSTM forecaster (docs/lstm.md, "Training"): epochs of truncated
// back-propagation through time, gradient clipping and early stopping on
// held-out rows.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "mmsim/data/splits.hpp"
#include "mmsim/train/lstm_config.hpp"
#include "mmsim/train/lstm_data.hpp"
#include "mmsim/train/lstm_net.hpp"

namespace mmsim::train {

/// One epoch of a fit.
struct LstmEpoch {
  int epoch = 0;                  ///< 1-based
  double train_cross_entropy = 0;  ///< mean over the epoch's chunks, in nats
  double train_accuracy = 0;
  double holdout_cross_entropy = 0;
  double holdout_accuracy = 0;
  double seconds = 0;
  bool best = false;  ///< lowest holdout cross-entropy so far (these weights are kept)
};
using LstmProgress = std::function<void(const LstmEpoch&)>;

struct LstmFit {
  LstmNet net{nullptr};
  std::vector<LstmEpoch> epochs;
  int best_epoch = 0;
};

/// Fits a net with weights drawn from `seed` on the rows of `fit` and keeps
/// the epoch with the lowest cross-entropy on the rows of `holdout`
/// (patience: config.patience epochs). A row's target is the class of its
/// next move and is used only when row t + 1 lies in the same range of
/// `fit` (or `holdout`), so the fit reads no row outside its ranges'
/// rows and the rows before them. Training: the fit ranges are cut into
/// about batch_size contiguous streams that step together in chunks of
/// sequence_length rows, the state carried from chunk to chunk (truncated
/// back-propagation through time), as the forecast carries it. Computes on
/// `device`; the returned net stays there, in eval mode.
LstmFit fit_lstm(const LstmData& data, const std::vector<RowRange>& fit, const std::vector<RowRange>& holdout,
                 const LstmConfig& config, std::uint64_t seed, torch::Device device, const LstmProgress& progress = {});

}  // namespace mmsim::train
