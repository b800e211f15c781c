#pragma once
// Checked CUDA calls: a failure throws mmsim::CudaError naming the CUDA error,
// the call and where it was made. Never compiled out.

#include <cuda_runtime.h>

#include <string>

#include "mmsim/core/error.hpp"

namespace mmsim::cuda {

/// Throws CudaError for any status other than cudaSuccess.
inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  // Clear the sticky-free error state so that a later, unrelated call does not report it again.
  (void)cudaGetLastError();
  throw CudaError(std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) + ") in " + call +
                      " at " + file + ":" + std::to_string(line),
                  status == cudaErrorMemoryAllocation);
}

}  // namespace mmsim::cuda

#define MMSIM_CUDA_CHECK(call) ::mmsim::cuda::check((call), #call, __FILE__, __LINE__)
/// Checks the launch of the kernel just issued (configuration errors).
#define MMSIM_CUDA_CHECK_LAUNCH() ::mmsim::cuda::check(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)
