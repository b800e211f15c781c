#include <cuda_runtime.h>

#include "check.cuh"
#include "mmsim/gpu/random.hpp"

namespace mmsim::gpu {
namespace {

constexpr int kThreads = 256;

__global__ void uniforms_kernel(double* out, std::int64_t n, std::uint64_t seed, std::uint64_t episode,
                                std::uint32_t step, RngPurpose purpose) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = uniform01(seed, static_cast<std::uint64_t>(i), episode, step, purpose);
}

}  // namespace

void fill_uniforms(double* out, std::int64_t n, std::uint64_t seed, std::uint64_t episode, std::uint32_t step,
                   RngPurpose purpose, StreamHandle stream) {
  if (n <= 0) return;
  const auto blocks = static_cast<unsigned>((n + kThreads - 1) / kThreads);
  uniforms_kernel<<<blocks, kThreads, 0, static_cast<cudaStream_t>(stream.handle)>>>(out, n, seed, episode, step,
                                                                                       purpose);
  MMSIM_CUDA_CHECK_LAUNCH();
}

}  // namespace mmsim::gpu
