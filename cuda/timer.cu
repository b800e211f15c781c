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

double measure_copy_bandwidth() {
  constexpr std::size_t kBytes = std::size_t{1} << 30;
  void* source = nullptr;
  void* target = nullptr;
  MMSIM_CUDA_CHECK(cudaMalloc(&source, kBytes));
  MMSIM_CUDA_CHECK(cudaMalloc(&target, kBytes));
  MMSIM_CUDA_CHECK(cudaMemset(source, 1, kBytes));
  EventTimer timer({});
  double best = 1e30;
  for (int attempt = 0; attempt < 5; ++attempt) {
    timer.start();
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(target, source, kBytes, cudaMemcpyDeviceToDevice, nullptr));
    const double seconds = timer.stop_seconds();
    if (seconds < best) best = seconds;
  }
  MMSIM_CUDA_CHECK(cudaFree(source));
  MMSIM_CUDA_CHECK(cudaFree(target));
  return 2.0 * static_cast<double>(kBytes) / best;
}

}  // namespace mmsim::gpu
