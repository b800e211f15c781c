#include <cuda_runtime.h>

#include "check.cuh"
#include "mmsim/gpu/memory.hpp"

namespace mmsim::gpu {

DeviceBytes::DeviceBytes(std::size_t bytes) : bytes_(bytes) {
  if (bytes_ > 0) MMSIM_CUDA_CHECK(cudaMalloc(&data_, bytes_));
}

DeviceBytes::~DeviceBytes() {
  if (data_ != nullptr) (void)cudaFree(data_);
}

void copy_to_device(void* device_dst, const void* host_src, std::size_t bytes, StreamHandle stream) {
  const auto s = static_cast<cudaStream_t>(stream.handle);
  MMSIM_CUDA_CHECK(cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice, s));
  MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
}

void copy_to_host(void* host_dst, const void* device_src, std::size_t bytes, StreamHandle stream) {
  const auto s = static_cast<cudaStream_t>(stream.handle);
  MMSIM_CUDA_CHECK(cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, s));
  MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
}

}  // namespace mmsim::gpu
