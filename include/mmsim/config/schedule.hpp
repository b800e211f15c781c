#pragma once
// Schedules over training frames (one frame = one step of one env): the
// config sections train.epsilon and train.beta. Torch-free: the config
// checks and the trainer share it.

#include <string>
#include <vector>

#include "mmsim/config/enum_table.hpp"

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

/// The names config files give the kinds of schedule (enum_table.hpp).
constexpr auto enum_names(Schedule::Kind) {
  return enum_table<Schedule::Kind>(
      {{Schedule::Kind::piecewise_linear, "piecewise_linear"}, {Schedule::Kind::step, "step"}});
}
inline const char* to_string(Schedule::Kind kind) { return enum_names(kind).name(kind); }

/// Throws ConfigError (naming `key`) unless the schedule has at least one
/// point, as many values as frames, strictly increasing non-negative frames
/// and finite values.
void validate(const Schedule& schedule, const std::string& key);

}  // namespace mmsim::train
