#pragma once
// `mmsim lstm train` and `mmsim lstm features`: the LSTM mid-move forecaster
// and its feature columns (docs/lstm.md; libtorch builds only).

#include <ostream>
#include <string>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

struct LstmOptions {
  std::string device = "cpu";  ///< cpu or cuda
};

/// Fits the full and the walk-forward models, writes them with report.md,
/// report.json and epochs.csv to lstm_dir_of(config), caches the feature
/// columns and prints the scores. Returns the process exit code.
int run_lstm_train(const Config& config, const LstmOptions& options, std::ostream& out);

/// Builds (or finds in the cache) the feature columns of the saved models and
/// prints their scores. Returns the process exit code.
int run_lstm_features(const Config& config, const LstmOptions& options, std::ostream& out);

}  // namespace mmsim::cli
