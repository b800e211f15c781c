#pragma once
// The trainer shell (docs/training.md): rollouts from a BatchEnv, an
// algorithm (mmsim/train/algorithm.hpp) that learns from them, the optimiser
// with its learning-rate schedule and the gradient hook, metrics and
// checkpoints.

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/train/algorithm.hpp"
#include "mmsim/train/phase_clock.hpp"
#include "mmsim/train/rollout.hpp"

namespace mmsim::train {

/// What the trainer reports at each metrics read (averages since the last read).
struct TrainMetrics {
  std::int64_t update = 0;
  std::int64_t frames = 0;
  double frames_per_second = 0;
  std::int64_t episodes = 0;  ///< episodes finished since the last read
  double episode_pnl = 0;     ///< their mean final PnL (NaN when none finished)
  double episode_length = 0;  ///< their mean length
  double reward = 0;          ///< mean reward per frame
  /// The algorithm's metrics (Algorithm::metric_names), means over the updates.
  std::vector<std::pair<std::string, double>> algorithm;
  double gradient_l2 = 0, gradient_max = 0, gradient_variance = 0;  ///< before clipping; means over the gradient steps
  double learning_rate = 0;
  std::vector<Setting> settings;  ///< the algorithm's schedules at `frames`

  /// The metric named `name` of `algorithm` or `settings`; throws Error when there is none.
  double at(const std::string& name) const;
  /// metrics.csv's row of these metrics (no newline): update, frames,
  /// frames_per_second, episodes, episode_pnl, episode_length, reward, the
  /// algorithm's metrics, gradient_l2, gradient_max, gradient_variance,
  /// learning_rate, the settings.
  std::string csv_row() const;
};

/// Trains an algorithm on the envs of a BatchEnv, on the env's device: the
/// CPU backend with CPU tensors, or the CUDA backend with tensors on the
/// current CUDA device, the env stepping on torch's current stream (the one
/// current when the trainer was made: every call must keep it current) and reading
/// its actions from, and writing its outputs to, device memory that the
/// rollout tensors view or copy on the device. The whole update is tensor
/// work; the only host reads are in read_metrics() and the checkpoints.
class Trainer {
 public:
  /// The algorithm train.algorithm chooses (algorithm_factory). `env` must
  /// outlive the trainer. Throws ConfigError for invalid settings, Error for
  /// a CUDA env in a build without CUDA training.
  Trainer(const Config& config, BatchEnv& env);
  /// The algorithm `make` makes (initial weights from the run's seed).
  Trainer(const Config& config, BatchEnv& env, AlgorithmFactory make);

  /// One rollout of n steps over N envs and the algorithm's update from it.
  void update();
  /// Averages since the last call; the only place that reads tensors on the host.
  TrainMetrics read_metrics();
  /// The progress line of `metrics` (no newline).
  std::string describe(const TrainMetrics& metrics) const;
  /// metrics.csv's header line (no newline): the columns of TrainMetrics::csv_row().
  std::string metrics_header() const;

  /// Times the parts of each update() from now on (`on`) or stops
  /// (PhaseClock: timing waits for the device at every part's end).
  void set_phase_timing(bool on) { clock_.set_on(on); }
  /// The parts' seconds since timing was last switched on.
  const UpdatePhaseSeconds& phase_seconds() const { return clock_.seconds(); }

  std::int64_t updates() const { return updates_; }
  std::int64_t frames() const { return updates_ * frames_per_update_; }
  std::int64_t frames_per_update() const { return frames_per_update_; }
  /// The algorithm; load_checkpoint() replaces it (references to it end there).
  Algorithm& algorithm() { return *algorithm_; }
  const torch::Device& device() const { return device_; }

  /// Writes the algorithm, optimiser, counters and the env's state into `dir`
  /// atomically (a temporary directory renamed into place).
  void save_checkpoint(const std::filesystem::path& dir);
  /// Restores everything save_checkpoint() wrote into a new algorithm and
  /// optimiser; the next update() is the one the saved run would have made.
  /// Throws Error for a missing, damaged or mismatched checkpoint, leaving
  /// the trainer unchanged.
  void load_checkpoint(const std::filesystem::path& dir);

 private:
  /// The stream the env steps on: for a CUDA env, torch's current stream when
  /// the trainer was made, which must still be the current one.
  StreamHandle env_stream() const;
  /// An Adam optimiser over the parameters of `algorithm` at train.learning_rate.
  std::unique_ptr<torch::optim::Adam> make_optimizer(Algorithm& algorithm) const;
  /// The shell's part of a gradient step: backward, gradient statistics and
  /// clipping, the optimiser step.
  void gradient_step(const torch::Tensor& loss);
  void reset_sums();

  Config config_;
  BatchEnv& env_;
  AlgorithmFactory make_;
  std::int64_t frames_per_update_;
  torch::Device device_;
  StreamHandle stream_;
  PhaseClock clock_;
  std::int64_t updates_ = 0;
  std::unique_ptr<Algorithm> algorithm_;
  std::unique_ptr<Collector> collector_;  ///< made after the algorithm, which says what rollouts hold
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::vector<torch::Tensor> parameters_;  ///< algorithm_'s, listed once (each gradient step walks them three times)
  // Metric sums since the last read (tensors: no host reads in update()).
  torch::Tensor sum_reward_, sum_grad_l2_, sum_grad_max_, sum_grad_var_;
  std::vector<torch::Tensor> sum_algorithm_;
  std::int64_t updates_since_read_ = 0, gradient_steps_since_read_ = 0;
  double seconds_at_read_ = 0;
  std::int64_t frames_at_read_ = 0;
};

/// What a checkpoint's record (trainer.txt) says.
struct CheckpointRecord {
  std::int64_t updates = 0;
  std::uint64_t config_hash = 0;  ///< of the config the run was trained with
  std::string algorithm;          ///< Algorithm::name() of the algorithm that wrote it
};

/// Checks that `dir` is a whole checkpoint of this version: its record is
/// intact (its own checksum) and every file it lists has its size and
/// checksum, before any of their bytes are used. Throws Error naming the
/// checkpoint and what is wrong.
CheckpointRecord verify_checkpoint(const std::filesystem::path& dir);

/// Makes `dir` the newest whole checkpoint a run left there: `dir` itself,
/// the temporary directory of a save stopped before its rename, or
/// `dir`.old, kept aside while a save replaced `dir` (checkpoint_leftovers).
/// The others are removed; each step is reported through `say`. Throws
/// Error naming every candidate's problem when none is whole.
void recover_checkpoint(const std::filesystem::path& dir, const std::function<void(const std::string&)>& say);

/// What a save into `dir` may leave besides `dir`: temporary directories
/// and `dir`.old.
std::vector<std::filesystem::path> checkpoint_leftovers(const std::filesystem::path& dir);

/// The algorithm saved in a checkpoint directory (`config`'s algorithm, on
/// the CPU) for observations of `observation_size` floats and `actions`
/// actions, verified (verify_checkpoint). Throws Error for a missing,
/// damaged or mismatched checkpoint.
std::unique_ptr<Algorithm> load_agent(const std::filesystem::path& checkpoint, const TrainConfig& config,
                                      std::int64_t observation_size, std::int64_t actions);

}  // namespace mmsim::train
