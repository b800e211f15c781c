#pragma once
// Stream-ordered device memory owned by RAII.

#include <cuda_runtime.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "check.cuh"

namespace mmsim::cuda {

/// `size` elements of T in device memory, allocated and freed in the order of
/// `stream` (cudaMallocAsync). Move-only.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(std::int64_t size, cudaStream_t stream) : size_(size), stream_(stream) {
    if (size_ > 0) MMSIM_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&data_), bytes(), stream_));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept { swap(other); }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    DeviceBuffer moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~DeviceBuffer() {
    // Errors cannot propagate from a destructor; a failed free leaks, it does not corrupt.
    if (data_ != nullptr) (void)cudaFreeAsync(data_, stream_);
  }

  /// Copies host data in (size must match); ordered on the buffer's stream.
  void upload(const std::vector<T>& host) {
    MMSIM_ASSERT(static_cast<std::int64_t>(host.size()) == size_, "upload size mismatch");
    if (size_ > 0) MMSIM_CUDA_CHECK(cudaMemcpyAsync(data_, host.data(), bytes(), cudaMemcpyHostToDevice, stream_));
  }
  /// Copies to the host and waits for the stream.
  std::vector<T> download() const {
    std::vector<T> host(static_cast<std::size_t>(size_));
    if (size_ > 0) {
      MMSIM_CUDA_CHECK(cudaMemcpyAsync(host.data(), data_, bytes(), cudaMemcpyDeviceToHost, stream_));
      MMSIM_CUDA_CHECK(cudaStreamSynchronize(stream_));
    }
    return host;
  }

  T* data() const { return data_; }
  std::int64_t size() const { return size_; }
  std::size_t bytes() const { return static_cast<std::size_t>(size_) * sizeof(T); }

 private:
  void swap(DeviceBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(stream_, other.stream_);
  }

  T* data_ = nullptr;
  std::int64_t size_ = 0;
  cudaStream_t stream_ = nullptr;
};

/// Uploads a host vector into a new buffer on `stream`.
template <class T>
DeviceBuffer<T> to_device(const std::vector<T>& host, cudaStream_t stream) {
  DeviceBuffer<T> buffer(static_cast<std::int64_t>(host.size()), stream);
  buffer.upload(host);
  return buffer;
}

}  // namespace mmsim::cuda
