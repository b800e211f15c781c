#pragma once
// Schedules over training frames (one frame = one step of one env).
// Torch-free: usable by the config validation and the trainer alike.

#include <cstdint>
#include <string>
#include <vector>

namespace mmsim::train {

/// Values at given frames. `piecewise_linear` interpolates between the points
/// (the thesis's epsilon); `step` holds each value until the next point (the
/// thesis's entropy beta). Before the first point the first value applies,
/// after the last the last value.
struct Schedule {
  enum class Kind { piecewise_linear, step };
  Kind kind = Kind::piecewise_linear;
  std::vector<double> frames;  ///< strictly increasing, >= 0
  std::vector<double> values;  ///< same length as frames, >= 1 point

  double at(double frame) const;
};

/// Throws ConfigError (naming `key`) unless the schedule has at least one
/// point, as many values as frames, strictly increasing non-negative frames
/// and finite values.
void validate(const Schedule& schedule, const std::string& key);

/// Learning rate after `updates` updates: initial x decay^updates, never below `floor`.
double decayed_learning_rate(double initial, double decay, double floor, std::int64_t updates);

}  // namespace mmsim::train
