#pragma once
// The LSTM mid-move forecaster (docs/lstm.md): a one-layer LSTM over the
// normalised market features, a linear layer to C classes of the next mid
// move, trained with cross-entropy; its out-of-fold (walk-forward) forecasts
// over every row, cached on disk, become C extra feature columns.
//
// This header holds what the commands call: fitting and saving the models
// with their report (`mmsim lstm train`), the saved models' columns and
// scores (`mmsim lstm features`), and the columns appended to the agent's
// features (`mmsim train` and `mmsim eval`). The pieces: lstm_data.hpp (what
// it learns from), lstm_net.hpp (the network and its forecast), lstm_fit.hpp
// (fitting one model), lstm_walk_forward.hpp (the models behind the columns),
// lstm_files.hpp (model files and column cache), lstm_scores.hpp and
// lstm_report.hpp (scores and report). Device-generic: every function takes
// the torch::Device to compute on and returns host tensors.

#include <torch/types.h>

#include <ostream>

#include "mmsim/config/config.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/train/lstm_data.hpp"
#include "mmsim/train/lstm_files.hpp"
#include "mmsim/train/lstm_report.hpp"
#include "mmsim/train/lstm_walk_forward.hpp"

namespace mmsim::train {

/// What `mmsim lstm train` produced.
struct LstmTraining {
  LstmModels models;    ///< on `device`, with their training history
  LstmReport report;
  LstmColumns columns;  ///< the feature columns of the models, cached
  double fit_seconds = 0;  ///< fitting the models and forecasting every row
};

/// Fits the full and walk-forward models on `data` with config.lstm and
/// config.seed (progress to `out`), scores them, writes them with report.md,
/// report.json, epochs.csv and config.yaml (`config` as YAML) to
/// lstm_dir_of(config), and caches their columns in cache_dir_in_use(config).
LstmTraining train_lstm(const Config& config, const LstmData& data, torch::Device device, std::ostream& out);

/// What `mmsim lstm features` produced.
struct LstmFeatureCheck {
  LstmColumns columns;  ///< read from the cache, or computed (and cached when the cache is on)
  LstmReport report;
};

/// The columns of the models in lstm_dir_of(config), through the cache in
/// cache_dir_in_use(config), and their scores. Throws Error telling to run
/// `mmsim lstm train` when no fitting model exists.
LstmFeatureCheck check_lstm_features(const Config& config, const LstmData& data, torch::Device device);

/// For `mmsim train` and `mmsim eval` with features.lstm: appends the LSTM
/// columns (lstm_column_names) of the models in lstm_dir_of(config) to
/// `table` as probabilities (their mean 0 and scale 1 in the table's
/// statistics), and returns the splits with that training split (lstm_agent_train).
/// Throws Error telling to run `mmsim lstm train` when no fitting model exists.
Splits add_lstm_features(const Config& config, const BookTensor& book, FeatureTable& table, const Splits& splits,
                         torch::Device device, std::ostream& out);

}  // namespace mmsim::train
