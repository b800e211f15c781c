#pragma once
// Settings of the LSTM mid-move forecaster: the config section `lstm`
// (docs/lstm.md). Torch-free.

#include <string>

namespace mmsim::train {

struct LstmConfig {
  int hidden = 100;                    ///< LSTM hidden units (one layer)
  int max_move_half_ticks = 12;        ///< R: moves are clipped to [-R, R] half-ticks
  int class_width_half_ticks = 1;      ///< w: half-ticks per class; R must be a multiple of w
  int sequence_length = 50;            ///< rows per truncated back-propagation chunk
  int batch_size = 16;                 ///< parallel streams of rows per chunk
  int epochs = 50;                     ///< most passes over the training rows
  int patience = 5;                    ///< stop after this many epochs without a better validation cross-entropy
  double learning_rate = 1e-3;         ///< Adam
  double clip_norm = 1.0;              ///< gradient L2 norm bound per chunk
  int walk_forward_blocks = 5;         ///< K blocks of training rows for the out-of-fold columns
  double fold_validation_fraction = 0.15;  ///< tail of a fold's rows held out for its early stopping
  std::string dir;                     ///< models and report; empty = <train.run_dir>/lstm
};

/// Throws ConfigError naming the `lstm.*` key of an invalid value.
void validate(const LstmConfig& config);

}  // namespace mmsim::train
