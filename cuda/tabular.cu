// The CUDA backend of the tabular learners: device memory and a launcher of
// the shared step, one thread per learner running all of a run's steps.

#include <cuda_runtime.h>

#include "check.cuh"
#include "launch.cuh"
#include "device_memory.hpp"
#include "mmsim/gpu/tabular.hpp"
#include "train/tabular_backend.hpp"

namespace mmsim::gpu {
namespace {

__global__ void tabular_begin_kernel(detail::TabularViews batch) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < batch.num_learners) {
    tabular_begin(batch.params, batch.env, batch.market, batch.windows, batch.state, batch.outputs, batch.learners, i);
  }
}

__global__ void tabular_run_kernel(detail::TabularViews batch, std::int64_t steps) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= batch.num_learners) return;
  for (std::int64_t k = 0; k < steps; ++k) {
    tabular_step(batch.params, batch.env, batch.market, batch.windows, batch.state, batch.outputs, batch.learners, i);
  }
}

class CudaTabularLauncher final : public detail::TabularLauncher {
 public:
  void begin(const detail::TabularViews& batch, StreamHandle stream) override {
    tabular_begin_kernel<<<blocks_for(batch.num_learners), kThreads, 0, static_cast<cudaStream_t>(stream.handle)>>>(
        batch);
    MMSIM_CUDA_CHECK_LAUNCH();
  }

  void run(const detail::TabularViews& batch, std::int64_t steps, StreamHandle stream) override {
    tabular_run_kernel<<<blocks_for(batch.num_learners), kThreads, 0, static_cast<cudaStream_t>(stream.handle)>>>(
        batch, steps);
    MMSIM_CUDA_CHECK_LAUNCH();
  }
};

}  // namespace

std::unique_ptr<TabularBatch> make_tabular_cuda_batch(const TabularBatchSpec& spec, StreamHandle stream) {
  return detail::make_tabular_batch(spec, device_memory(stream), std::make_unique<CudaTabularLauncher>(), stream);
}

}  // namespace mmsim::gpu
