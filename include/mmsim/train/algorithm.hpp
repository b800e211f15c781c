#pragma once
// The learning algorithm behind one interface (docs/architecture.md, "Adding
// an algorithm"). The trainer shell (mmsim/train/trainer.hpp) owns the env,
// the rollouts, the optimiser and its learning-rate schedule, the gradient
// hook between backward and the optimiser step (gradient statistics,
// clipping), checkpoints, metrics files, validation and resume; an algorithm
// owns its networks, its losses and its own schedules. An on-policy
// algorithm learns from each rollout as it comes; an off-policy one asks for
// the observations that followed each step (Actor::needs_next_observations),
// copies the rollout's transitions into a replay buffer it owns (device
// tensors, saved by save()) and takes its gradient steps on samples of it.

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mmsim/train/rollout.hpp"
#include "mmsim/config/train_config.hpp"

namespace mmsim::train {

/// The shell's gradient step: backward of `loss` (a scalar on the training
/// device), the gradient hook, the optimiser step at the current learning rate.
using GradientStep = std::function<void(const torch::Tensor& loss)>;

/// A named value at a training frame (a schedule's value, e.g. epsilon).
using Setting = std::pair<std::string, double>;

/// Where in the run an update happens: the coordinates of its counter-based
/// random draws (mmsim/core/rng.hpp), so that a resumed run draws the same.
struct UpdateContext {
  std::uint64_t seed = 0;    ///< the run's seed
  std::int64_t update = 0;   ///< updates made before this one
  double frame = 0;          ///< training frame at which the rollout was collected
};

class Algorithm : public Actor {
 public:
  /// The algorithm's name (one word, e.g. train.algorithm's), kept in checkpoints.
  virtual std::string name() const = 0;
  /// Names of the metrics update() returns, in metrics.csv's column order.
  virtual std::vector<std::string> metric_names() const = 0;
  /// The algorithm's schedules at training frame `frame` (metrics.csv's last columns).
  virtual std::vector<Setting> settings(double frame) const = 0;

  /// What the optimiser updates.
  virtual std::vector<torch::Tensor> parameters() = 0;

  /// Learns from `rollout` (collected at `at.frame`): computes its losses and
  /// calls `step` once per gradient step. Returns the update's metrics,
  /// float64 scalars on the training device in metric_names() order, without
  /// reading them on the host.
  virtual std::vector<torch::Tensor> update(const Rollout& rollout, const UpdateContext& at,
                                            const GradientStep& step) = 0;

  /// The policy's action logits [B, actions] for observations [B,
  /// observation size], computed without gradient: evaluation acts greedily
  /// on their argmax or samples their softmax. Policies over the action
  /// table only (action_dims() == 0).
  virtual torch::Tensor logits(const torch::Tensor& observations) = 0;
  /// A continuous policy's quotes (action_dims() > 0) for observations [B,
  /// observation size], computed without gradient: [B, 4] float64 rows of
  /// ActionRow, offsets in env.offset_unit (BatchEnv::step_offsets); the mean
  /// action when `uniforms` is undefined, else drawn with `uniforms` [B,
  /// uniforms_per_env()] as act() draws.
  virtual torch::Tensor quotes(const torch::Tensor& observations, const torch::Tensor& uniforms);

  /// The part of the progress line after the reward: the update's losses
  /// (`metrics` in metric_names() order).
  virtual std::string describe_metrics(const std::vector<double>& metrics) const = 0;
  /// The part of the progress line after the learning rate: `settings`.
  virtual std::string describe_settings(const std::vector<Setting>& settings) const = 0;

  /// Writes the algorithm's networks and state (not the optimiser's) into
  /// `dir`, with save_torch or write_file (mmsim/train/torch_files.hpp), so
  /// that a failed write is an Error. The trainer verifies every file
  /// before load() reads it.
  virtual void save(const std::filesystem::path& dir) const = 0;
  /// Reads what save() wrote onto `device`. Throws Error for missing or
  /// damaged files or another network shape; called on a fresh algorithm
  /// before the shell makes its optimiser over parameters(), so a failure
  /// leaves the trainer's own algorithm unchanged.
  virtual void load(const std::filesystem::path& dir, const torch::Device& device) = 0;
  /// What the checkpoint load() read did not restore, for the line that
  /// reports a resume (empty when it restored everything the algorithm holds).
  virtual std::string resume_note() const { return {}; }
};

/// Makes a freshly initialised algorithm on `device` for observations of
/// `observation_size` floats and `actions` actions (torch's global RNG seeded
/// by the caller, for reproducible initial weights).
using AlgorithmFactory = std::function<std::unique_ptr<Algorithm>(std::int64_t observation_size,
                                                                  std::int64_t actions, const torch::Device& device)>;

/// The factory of the algorithm `config` chooses (the one place an algorithm
/// is registered: src/train/algorithm.cpp).
AlgorithmFactory algorithm_factory(const TrainConfig& config);

}  // namespace mmsim::train
