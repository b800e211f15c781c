// The CUDA backend of BatchEnv: the shared step core, one thread per env, and
// the stacked observations assembled one element per thread (coalesced
// writes; consecutive threads read consecutive features of a row).

#include <cuda_runtime.h>

#include <algorithm>

#include "check.cuh"
#include "device_buffer.cuh"
#include "fault.cuh"
#include "env/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/env/step_core.hpp"
#include "mmsim/gpu/env.hpp"

namespace mmsim::gpu {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(std::int64_t items) { return static_cast<unsigned>((items + kThreads - 1) / kThreads); }

/// One env's step for its decision: a row of the action table or an explicit quote.
__device__ bool step_with(const StepParams& p, const MarketView& m, const WindowRanges& w, const EnvState& s,
                          const EnvOutputViews& o, std::int64_t i, std::int32_t action, std::int64_t total) {
  return step_env(p, m, w, s, o, i, action, total);
}

__device__ bool step_with(const StepParams& p, const MarketView& m, const WindowRanges& w, const EnvState& s,
                          const EnvOutputViews& o, std::int64_t i, const ActionRow& quote, std::int64_t total) {
  return step_env_quotes(p, m, w, s, o, i, quote, total);
}

/// `decisions`: one per env. totals[0]: all envs' finished episodes before
/// the step; totals[1]: after it.
template <typename Decision>
__global__ void step_kernel(StepParams p, MarketView m, WindowRanges w, EnvState s, EnvOutputViews o,
                            const Decision* decisions, std::int64_t n, unsigned long long* totals) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  if (step_with(p, m, w, s, o, i, decisions[i], static_cast<std::int64_t>(totals[0]))) atomicAdd(&totals[1], 1ULL);
}

__global__ void publish_total_kernel(unsigned long long* totals) { totals[0] = totals[1]; }

__global__ void reset_kernel(StepParams p, WindowRanges w, EnvState s, std::int64_t n) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) begin_episode(p, w, s, i, 0);
}

__global__ void observation_kernel(StepParams p, MarketView m, EnvState s, float* obs, std::int64_t elements) {
  const std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= elements) return;
  const std::int64_t per_env = static_cast<std::int64_t>(p.stack) * p.frame_size;
  const std::int64_t i = e / per_env;
  obs[e] = observation_value(p, m, s, i, static_cast<int>(e - i * per_env));
}

class CudaBatchEnv final : public BatchEnv {
 public:
  CudaBatchEnv(const EnvData& data, const EnvConfig& config, std::int64_t num_envs, std::uint64_t seed,
               StreamHandle stream)
      : BatchEnv(num_envs, make_step_params(config, data, seed, &capped_)) {
    if (num_envs < 1) throw ConfigError("env.num_envs", std::to_string(num_envs) + " must be >= 1");
    if (capped_) detail::log_length_cap(params_, config);
    const auto s = static_cast<cudaStream_t>(stream.handle);
    const BookTensor& book = *data.book;
    bid_price_ = cuda::to_device(book.bid_price, s);
    ask_price_ = cuda::to_device(book.ask_price, s);
    bid_size_ = cuda::to_device(book.bid_size, s);
    ask_size_ = cuda::to_device(book.ask_size, s);
    features_ = cuda::to_device(data.features->values, s);
    const detail::RangeColumns ranges = detail::range_columns(episode_split(config, *data.splits));
    range_begin_ = cuda::to_device(ranges.begin, s);
    range_end_ = cuda::to_device(ranges.end, s);

    market_ = detail::host_market(data);
    const std::int64_t rows = book.rows();
    market_.bid_price.data = bid_price_.data();
    market_.ask_price.data = ask_price_.data();
    market_.bid_size.data = bid_size_.data();
    market_.ask_size.data = ask_size_.data();
    market_.features = {features_.data(), rows, data.features->columns()};
    windows_ = {range_begin_.data(), range_end_.data(), static_cast<int>(ranges.begin.size()), ranges.longest};
    if (params_.fill_model == FillModel::trades) {
      // Only the trades fill model reads the message log.
      message_begin_ = cuda::to_device(book.message_begin, s);
      message_end_ = cuda::to_device(book.message_end, s);
      message_type_ = cuda::to_device(book.messages.type, s);
      message_size_ = cuda::to_device(book.messages.size, s);
      message_price_ = cuda::to_device(book.messages.price_half_ticks, s);
      message_direction_ = cuda::to_device(book.messages.direction, s);
      market_.message_begin = message_begin_.data();
      market_.message_end = message_end_.data();
      market_.message_type = message_type_.data();
      market_.message_size = message_size_.data();
      market_.message_price_half_ticks = message_price_.data();
      market_.message_direction = message_direction_.data();
    } else {
      market_.message_begin = market_.message_end = nullptr;
      market_.message_type = market_.message_direction = nullptr;
      market_.message_size = nullptr;
      market_.message_price_half_ticks = nullptr;
    }

    outputs_desc_ = allocate(output_layout(num_envs, params_), &output_storage_, s);
    state_desc_ = allocate(state_layout(num_envs, params_), &state_storage_, s);
    bind_outputs(&outputs_, outputs_desc_);
    bind_state(&state_, state_desc_);
    totals_ = cuda::DeviceBuffer<unsigned long long>(2, s);
    reset(stream);
  }

