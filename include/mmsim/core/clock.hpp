#pragma once
// Wall-clock timing of host work (progress lines, throughput, phase timing).

#include <chrono>

namespace mmsim {

using SteadyClock = std::chrono::steady_clock;

/// Seconds on the steady clock since an arbitrary fixed point: differences are wall-clock seconds.
inline double steady_seconds() {
  return std::chrono::duration<double>(SteadyClock::now().time_since_epoch()).count();
}

/// Wall-clock seconds since `start`.
inline double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace mmsim
