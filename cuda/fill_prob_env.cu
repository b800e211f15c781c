// The CUDA backend of the fill-probability env: one thread per env.

#include <cuda_runtime.h>

#include "check.cuh"
#include "device_buffer.cuh"
#include "fault.cuh"
#include "env/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/gpu/env.hpp"

namespace mmsim::gpu {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(std::int64_t items) { return static_cast<unsigned>((items + kThreads - 1) / kThreads); }

__global__ void fill_prob_step_kernel(FillProbParams p, MarketView m, WindowRanges w, FillProbState s,
                                      FillProbOutputs o, const std::int32_t* actions, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) fill_prob_step(p, m, w, s, o, i, actions[i]);
}

__global__ void fill_prob_reset_kernel(FillProbParams p, MarketView m, WindowRanges w, FillProbState s,
                                       FillProbOutputs o, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  fill_prob_begin_episode(p, w, s, i);
  fill_prob_observe(m, s, o, i);
}

class CudaFillProbEnv final : public FillProbEnv {
 public:
  CudaFillProbEnv(const EnvData& data, const FillProbConfig& config, std::int64_t n, std::uint64_t seed,
                  StreamHandle stream)
      : FillProbEnv(n, make_fill_prob_params(config, data, seed)) {
    if (n < 1) throw ConfigError("fill_prob.num_envs", std::to_string(n) + " must be >= 1");
    const auto s = static_cast<cudaStream_t>(stream.handle);
    const BookTensor& book = *data.book;
    bid_price_ = cuda::to_device(book.bid_price, s);
    ask_price_ = cuda::to_device(book.ask_price, s);
    bid_size_ = cuda::to_device(book.bid_size, s);
    ask_size_ = cuda::to_device(book.ask_size, s);
    EnvConfig window;
    window.split = config.split;
    const detail::RangeColumns ranges = detail::range_columns(episode_split(window, *data.splits));
    range_begin_ = cuda::to_device(ranges.begin, s);
    range_end_ = cuda::to_device(ranges.end, s);
    const EnvData book_only{data.book, nullptr, data.splits};
    market_ = detail::host_market(book_only);
    market_.bid_price.data = bid_price_.data();
    market_.ask_price.data = ask_price_.data();
    market_.bid_size.data = bid_size_.data();
    market_.ask_size.data = ask_size_.data();
    windows_ = {range_begin_.data(), range_end_.data(), static_cast<int>(ranges.begin.size()), ranges.longest};
    int device = 0;
    MMSIM_CUDA_CHECK(cudaGetDevice(&device));
    outputs_desc_ = fill_prob_output_layout(n);
    for (BufferDesc& desc : outputs_desc_) {
      output_storage_.emplace_back(buffer_bytes(desc), s);
      desc.data = output_storage_.back().data();
      desc.device = Backend::cuda;
      desc.device_id = device;
    }
    std::vector<BufferDesc> state_desc = fill_prob_state_layout(n);
    for (BufferDesc& desc : state_desc) {
      state_storage_.emplace_back(buffer_bytes(desc), s);
      desc.data = state_storage_.back().data();
    }
    bind_fill_prob(&outputs_, outputs_desc_);
    bind_fill_prob(&state_, state_desc);
    reset(stream);
  }

  Backend backend() const override { return Backend::cuda; }

  void reset(StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    for (const auto& block : state_storage_) MMSIM_CUDA_CHECK(cudaMemsetAsync(block.data(), 0, block.bytes(), s));
    for (const auto& block : output_storage_) MMSIM_CUDA_CHECK(cudaMemsetAsync(block.data(), 0, block.bytes(), s));
    MMSIM_CUDA_CHECK(cudaMemsetAsync(outputs_.fault, 0xFF, 3 * sizeof(std::int64_t), s));
    fill_prob_reset_kernel<<<blocks_for(num_envs_), kThreads, 0, s>>>(params_, market_, windows_, state_, outputs_,
                                                                      num_envs_);
    MMSIM_CUDA_CHECK_LAUNCH();
  }

  void step(const std::int32_t* actions, StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    fill_prob_step_kernel<<<blocks_for(num_envs_), kThreads, 0, s>>>(params_, market_, windows_, state_, outputs_,
                                                                     actions, num_envs_);
    MMSIM_CUDA_CHECK_LAUNCH();
  }

  std::vector<BufferDesc> describe_outputs() const override { return outputs_desc_; }

  void check_faults(StreamHandle stream) override { check_device_fault(outputs_.fault, stream); }

 private:
  cuda::DeviceBuffer<Ticks> bid_price_, ask_price_;
  cuda::DeviceBuffer<Lots> bid_size_, ask_size_;
  cuda::DeviceBuffer<std::int64_t> range_begin_, range_end_;
  MarketView market_;
  WindowRanges windows_;
  std::vector<cuda::DeviceBuffer<std::uint8_t>> output_storage_, state_storage_;
  std::vector<BufferDesc> outputs_desc_;
  FillProbState state_;
};

}  // namespace

std::unique_ptr<FillProbEnv> make_fill_prob_cuda_env(const EnvData& data, const FillProbConfig& config,
                                                     std::int64_t num_envs, std::uint64_t seed, StreamHandle stream) {
  return std::make_unique<CudaFillProbEnv>(data, config, num_envs, seed, stream);
}

}  // namespace mmsim::gpu
