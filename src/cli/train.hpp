#pragma once
// `mmsim train`: trains the A2C agent (libtorch builds only).

#include <ostream>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/train/sweep.hpp"

namespace mmsim::cli {

struct TrainOptions {
  std::string device = "cpu";
  std::string resume;  ///< run directory to continue; empty = a new run
  int seeds = 1;       ///< independent runs with seeds seed, seed + 1, ...
  /// The points of a --sweep (each seeds times); empty: the config alone.
  std::vector<train::SweepPoint> sweep;
};

/// Trains `config` (with --sweep: options.sweep's points, `config` naming the
/// runs and giving the data) once, or each of options.seeds seeds, the runs
/// side by side (train::train_runs). Returns the process exit code.
int run_train(const Config& config, const TrainOptions& options, std::ostream& out);

}  // namespace mmsim::cli
