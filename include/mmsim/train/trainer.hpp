#pragma once
// The A2C training loop over a BatchEnv (docs/training.md).

#include <torch/optim/adam.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/train/a2c.hpp"

namespace mmsim::train {

/// What the trainer reports at each metrics read (averages since the last read).
struct TrainMetrics {
  std::int64_t update = 0;
  std::int64_t frames = 0;
  double frames_per_second = 0;
  std::int64_t episodes = 0;         ///< episodes finished since the last read
  double episode_pnl = 0;            ///< their mean final PnL (NaN when none finished)
  double episode_length = 0;         ///< their mean length
  double reward = 0;                 ///< mean reward per frame
  double advantage = 0, value = 0;   ///< means over the batches
  double policy_loss = 0, value_loss = 0, entropy = 0, total_loss = 0;
  double gradient_l2 = 0, gradient_max = 0, gradient_variance = 0;  ///< before clipping
  double learning_rate = 0, epsilon = 0, beta = 0;
};

/// Wall-clock seconds spent in each part of update() while phase timing is
/// on (Trainer::set_phase_timing), summed over the updates timed.
struct UpdatePhaseSeconds {
  double forward = 0;    ///< rollout: the policy's forward passes, action sampling, truncation values
  double env = 0;        ///< rollout: the env steps
  double copies = 0;     ///< rollout: outputs copied into the rollout tensors, episode metrics
  double loss = 0;       ///< n-step returns, the forward pass over the rollout, the loss
  double backward = 0;   ///< the backward pass
  double clipping = 0;   ///< gradient statistics and clipping
  double optimiser = 0;  ///< the Adam step and the update's metric sums
  std::int64_t updates = 0;
  double total() const { return forward + env + copies + loss + backward + clipping + optimiser; }
};

/// Trains an ActorCritic on the envs of a BatchEnv, on the env's device: the
/// CPU backend with CPU tensors, or the CUDA backend with tensors on the
/// current CUDA device, the env stepping on torch's current stream (the one
/// current when the trainer was made: every call must keep it current) and reading
/// its actions from, and writing its outputs to, device memory that the
/// rollout tensors view or copy on the device. The whole update is tensor
/// work; the only host reads are in read_metrics() and the checkpoints.
class Trainer {
 public:
  /// `env` must outlive the trainer. Throws ConfigError for invalid settings,
  /// Error for a CUDA env in a build without CUDA training.
  Trainer(const Config& config, BatchEnv& env);

  /// One rollout of n steps over N envs and one A2C update.
  void update();
  /// Averages since the last call; the only place that reads tensors on the host.
  TrainMetrics read_metrics();

  /// Times the parts of each update() from now on (`on`) or stops. Timing
  /// waits for the device at the end of every part, so a timed update on a
  /// GPU is slower than an untimed one: for benchmarks, not for training.
  void set_phase_timing(bool on);
  /// The parts' seconds since timing was last switched on.
  const UpdatePhaseSeconds& phase_seconds() const { return phases_; }

  std::int64_t updates() const { return updates_; }
  std::int64_t frames() const { return updates_ * frames_per_update_; }
  std::int64_t frames_per_update() const { return frames_per_update_; }
  ActorCritic& network() { return network_; }
  const torch::Device& device() const { return device_; }

  /// Writes model, optimiser, counters and the env's state into `dir`
  /// atomically (a temporary directory renamed into place).
  void save_checkpoint(const std::filesystem::path& dir);
  /// Restores everything save_checkpoint() wrote; the next update() is the
  /// one the saved run would have made. Throws Error for a missing, damaged
  /// or mismatched checkpoint, leaving the trainer unchanged.
  void load_checkpoint(const std::filesystem::path& dir);

 private:
  void reset_accumulators();
  /// The stream the env steps on: for a CUDA env, torch's current stream when
  /// the trainer was made, which must still be the current one.
  StreamHandle env_stream() const;

  Config config_;
  BatchEnv& env_;
  std::int64_t frames_per_update_;
  torch::Device device_;
  StreamHandle stream_;
  std::int64_t updates_ = 0;
  ActorCritic network_;
  std::vector<torch::Tensor> parameters_;  ///< network_'s, listed once (update() walks them three times)
  std::unique_ptr<torch::optim::Adam> optimizer_;
  // Rollout storage, [n, N, ...].
  torch::Tensor obs_, actions_, rewards_, terminated_, truncated_, truncation_values_;
  torch::Tensor uniforms_;  ///< [N] float64: the action sampling draws of one step
  // The env's output buffers as tensors on device_ (views, no copies).
  torch::Tensor env_obs_, env_final_obs_, env_reward_, env_terminated_, env_truncated_, env_episode_pnl_,
      env_episode_length_;
  // Metric sums since the last read (tensors: no host reads in update()).
  torch::Tensor sum_episode_pnl_, sum_episode_length_, sum_episodes_, sum_reward_, sum_advantage_, sum_value_;
  torch::Tensor sum_policy_, sum_value_loss_, sum_entropy_, sum_total_, sum_grad_l2_, sum_grad_max_, sum_grad_var_;
  std::int64_t updates_since_read_ = 0;
  bool timing_phases_ = false;
  UpdatePhaseSeconds phases_;
  double phase_start_ = 0;
  /// With phase timing on: waits for the device, adds the time since the
  /// previous mark to `phase` (none: the update's start) and starts the next part.
  void end_phase(double UpdatePhaseSeconds::*phase);
  double seconds_at_read_ = 0;
  std::int64_t frames_at_read_ = 0;
};

/// The network saved in a checkpoint directory, for a config's observation
/// size and action count. Throws Error for a missing or mismatched checkpoint.
ActorCritic load_network(const std::filesystem::path& checkpoint, const Config& config, std::int64_t observation_size,
                         std::int64_t actions);

}  // namespace mmsim::train
