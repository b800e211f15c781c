// The CUDA backend of BatchEnv: device memory, and a launcher of the shared
// step core, one thread per env, with the stacked observations assembled one
// element per thread (coalesced writes; consecutive threads read consecutive
// features of a row).

#include <cuda_runtime.h>

#include "check.cuh"
#include "launch.cuh"
#include "device_memory.hpp"
#include "mmsim/env/step_core.hpp"
#include "mmsim/gpu/env.hpp"

namespace mmsim::gpu {
namespace {

/// One env's step for its decision: a row of the action table, or an
/// explicit quote in ticks or in the config's offset unit.
struct ByAction {
  const std::int32_t* actions;
  __device__ bool operator()(const detail::EnvViews& env, std::int64_t i, std::int64_t total) const {
    return step_env(env.params, env.market, env.windows, env.state, env.outputs, i, actions[i], total);
  }
};

struct ByQuoteInTicks {
  const ActionRow* quotes;
  __device__ bool operator()(const detail::EnvViews& env, std::int64_t i, std::int64_t total) const {
    return step_env_quotes(env.params, env.market, env.windows, env.state, env.outputs, i, quotes[i], total);
  }
};

struct ByQuoteInOffsetUnit {
  const ActionRow* quotes;
  __device__ bool operator()(const detail::EnvViews& env, std::int64_t i, std::int64_t total) const {
    return step_env_offsets(env.params, env.market, env.windows, env.state, env.outputs, i, quotes[i], total);
  }
};

/// The finished-episode totals of the state as atomics: [0] all envs'
/// finished episodes before the step, [1] after it.
__device__ unsigned long long* totals_of(const EnvState& s) {
  return reinterpret_cast<unsigned long long*>(s.finished_total);
}

/// `step_one`: ByAction, ByQuoteInTicks or ByQuoteInOffsetUnit.
template <typename StepOne>
__global__ void step_kernel(detail::EnvViews env, StepOne step_one) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= env.num_envs) return;
  unsigned long long* totals = totals_of(env.state);
  if (step_one(env, i, static_cast<std::int64_t>(totals[0]))) atomicAdd(&totals[1], 1ULL);
}

__global__ void publish_total_kernel(EnvState s) { totals_of(s)[0] = totals_of(s)[1]; }

__global__ void begin_kernel(detail::EnvViews env) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < env.num_envs) begin_episode(env.params, env.windows, env.state, i, 0);
}

__global__ void observation_kernel(detail::EnvViews env, std::int64_t elements) {
  const std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= elements) return;
  const std::int64_t per_env = env.params.observation_size();
  const std::int64_t i = e / per_env;
  const int within = static_cast<int>(e - i * per_env);
  const int j = within % env.params.frame_size;
  write_frame(env.params, env.market, env.state, i, within / env.params.frame_size, j, j + 1, env.outputs.obs + e - j);
}

class CudaLauncher final : public detail::EnvLauncher {
 public:
  void begin(const detail::EnvViews& env, StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    begin_kernel<<<blocks_for(env.num_envs), kThreads, 0, s>>>(env);
    MMSIM_CUDA_CHECK_LAUNCH();
    write_observations(env, s);
  }

  void step(const detail::EnvViews& env, const std::int32_t* actions, StreamHandle stream) override {
    step_all(env, ByAction{actions}, static_cast<cudaStream_t>(stream.handle));
  }

  void step_quotes(const detail::EnvViews& env, const ActionRow* quotes, StreamHandle stream) override {
    step_all(env, ByQuoteInTicks{quotes}, static_cast<cudaStream_t>(stream.handle));
  }

  void step_offsets(const detail::EnvViews& env, const ActionRow* quotes, StreamHandle stream) override {
    step_all(env, ByQuoteInOffsetUnit{quotes}, static_cast<cudaStream_t>(stream.handle));
  }

 private:
  /// Steps every env on its decision, publishes the finished-episode total
  /// for the next step's curriculum and writes the observations.
  template <typename StepOne>
  static void step_all(const detail::EnvViews& env, const StepOne& step_one, cudaStream_t s) {
    step_kernel<<<blocks_for(env.num_envs), kThreads, 0, s>>>(env, step_one);
    MMSIM_CUDA_CHECK_LAUNCH();
    publish_total_kernel<<<1, 1, 0, s>>>(env.state);
    MMSIM_CUDA_CHECK_LAUNCH();
    write_observations(env, s);
  }

  static void write_observations(const detail::EnvViews& env, cudaStream_t s) {
    const std::int64_t elements = env.num_envs * env.params.observation_size();
    observation_kernel<<<blocks_for(elements), kThreads, 0, s>>>(env, elements);
    MMSIM_CUDA_CHECK_LAUNCH();
  }
};

}  // namespace

std::unique_ptr<BatchEnv> make_cuda_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                        std::uint64_t seed, StreamHandle stream) {
  return detail::make_env(data, config, num_envs, seed, device_memory(stream), std::make_unique<CudaLauncher>(),
                          stream);
}

}  // namespace mmsim::gpu
