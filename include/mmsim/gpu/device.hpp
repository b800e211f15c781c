#pragma once
// Querying CUDA devices without touching CUDA types (CUDA backend only).

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

}  // namespace mmsim::gpu
