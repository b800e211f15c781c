// The CUDA backend of the fill-probability env: device memory, and a
// launcher of the shared step, one thread per env.

#include <cuda_runtime.h>

#include "check.cuh"
#include "launch.cuh"
#include "device_memory.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/gpu/env.hpp"

namespace mmsim::gpu {
namespace {

__global__ void fill_prob_step_kernel(detail::FillProbViews env, const std::int32_t* actions) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < env.num_envs) fill_prob_step(env.params, env.market, env.windows, env.state, env.outputs, i, actions[i]);
}

__global__ void fill_prob_begin_kernel(detail::FillProbViews env) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < env.num_envs) fill_prob_begin(env.params, env.market, env.windows, env.state, env.outputs, i);
}

class CudaFillProbLauncher final : public detail::FillProbLauncher {
 public:
  void begin(const detail::FillProbViews& env, StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    fill_prob_begin_kernel<<<blocks_for(env.num_envs), kThreads, 0, s>>>(env);
    MMSIM_CUDA_CHECK_LAUNCH();
  }

  void step(const detail::FillProbViews& env, const std::int32_t* actions, StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    fill_prob_step_kernel<<<blocks_for(env.num_envs), kThreads, 0, s>>>(env, actions);
    MMSIM_CUDA_CHECK_LAUNCH();
  }
};

}  // namespace

std::unique_ptr<FillProbEnv> make_fill_prob_cuda_env(const EnvData& data, const FillProbConfig& config,
                                                     std::int64_t num_envs, std::uint64_t seed, StreamHandle stream) {
  return detail::make_fill_prob_env(data, config, num_envs, seed, device_memory(stream),
                                    std::make_unique<CudaFillProbLauncher>(), stream);
}

}  // namespace mmsim::gpu
