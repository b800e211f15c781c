#pragma once
// Querying CUDA devices without touching CUDA types (CUDA backend only).

#include <cstddef>
#include <string>

namespace mmsim::gpu {

struct DeviceStatus {
  bool usable = false;
  int count = 0;
  std::string name;    ///< name of device 0 when usable
  std::string reason;  ///< why no device is usable, e.g. "cudaErrorInsufficientDriver: ..."
};

/// Never throws: machines without a driver report usable = false with the reason.
DeviceStatus query_device();

/// Bytes of memory of the current device: free now, and in all.
struct MemoryInfo {
  std::size_t free = 0;
  std::size_t total = 0;
};
/// Throws CudaError when no device is usable.
MemoryInfo memory_info();

}  // namespace mmsim::gpu
