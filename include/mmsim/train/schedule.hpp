#pragma once
// Schedules over training frames and the learning-rate decay. Torch-free.

#include <cstdint>

#include "mmsim/config/schedule.hpp"

namespace mmsim::train {

/// Learning rate after `updates` updates: initial x decay^updates, never below `floor`.
double decayed_learning_rate(double initial, double decay, double floor, std::int64_t updates);

}  // namespace mmsim::train
