#pragma once
// The CUDA backend's allocator for env buffers (CUDA-free header).

#include <memory>

#include "env/backend.hpp"
#include "mmsim/core/stream.hpp"

namespace mmsim::gpu {

/// Memory on the current device, allocated and freed in the order of
/// `stream` (which must outlive it); copies and fills run on the stream each
/// call names. Throws CudaError when no device is usable.
std::unique_ptr<detail::BufferMemory> device_memory(StreamHandle stream);

}  // namespace mmsim::gpu
