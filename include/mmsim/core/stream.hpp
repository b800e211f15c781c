#pragma once
// A CUDA stream passed across CUDA-free interfaces.

namespace mmsim {

/// Opaque handle of a CUDA stream: `handle` is a `cudaStream_t` (nullptr is the
/// legacy default stream). The caller owns the stream; mmsim never creates,
/// synchronises or destroys a stream it is given, except where a function says so.
struct StreamHandle {
  void* handle = nullptr;
};

}  // namespace mmsim
