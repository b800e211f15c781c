#pragma once
// `mmsim train`: trains the A2C agent (libtorch builds only).

#include <ostream>
#include <string>
#include <vector>

#include "cli/sweep.hpp"
#include "mmsim/config/config.hpp"

namespace mmsim::cli {

struct TrainOptions {
  std::string device = "cpu";
  std::string resume;  ///< run directory to continue; empty = a new run
  int seeds = 1;       ///< independent runs with seeds seed, seed + 1, ...
  /// The points of a --sweep (each seeds times); empty: the config alone.
  std::vector<SweepPoint> sweep;
};

/// In `<run_dir>/<name>-seeds/` of a `--seeds K` run: the run directories of
/// the seeds, one name per line, siblings of the group directory.
inline constexpr const char* kSeedRunsFile = "seeds.txt";

/// In `<run_dir>/<name>-sweep/` of a `--sweep` run: one row per point, its
/// settings and its best validation mean PnL across seeds.
inline constexpr const char* kSweepTableFile = "sweep.csv";

/// Trains `config` (with --sweep: options.sweep's points, `config` naming the
/// runs and giving the data) once, or each of options.seeds seeds, the runs
/// side by side. Returns the process exit code.
int run_train(const Config& config, const TrainOptions& options, std::ostream& out);

}  // namespace mmsim::cli
