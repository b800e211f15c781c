#pragma once
// Device memory and copies for host code that includes no CUDA headers
// (tests, benchmarks, the command line). CUDA builds only.

#include <cstddef>
#include <vector>

#include "mmsim/core/stream.hpp"

namespace mmsim::gpu {

/// `bytes` of device memory, owned; freed at destruction.
class DeviceBytes {
 public:
  explicit DeviceBytes(std::size_t bytes);
  ~DeviceBytes();
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

/// Copies host -> device on `stream` and waits for it.
void copy_to_device(void* device_dst, const void* host_src, std::size_t bytes, StreamHandle stream = {});
/// Copies device -> host on `stream` and waits for it.
void copy_to_host(void* host_dst, const void* device_src, std::size_t bytes, StreamHandle stream = {});

/// A device buffer's content as host elements of T.
template <class T>
std::vector<T> download(const void* device_src, std::size_t count, StreamHandle stream = {}) {
  std::vector<T> host(count);
  copy_to_host(host.data(), device_src, count * sizeof(T), stream);
  return host;
}

}  // namespace mmsim::gpu
