// The CUDA backend of the spread-trading env: device memory, and a launcher
// of the shared step, one thread per env.

#include <cuda_runtime.h>

#include "check.cuh"
#include "launch.cuh"
#include "device_memory.hpp"
#include "env/backend.hpp"
#include "mmsim/env/spread_env.hpp"
#include "mmsim/gpu/env.hpp"

namespace mmsim::gpu {
namespace {

__global__ void spread_step_kernel(detail::SpreadViews env, const std::int32_t* actions) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < env.num_envs) spread_step(env.params, env.market, env.windows, env.state, env.outputs, i, actions[i]);
}

__global__ void spread_begin_kernel(detail::SpreadViews env) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < env.num_envs) spread_begin(env.params, env.market, env.windows, env.state, env.outputs, i);
}

class CudaSpreadLauncher final : public detail::SpreadLauncher {
 public:
  void begin(const detail::SpreadViews& env, StreamHandle stream) override {
    spread_begin_kernel<<<blocks_for(env.num_envs), kThreads, 0, static_cast<cudaStream_t>(stream.handle)>>>(env);
    MMSIM_CUDA_CHECK_LAUNCH();
  }

  void step(const detail::SpreadViews& env, const std::int32_t* actions, StreamHandle stream) override {
    spread_step_kernel<<<blocks_for(env.num_envs), kThreads, 0, static_cast<cudaStream_t>(stream.handle)>>>(env,
                                                                                                           actions);
    MMSIM_CUDA_CHECK_LAUNCH();
  }
};

}  // namespace

std::unique_ptr<SpreadEnv> make_spread_cuda_env(const EnvData& data, const SpreadConfig& config, std::int64_t num_envs,
                                                std::uint64_t seed, StreamHandle stream) {
  return detail::make_spread_env(data, config, num_envs, seed, device_memory(stream),
                                 std::make_unique<CudaSpreadLauncher>(), stream);
}

}  // namespace mmsim::gpu
