#pragma once
// GPU timing with CUDA events, for benchmarks (CUDA backend only).

#include "mmsim/core/stream.hpp"

namespace mmsim::gpu {

/// Times work enqueued on a stream between start() and stop_seconds().
class EventTimer {
 public:
  explicit EventTimer(StreamHandle stream);
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  void start();
  /// Records the stop event, waits for it and returns the elapsed seconds.
  double stop_seconds();

 private:
  StreamHandle stream_;
  void* start_ = nullptr;  // cudaEvent_t
  void* stop_ = nullptr;   // cudaEvent_t
};

/// Waits for all work on the current device.
void synchronize_device();

/// Device-to-device copy bandwidth of the current device in bytes per second,
/// counting bytes read plus bytes written (a 1 GiB copy, best of 5): the
/// reference for "share of memory bandwidth" in the benchmarks.
double measure_copy_bandwidth();

}  // namespace mmsim::gpu
