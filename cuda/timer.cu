#include <cuda_runtime.h>

#include "check.cuh"
#include "mmsim/gpu/timer.hpp"

namespace mmsim::gpu {

EventTimer::EventTimer(StreamHandle stream) : stream_(stream) {
  MMSIM_CUDA_CHECK(cudaEventCreate(reinterpret_cast<cudaEvent_t*>(&start_)));
  MMSIM_CUDA_CHECK(cudaEventCreate(reinterpret_cast<cudaEvent_t*>(&stop_)));
}

EventTimer::~EventTimer() {
  (void)cudaEventDestroy(static_cast<cudaEvent_t>(start_));
  (void)cudaEventDestroy(static_cast<cudaEvent_t>(stop_));
}

void EventTimer::start() {
  MMSIM_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(start_), static_cast<cudaStream_t>(stream_.handle)));
}

double EventTimer::stop_seconds() {
  MMSIM_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(stop_), static_cast<cudaStream_t>(stream_.handle)));
  MMSIM_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(stop_)));
  float ms = 0;
  MMSIM_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start_), static_cast<cudaEvent_t>(stop_)));
  return 1e-3 * static_cast<double>(ms);
}

void synchronize_device() { MMSIM_CUDA_CHECK(cudaDeviceSynchronize()); }

}  // namespace mmsim::gpu
