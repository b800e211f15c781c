#pragma once
// Reading an env batch's device-side fault flag.

#include <cuda_runtime.h>

#include <cstdint>

#include "check.cuh"
#include "mmsim/core/stream.hpp"
#include "mmsim/env/batch_env.hpp"

namespace mmsim::gpu {

/// Copies the fault [3] to the host (synchronising `stream`), clears it on the
/// device and throws if it held one.
inline void check_device_fault(std::int64_t* device_fault, StreamHandle stream) {
  const auto s = static_cast<cudaStream_t>(stream.handle);
  std::int64_t fault[3];
  MMSIM_CUDA_CHECK(cudaMemcpyAsync(fault, device_fault, sizeof fault, cudaMemcpyDeviceToHost, s));
  MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
  if (fault[0] >= 0) MMSIM_CUDA_CHECK(cudaMemsetAsync(device_fault, 0xFF, sizeof fault, s));
  throw_if_fault(fault);
}

}  // namespace mmsim::gpu
