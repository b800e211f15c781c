#pragma once
// The walk-forward models behind the LSTM feature columns and their
// out-of-fold columns (docs/lstm.md, "Out-of-fold columns for the training
// rows").

#include <torch/types.h>

#include <cstdint>
#include <ostream>
#include <vector>

#include "mmsim/data/splits.hpp"
#include "mmsim/train/lstm_config.hpp"
#include "mmsim/train/lstm_data.hpp"
#include "mmsim/train/lstm_fit.hpp"
#include "mmsim/train/lstm_net.hpp"

namespace mmsim::train {

/// The models behind the columns.
struct LstmModels {
  LstmNet full{nullptr};       ///< fitted on the training split, early-stopped on the validation split
  std::vector<LstmNet> folds;  ///< folds[k - 1]: fitted on the training rows of blocks < k, k = 1..K-1
  WalkForwardBlocks blocks;
  std::uint64_t data_key = 0;  ///< lstm_data_key() of the data they were fitted on
  std::vector<LstmFit> fits;   ///< the training history (full first), empty for loaded models
};

/// Fits the full model and the K - 1 fold models on `device`, printing
/// progress to `out`. Fold k holds out the last fold_validation_fraction of
/// its rows for early stopping. Throws ConfigError when a fold has too few rows.
LstmModels train_lstm_models(const LstmData& data, const LstmConfig& config, std::uint64_t seed, torch::Device device,
                             std::ostream& out);

/// The columns [T, C] float32 CPU: on the training rows of block k >= 1 the
/// forecast of fold k, on block 0 the uniform 1 / C (no earlier rows to fit
/// on; these rows leave the agent's training split), elsewhere the full model.
/// `full_forecast`: lstm_forecast(models.full, ...) when already computed.
torch::Tensor lstm_columns(const LstmModels& models, const LstmData& data, torch::Device device,
                           const torch::Tensor& full_forecast = {});

/// The training split without walk-forward block 0: the rows on which the
/// agent trains when it sees the LSTM columns, and the rows whose columns
/// are out of fold.
Split lstm_agent_train(const Split& train, const WalkForwardBlocks& blocks);

}  // namespace mmsim::train
