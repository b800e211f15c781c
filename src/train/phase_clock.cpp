#include "mmsim/train/phase_clock.hpp"

#include "mmsim/core/clock.hpp"
#include "mmsim/train/device.hpp"

namespace mmsim::train {

void PhaseClock::set_on(bool on) {
  on_ = on;
  if (on) seconds_ = UpdatePhaseSeconds{};
}

void PhaseClock::mark(double UpdatePhaseSeconds::*phase) {
  if (!on_) return;
  synchronize_current_stream(device_);
  const double now = steady_seconds();
  if (phase != nullptr) seconds_.*phase += now - start_;
  start_ = now;
}

void PhaseClock::count_update() {
  if (on_) ++seconds_.updates;
}

}  // namespace mmsim::train
