#include "device_memory.hpp"

#include <cuda_runtime.h>

#include <vector>

#include "check.cuh"
#include "device_buffer.cuh"

namespace mmsim::gpu {
namespace {

int current_device() {
  int device = 0;
  MMSIM_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

class DeviceMemory final : public detail::BufferMemory {
 public:
  explicit DeviceMemory(cudaStream_t stream) : BufferMemory(Backend::cuda, current_device()), stream_(stream) {}

  // cudaMallocAsync returns blocks aligned to at least 256 bytes.
  void* allocate(std::size_t bytes) override {
    blocks_.emplace_back(static_cast<std::int64_t>(bytes), stream_);
    return blocks_.back().data();
  }

  void fill(void* data, std::uint8_t byte, std::size_t bytes, StreamHandle stream) override {
    MMSIM_CUDA_CHECK(cudaMemsetAsync(data, byte, bytes, static_cast<cudaStream_t>(stream.handle)));
  }
  void to_host(void* host, const void* data, std::size_t bytes, StreamHandle stream) override {
    MMSIM_CUDA_CHECK(
        cudaMemcpyAsync(host, data, bytes, cudaMemcpyDeviceToHost, static_cast<cudaStream_t>(stream.handle)));
  }
  void from_host(void* data, const void* host, std::size_t bytes, StreamHandle stream) override {
    MMSIM_CUDA_CHECK(
        cudaMemcpyAsync(data, host, bytes, cudaMemcpyHostToDevice, static_cast<cudaStream_t>(stream.handle)));
  }
  void synchronize(StreamHandle stream) override {
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream.handle)));
  }

 protected:
  const void* place_bytes(const void* host, std::size_t bytes) override {
    void* data = allocate(bytes);
    // From pageable memory the copy has read `host` when the call returns.
    if (bytes > 0) MMSIM_CUDA_CHECK(cudaMemcpyAsync(data, host, bytes, cudaMemcpyHostToDevice, stream_));
    return data;
  }

 private:
  cudaStream_t stream_;
  std::vector<cuda::DeviceBuffer<std::uint8_t>> blocks_;
};

}  // namespace

std::unique_ptr<detail::BufferMemory> device_memory(StreamHandle stream) {
  return std::make_unique<DeviceMemory>(static_cast<cudaStream_t>(stream.handle));
}

}  // namespace mmsim::gpu