  Backend backend() const override { return Backend::cuda; }

  void reset(StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    for (const auto& block : state_storage_) MMSIM_CUDA_CHECK(cudaMemsetAsync(block.data(), 0, block.bytes(), s));
    for (const auto& block : output_storage_) MMSIM_CUDA_CHECK(cudaMemsetAsync(block.data(), 0, block.bytes(), s));
    MMSIM_CUDA_CHECK(cudaMemsetAsync(outputs_.fault, 0xFF, 3 * sizeof(std::int64_t), s));  // -1
    MMSIM_CUDA_CHECK(cudaMemsetAsync(totals_.data(), 0, totals_.bytes(), s));
    reset_kernel<<<blocks_for(num_envs_), kThreads, 0, s>>>(params_, windows_, state_, num_envs_);
    MMSIM_CUDA_CHECK_LAUNCH();
    write_observations(s);
  }

  void step(const std::int32_t* actions, StreamHandle stream) override { step_all(actions, stream); }

  void step_quotes(const ActionRow* quotes, StreamHandle stream) override { step_all(quotes, stream); }

  std::vector<BufferDesc> describe_outputs() const override { return outputs_desc_; }

  std::vector<std::uint8_t> save_state(StreamHandle stream) const override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    std::vector<std::uint8_t> bytes;
    for (const auto* descs : {&state_desc_, &outputs_desc_}) {
      for (const BufferDesc& d : *descs) {
        const std::size_t at = bytes.size();
        bytes.resize(at + static_cast<std::size_t>(buffer_bytes(d)));
        MMSIM_CUDA_CHECK(cudaMemcpyAsync(bytes.data() + at, d.data, static_cast<std::size_t>(buffer_bytes(d)),
                                         cudaMemcpyDeviceToHost, s));
      }
    }
    const std::size_t at = bytes.size();
    bytes.resize(at + 2 * sizeof(unsigned long long));
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(bytes.data() + at, totals_.data(), totals_.bytes(), cudaMemcpyDeviceToHost, s));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
    return bytes;
  }

  void load_state(const std::vector<std::uint8_t>& bytes, StreamHandle stream) override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    detail::check_state_size(bytes.size(), totals_.bytes() + static_cast<std::size_t>(total_bytes(state_desc_) +
                                                                                       total_bytes(outputs_desc_)));
    std::size_t at = 0;
    for (const auto* descs : {&state_desc_, &outputs_desc_}) {
      for (const BufferDesc& d : *descs) {
        MMSIM_CUDA_CHECK(cudaMemcpyAsync(d.data, bytes.data() + at, static_cast<std::size_t>(buffer_bytes(d)),
                                         cudaMemcpyHostToDevice, s));
        at += static_cast<std::size_t>(buffer_bytes(d));
      }
    }
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(totals_.data(), bytes.data() + at, totals_.bytes(), cudaMemcpyHostToDevice, s));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));  // `bytes` may go out of scope
  }

  void check_faults(StreamHandle stream) override { check_device_fault(outputs_.fault, stream); }

  std::vector<std::int64_t> finished_episodes(StreamHandle stream) const override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    std::vector<std::int64_t> host(static_cast<std::size_t>(num_envs_));
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(host.data(), state_.finished, host.size() * sizeof(std::int64_t),
                                     cudaMemcpyDeviceToHost, s));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
    return host;
  }

  std::int64_t finished_total(StreamHandle stream) const override {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    unsigned long long total = 0;
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(&total, totals_.data(), sizeof total, cudaMemcpyDeviceToHost, s));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
    return static_cast<std::int64_t>(total);
  }

  void set_finished_episodes(const std::vector<std::int64_t>& per_env, std::int64_t total,
                             StreamHandle stream) override {
    if (static_cast<std::int64_t>(per_env.size()) != num_envs_) {
      throw Error("curriculum state has " + std::to_string(per_env.size()) + " envs, this env batch has " +
                  std::to_string(num_envs_));
    }
    const auto s = static_cast<cudaStream_t>(stream.handle);
    const unsigned long long totals[2] = {static_cast<unsigned long long>(total),
                                          static_cast<unsigned long long>(total)};
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(state_.finished, per_env.data(), per_env.size() * sizeof(std::int64_t),
                                     cudaMemcpyHostToDevice, s));
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(totals_.data(), totals, sizeof totals, cudaMemcpyHostToDevice, s));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));  // the host arrays go out of scope
  }

 private:
  static std::vector<BufferDesc> allocate(std::vector<BufferDesc> layout,
                                          std::vector<cuda::DeviceBuffer<std::uint8_t>>* storage, cudaStream_t s) {
    int device = 0;
    MMSIM_CUDA_CHECK(cudaGetDevice(&device));
    for (BufferDesc& desc : layout) {
      storage->emplace_back(buffer_bytes(desc), s);
      desc.data = storage->back().data();
      desc.device = Backend::cuda;
      desc.device_id = device;
    }
    return layout;
  }

  /// Steps every env on its decision, publishes the finished-episode total
  /// for the next step's curriculum and writes the observations.
  template <typename Decision>
  void step_all(const Decision* decisions, StreamHandle stream) {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    step_kernel<<<blocks_for(num_envs_), kThreads, 0, s>>>(params_, market_, windows_, state_, outputs_, decisions,
                                                           num_envs_, totals_.data());
    MMSIM_CUDA_CHECK_LAUNCH();
    publish_total_kernel<<<1, 1, 0, s>>>(totals_.data());
    MMSIM_CUDA_CHECK_LAUNCH();
    write_observations(s);
  }

  void write_observations(cudaStream_t s) {
    const std::int64_t elements = num_envs_ * observation_size();
    observation_kernel<<<blocks_for(elements), kThreads, 0, s>>>(params_, market_, state_, outputs_.obs, elements);
    MMSIM_CUDA_CHECK_LAUNCH();
  }

  bool capped_ = false;
  cuda::DeviceBuffer<Ticks> bid_price_, ask_price_;
  cuda::DeviceBuffer<Lots> bid_size_, ask_size_;
  cuda::DeviceBuffer<float> features_;
  cuda::DeviceBuffer<std::int64_t> range_begin_, range_end_;
  cuda::DeviceBuffer<std::int64_t> message_begin_, message_end_, message_price_;
  cuda::DeviceBuffer<std::int8_t> message_type_, message_direction_;
  cuda::DeviceBuffer<Lots> message_size_;
  MarketView market_;
  WindowRanges windows_;
  std::vector<cuda::DeviceBuffer<std::uint8_t>> output_storage_, state_storage_;
  std::vector<BufferDesc> outputs_desc_, state_desc_;
  EnvState state_;
  cuda::DeviceBuffer<unsigned long long> totals_;
};

}  // namespace

std::unique_ptr<BatchEnv> make_cuda_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                        std::uint64_t seed, StreamHandle stream) {
  return std::make_unique<CudaBatchEnv>(data, config, num_envs, seed, stream);
}

}  // namespace mmsim::gpu
