#pragma once
// Training runs as library calls (docs/training.md): a run's directory,
// effective config, env batch, trainer, metrics, checkpoints and greedy
// validation with its best checkpoint; several runs (seeds, sweep points)
// trained side by side on one data set; the seed group and the sweep's
// result table they leave behind. Front ends parse their own options, call
// train_runs() and print; progress lines go to the stream they pass.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/train/sweep.hpp"

namespace mmsim::train {

/// In `<run_dir>/<name>-seeds/` of a run of several seeds: the run directories
/// of the seeds, one name per line, siblings of the group directory.
inline constexpr const char* kSeedRunsFile = "seeds.txt";

/// In `<run_dir>/<name>-sweep/` of a sweep: one row per point, its settings
/// and its best validation mean PnL across seeds.
inline constexpr const char* kSweepTableFile = "sweep.csv";

/// `<train.run_dir>/<train.name>`.
std::filesystem::path run_dir_of(const Config& config);

/// Training's validation protocol: `train`.eval_windows windows of
/// `train`.eval_steps steps of the validation split, drawn with the run's
/// `seed` + 1. Every
/// validation of a run plays the same windows through eval::run_policy, as
/// `mmsim eval` does: liquidated at each window's end, also when
/// env.liquidate_at_end is false.
eval::Protocol validation_protocol(const TrainConfig& train, std::uint64_t seed);

/// What train_runs() trains and how.
struct RunOptions {
  bool cuda = false;             ///< the CUDA backend and torch's current CUDA device; else the CPU
  std::filesystem::path resume;  ///< a run directory to continue (one run); empty: new runs
  int seeds = 1;                 ///< independent runs with seeds seed, seed + 1, ... (>= 1)
  /// The points of a sweep (each trained `seeds` times); empty: the config alone.
  std::vector<SweepPoint> sweep;
  /// Set (from any thread, e.g. a signal handler) to stop every run after its
  /// current update, with its checkpoint written. May be null; else it must
  /// outlive train_runs().
  const std::atomic<bool>* stop = nullptr;
  /// Called when a run has written its final checkpoint, with the run's
  /// directory and the progress stream (e.g. to convert its metrics for
  /// TensorBoard). May be empty.
  std::function<void(const std::filesystem::path& run_dir, std::ostream& out)> on_run_finished;
};

/// How one run ended.
struct RunOutcome {
  std::filesystem::path run_dir;
  bool evaluated = false;          ///< validation ran (train.eval_every_updates > 0)
  double best_validation_pnl = 0;  ///< the best greedy validation mean PnL, when evaluated
  std::int64_t frames = 0;
};

/// How train_runs() ended.
struct TrainingReport {
  std::vector<RunOutcome> runs;  ///< in plan order (those started before a stop)
  bool stopped = false;          ///< RunOptions::stop was set
};

/// Trains `config` once (or resumes options.resume), or each of options.seeds
/// seeds of it, or every sweep point that many times (`config` then names the
/// runs and gives the data, loaded once for all). Several runs train side by
/// side, one update of each in turn, in groups that fit the GPU's free memory;
/// a seed of a group trains exactly as it would alone. Writes the runs'
/// directories, the seed group (`<name>-seeds/`) and the sweep table
/// (`<name>-sweep/`), and progress lines to `out`. Throws Error before
/// anything is written when a new run's directory already holds a run, when
/// a resumed run is combined with several seeds or a sweep, or when the seeds
/// are fewer than one; ConfigError for invalid settings.
TrainingReport train_runs(const Config& config, const RunOptions& options, std::ostream& out);

/// One seed of a seed group: its run directory and seed.
struct SeedRun {
  std::filesystem::path run_dir;
  std::uint64_t seed = 0;
};

/// True when `dir` is a seed group directory (`<name>-seeds/`).
bool is_seed_group(const std::filesystem::path& dir);

/// The seeds of the group `dir`, each seed read from its run's config.yaml.
/// Throws Error for a group that lists no run or a run without its config.
std::vector<SeedRun> read_seed_group(const std::filesystem::path& dir);

/// The config a checkpoint was trained with: its run's config.yaml, next to
/// the checkpoint directory, or the seed group's.
std::filesystem::path checkpoint_config_path(const std::filesystem::path& checkpoint);

/// Where the evaluation of `checkpoint` on `split` writes its report:
/// `<run>/eval/<split>/`, or `<group>/eval/<split>/` for a seed group.
std::filesystem::path eval_report_dir(const std::filesystem::path& checkpoint, EpisodeSplit split);

/// The checkpoint to evaluate of a run directory: best/ when validation saved
/// one, else checkpoint/. Throws Error when it has neither.
std::filesystem::path run_checkpoint(const std::filesystem::path& run_dir);

/// A trained agent to evaluate: its checkpoint directory and its name in reports.
struct AgentCheckpoint {
  std::filesystem::path checkpoint;
  std::string name;
};

/// The agents of `checkpoint`: a checkpoint directory is one agent, "agent";
/// a seed group directory one per seed, "agent seed <s>", each its run's
/// run_checkpoint(). Throws Error for a group that lists no run, or a run
/// without its config or a checkpoint.
std::vector<AgentCheckpoint> agent_checkpoints(const std::filesystem::path& checkpoint);

}  // namespace mmsim::train
