// Builds with CUDA training: the bridge between torch's CUDA state and the
// CUDA env (the only file that includes both c10/cuda and mmsim/gpu headers).

#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/core/StreamGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/cuda.h>


#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/env.hpp"
#include "mmsim/gpu/random.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/device.hpp"

namespace mmsim::train {

bool cuda_training_available(std::string* reason) {
  const gpu::DeviceStatus status = gpu::query_device();
  if (!status.usable) {
    *reason = "no usable CUDA device (" + status.reason + ")";
    return false;
  }
  if (!torch::cuda::is_available()) {
    *reason = "the CUDA driver sees " + status.name + " but libtorch does not (a CPU-only libtorch at run time?)";
    return false;
  }
  return true;
}

torch::Device device_of(const BatchEnv& env) {
  if (env.backend() == Backend::cpu) return torch::kCPU;
  return {torch::kCUDA, c10::cuda::current_device()};
}

StreamHandle current_stream() { return {c10::cuda::getCurrentCUDAStream().stream()}; }

void synchronize_current_stream(const torch::Device& device) {
  if (device.is_cuda()) c10::cuda::getCurrentCUDAStream().synchronize();
}

std::unique_ptr<BatchEnv> make_training_env(const EnvData& data, const Config& config, bool cuda) {
  if (!cuda) return make_cpu_env(data, config.env, config.train.num_envs, config.seed);
  std::string reason;
  if (!cuda_training_available(&reason)) throw Error("CUDA training: " + reason);
  // The env allocates outside torch's caching allocator: give it what torch
  // keeps cached from an earlier run of this process (--seeds).
  c10::cuda::CUDACachingAllocator::emptyCache();
  try {
    return gpu::make_cuda_env(data, config.env, config.train.num_envs, config.seed, current_stream());
  } catch (const CudaError& e) {
    if (!e.out_of_memory()) throw;
    throw Error(out_of_memory_message(data, config, false));
  }
}

std::string out_of_memory_message(const EnvData& data, const Config& config, bool run_holds_memory) {
  c10::cuda::CUDACachingAllocator::emptyCache();
  const gpu::MemoryInfo memory = gpu::memory_info();
  const std::int64_t per_env = training_bytes_per_env(data, config);
  const double held = run_holds_memory ? static_cast<double>(per_env) * static_cast<double>(config.train.num_envs) : 0;
  const double available = static_cast<double>(memory.free) + held;
  // A tenth is left for the caching allocator's slack.
  const auto fit = static_cast<long long>(0.9 * available / static_cast<double>(per_env));
  return format("out of GPU memory with train.num_envs = %lld: a training env needs about %.1f KiB of device memory "
                "(env state and outputs, %lld rollout steps, the update), and %.0f MiB of the device's %.0f MiB "
                "are free or held by this run, so about %lld envs fit; set train.num_envs to at most that",
                static_cast<long long>(config.train.num_envs), static_cast<double>(per_env) / 1024.0,
                static_cast<long long>(config.train.rollout_steps), available / 1048576.0,
                static_cast<double>(memory.total) / 1048576.0, fit);
}

std::vector<std::int64_t> side_by_side_groups(const EnvData& data, const std::vector<Config>& runs, bool cuda) {
  if (!cuda) return {static_cast<std::int64_t>(runs.size())};
  c10::cuda::CUDACachingAllocator::emptyCache();
  const double budget = 0.9 * static_cast<double>(gpu::memory_info().free);
  std::vector<std::int64_t> groups;
  double used = 0;
  for (const Config& run : runs) {
    const auto bytes = static_cast<double>(training_bytes(data, run));
    if (groups.empty() || used + bytes > budget) {
      groups.push_back(0);
      used = 0;
    }
    ++groups.back();
    used += bytes;
  }
  return groups;
}

RunStream::RunStream(bool cuda) {
  if (cuda) stream_ = c10::cuda::getStreamFromPool();
}

void RunStream::run(const std::function<void()>& work) const {
  if (!stream_) {
    work();
    return;
  }
  const c10::StreamGuard guard(*stream_);
  work();
}

void fill_counter_uniforms(torch::Tensor& out, std::uint64_t seed, std::uint64_t episode, std::uint32_t step,
                           RngPurpose purpose) {
  if (!out.is_cuda()) {
    out.copy_(counter_uniforms(seed, episode, step, purpose, out.size(0)));
    return;
  }
  MMSIM_ASSERT(out.scalar_type() == torch::kFloat64 && out.is_contiguous(), "uniforms must be contiguous float64");
  gpu::fill_uniforms(out.data_ptr<double>(), out.numel(), seed, episode, step, purpose, current_stream());
}

}  // namespace mmsim::train
