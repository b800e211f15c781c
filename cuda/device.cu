#include <cuda_runtime.h>

#include "check.cuh"
#include "mmsim/gpu/device.hpp"

namespace mmsim::gpu {

DeviceStatus query_device() {
  DeviceStatus status;
  const cudaError_t error = cudaGetDeviceCount(&status.count);
  if (error != cudaSuccess) {
    (void)cudaGetLastError();
    status.count = 0;
    status.reason = std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error);
    return status;
  }
  if (status.count == 0) {
    status.reason = "the CUDA driver reports no device";
    return status;
  }
  cudaDeviceProp properties{};
  const cudaError_t props_error = cudaGetDeviceProperties(&properties, 0);
  if (props_error != cudaSuccess) {
    (void)cudaGetLastError();
    status.reason = std::string(cudaGetErrorName(props_error)) + ": " + cudaGetErrorString(props_error);
    return status;
  }
  status.usable = true;
  status.name = properties.name;
  return status;
}

MemoryInfo memory_info() {
  MemoryInfo info;
  MMSIM_CUDA_CHECK(cudaMemGetInfo(&info.free, &info.total));
  return info;
}

}  // namespace mmsim::gpu
