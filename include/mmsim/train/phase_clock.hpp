#pragma once
// Where a training update's time goes (Trainer::set_phase_timing).

#include <torch/types.h>

#include <cstdint>

namespace mmsim::train {

/// Wall-clock seconds spent in each part of Trainer::update() while phase
/// timing is on, summed over the updates timed.
struct UpdatePhaseSeconds {
  double forward = 0;    ///< rollout: the policy's forward passes, action sampling, bootstrap values
  double env = 0;        ///< rollout: the env steps
  double copies = 0;     ///< rollout: outputs copied into the rollout tensors, episode metrics
  double loss = 0;       ///< the algorithm's returns, forward passes and losses
  double backward = 0;   ///< the backward passes
  double clipping = 0;   ///< gradient statistics and clipping
  double optimiser = 0;  ///< the optimiser steps and the update's metric sums
  std::int64_t updates = 0;
  double total() const { return forward + env + copies + loss + backward + clipping + optimiser; }
};

/// Splits wall-clock time into the parts of UpdatePhaseSeconds. Off, mark()
/// does nothing; on, it waits for the device at every mark, so a timed update
/// on a GPU is slower than an untimed one: for benchmarks, not for training.
class PhaseClock {
 public:
  /// `device`: where the timed work runs (its current stream is waited for).
  explicit PhaseClock(const torch::Device& device) : device_(device) {}

  /// Starts timing (from zero) or stops it.
  void set_on(bool on);
  bool on() const { return on_; }
  /// With timing on: waits for the device, adds the time since the previous
  /// mark to `phase` (null: none, e.g. at an update's start) and starts the next part.
  void mark(double UpdatePhaseSeconds::*phase);
  /// Counts a timed update.
  void count_update();
  const UpdatePhaseSeconds& seconds() const { return seconds_; }

 private:
  torch::Device device_;
  bool on_ = false;
  UpdatePhaseSeconds seconds_;
  double start_ = 0;
};

}  // namespace mmsim::train
