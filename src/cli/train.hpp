#pragma once
// `mmsim train`: trains the A2C agent (libtorch builds only).

#include <ostream>
#include <string>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

struct TrainOptions {
  std::string device = "cpu";
  std::string resume;  ///< run directory to continue; empty = a new run
  int seeds = 1;       ///< independent runs with seeds seed, seed + 1, ...
};

/// In `<run_dir>/<name>-seeds/` of a `--seeds K` run: the run directories of
/// the seeds, one name per line, siblings of the group directory.
inline constexpr const char* kSeedRunsFile = "seeds.txt";

/// Returns the process exit code.
int run_train(const Config& config, const TrainOptions& options, std::ostream& out);

}  // namespace mmsim::cli
