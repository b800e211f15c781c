#pragma once
// Counter-based uniforms generated on the device (CUDA backend only).
// CUDA-free header.

#include <cstdint>

#include "mmsim/core/rng.hpp"
#include "mmsim/core/stream.hpp"

namespace mmsim::gpu {

/// Writes uniform01(seed, i, episode, step, purpose) for i in [0, n) to the
/// device array `out` [n] (float64), on `stream`, without waiting: the same
/// numbers as the host's uniform01 (mmsim/core/rng.hpp).
void fill_uniforms(double* out, std::int64_t n, std::uint64_t seed, std::uint64_t episode, std::uint32_t step,
                   RngPurpose purpose, StreamHandle stream);

}  // namespace mmsim::gpu
