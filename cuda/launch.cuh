#pragma once
// Launch shapes of the kernels that run one thread per item (env, learner,
// row or element).

#include <cstdint>

namespace mmsim::gpu {

/// Threads per block of those kernels.
inline constexpr int kThreads = 256;

/// Blocks of `threads` threads that cover `items` items.
inline unsigned blocks_for(std::int64_t items, int threads = kThreads) {
  return static_cast<unsigned>((items + threads - 1) / threads);
}

}  // namespace mmsim::gpu
