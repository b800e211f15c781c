// Feature precompute on the device: Thrust scans for the cumulative sizes and
// the RSI move sums, one thread per row for the shared row formulas, a CUB
// block reduction per column for the training-split statistics.

#include <cub/block/block_reduce.cuh>
#include <thrust/execution_policy.h>
#include <thrust/find.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/scan.h>
#include <thrust/transform.h>

#include <cmath>

#include "check.cuh"
#include "launch.cuh"
#include "device_buffer.cuh"
#include "mmsim/data/feature_row.hpp"
#include "mmsim/gpu/features.hpp"

namespace mmsim::gpu {

struct DeviceFeatureTable::Impl {
  cuda::DeviceBuffer<float> values;
  std::int64_t rows = 0;
  FeatureLayout layout;
  std::vector<std::string> names;
  std::vector<double> mean, scale;
};

DeviceFeatureTable::DeviceFeatureTable() : impl_(std::make_unique<Impl>()) {}
DeviceFeatureTable::DeviceFeatureTable(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DeviceFeatureTable::DeviceFeatureTable(DeviceFeatureTable&&) noexcept = default;
DeviceFeatureTable& DeviceFeatureTable::operator=(DeviceFeatureTable&&) noexcept = default;
DeviceFeatureTable::~DeviceFeatureTable() = default;

const float* DeviceFeatureTable::data() const { return impl_->values.data(); }
std::int64_t DeviceFeatureTable::rows() const { return impl_->rows; }
int DeviceFeatureTable::columns() const { return static_cast<int>(impl_->names.size()); }
const FeatureLayout& DeviceFeatureTable::layout() const { return impl_->layout; }
const std::vector<std::string>& DeviceFeatureTable::names() const { return impl_->names; }
const std::vector<double>& DeviceFeatureTable::mean() const { return impl_->mean; }
const std::vector<double>& DeviceFeatureTable::scale() const { return impl_->scale; }

FeatureTable DeviceFeatureTable::to_host(StreamHandle stream) const {
  FeatureTable table;
  table.layout = impl_->layout;
  table.names = impl_->names;
  table.rows = impl_->rows;
  table.mean = impl_->mean;
  table.scale = impl_->scale;
  table.values.resize(impl_->values.size());
  if (!table.values.empty()) {
    const auto s = static_cast<cudaStream_t>(stream.handle);
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(table.values.data(), impl_->values.data(), impl_->values.bytes(),
                                     cudaMemcpyDeviceToHost, s));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(s));
  }
  return table;
}

namespace {

constexpr int kStatsThreads = 256;

struct RowOfCell {
  std::int64_t depth;
  __host__ __device__ std::int64_t operator()(std::int64_t cell) const { return cell / depth; }
};

struct UpMove {
  FeatureInputs in;
  __device__ std::int64_t operator()(std::int64_t row) const {
    const std::int64_t move = mid_move_half_ticks(in, session_start_of(in.session_begin, row), row);
    return move > 0 ? move : 0;
  }
};

struct DownMove {
  FeatureInputs in;
  __device__ std::int64_t operator()(std::int64_t row) const {
    const std::int64_t move = mid_move_half_ticks(in, session_start_of(in.session_begin, row), row);
    return move < 0 ? -move : 0;
  }
};

struct NotFinite {
  __device__ bool operator()(float v) const { return !isfinite(v); }
};

__global__ void feature_rows_kernel(FeatureInputs in, std::int64_t rows, int columns, float* out) {
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (row < rows) compute_feature_row(in, row, out + row * columns);
}

/// One block per column: mean, then standard deviation over the training rows.
/// Fixed reduction order, so repeated runs give identical statistics.
__global__ void column_stats_kernel(const float* values, std::int64_t columns, const std::int64_t* range_bounds,
                                    int range_count, double count, double* mean_out, double* scale_out) {
  using BlockReduce = cub::BlockReduce<double, kStatsThreads>;
  __shared__ typename BlockReduce::TempStorage storage;
  __shared__ double mean_shared;
  const int column = blockIdx.x;

  double sum = 0;
  for (int r = 0; r < range_count; ++r) {
    for (std::int64_t row = range_bounds[2 * r] + threadIdx.x; row < range_bounds[2 * r + 1]; row += blockDim.x) {
      sum += values[row * columns + column];
    }
  }
  const double total = BlockReduce(storage).Sum(sum);
  if (threadIdx.x == 0) mean_shared = total / count;
  __syncthreads();
  const double mean = mean_shared;

  double squares = 0;
  for (int r = 0; r < range_count; ++r) {
    for (std::int64_t row = range_bounds[2 * r] + threadIdx.x; row < range_bounds[2 * r + 1]; row += blockDim.x) {
      const double d = values[row * columns + column] - mean;
      squares += d * d;
    }
  }
  const double total_squares = BlockReduce(storage).Sum(squares);
  if (threadIdx.x == 0) {
    const double scale = sqrt(total_squares / count);
    mean_out[column] = mean;
    scale_out[column] = scale > 0 ? scale : 1.0;  // a constant column is centred but not scaled
  }
}

__global__ void normalise_kernel(float* values, std::int64_t cells, int columns, const double* mean,
                                 const double* scale) {
  const std::int64_t cell = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (cell < cells) {
    const int column = static_cast<int>(cell % columns);
    values[cell] = static_cast<float>((values[cell] - mean[column]) / scale[column]);
  }
}

}  // namespace

DeviceFeatureTable compute_features_cuda(const BookTensor& book, const FeatureConfig& config, const Split* train,
                                         StreamHandle stream_handle) {
  const auto stream = static_cast<cudaStream_t>(stream_handle.handle);
  const auto policy = thrust::cuda::par_nosync.on(stream);
  auto impl = std::make_unique<DeviceFeatureTable::Impl>();
  impl->layout = make_feature_layout(book, config);
  impl->names = impl->layout.names();
  impl->rows = book.rows();
  const std::int64_t rows = book.rows();
  const int L = book.depth;
  const int F = impl->layout.columns();
  const std::int64_t cells = rows * L;

  const auto bid_price = cuda::to_device(book.bid_price, stream);
  const auto ask_price = cuda::to_device(book.ask_price, stream);
  const auto bid_size = cuda::to_device(book.bid_size, stream);
  const auto ask_size = cuda::to_device(book.ask_size, stream);
  const auto time_ns = cuda::to_device(book.time_ns, stream);
  const auto session_begin = cuda::to_device(book.session_begin, stream);

  cuda::DeviceBuffer<Lots> bid_cum(cells, stream), ask_cum(cells, stream);
  const auto row_keys = thrust::make_transform_iterator(thrust::counting_iterator<std::int64_t>(0), RowOfCell{L});
  thrust::inclusive_scan_by_key(policy, row_keys, row_keys + cells, bid_size.data(), bid_cum.data());
  thrust::inclusive_scan_by_key(policy, row_keys, row_keys + cells, ask_size.data(), ask_cum.data());

  FeatureInputs in;
  in.bid_price = {bid_price.data(), rows, L};
  in.ask_price = {ask_price.data(), rows, L};
  in.bid_size = {bid_size.data(), rows, L};
  in.ask_size = {ask_size.data(), rows, L};
  in.bid_cum = {bid_cum.data(), rows, L};
  in.ask_cum = {ask_cum.data(), rows, L};
  in.time_ns = {time_ns.data(), rows};
  in.session_begin = {session_begin.data(), session_begin.size()};
  in.depth = impl->layout.depth;
  in.rsi_count = static_cast<int>(impl->layout.rsi_windows.size());
  for (int w = 0; w < in.rsi_count; ++w) in.rsi_windows[w] = impl->layout.rsi_windows[w];

  cuda::DeviceBuffer<std::int64_t> up(rows, stream), down(rows, stream);
  const thrust::counting_iterator<std::int64_t> first_row(0);
  thrust::transform(policy, first_row, first_row + rows, up.data(), UpMove{in});
  thrust::transform(policy, first_row, first_row + rows, down.data(), DownMove{in});
  thrust::inclusive_scan(policy, up.data(), up.data() + rows, up.data());
  thrust::inclusive_scan(policy, down.data(), down.data() + rows, down.data());
  in.up_prefix = {up.data(), rows};
  in.down_prefix = {down.data(), rows};

  impl->values = cuda::DeviceBuffer<float>(rows * F, stream);
  if (rows == 0) return DeviceFeatureTable(std::move(impl));
  feature_rows_kernel<<<blocks_for(rows, kThreads), kThreads, 0, stream>>>(in, rows, F, impl->values.data());
  MMSIM_CUDA_CHECK_LAUNCH();

  // One synchronising search: precompute is outside the training loop.
  float* const values = impl->values.data();
  const float* const bad = thrust::find_if(thrust::cuda::par.on(stream), values, values + rows * F, NotFinite{});
  if (bad != values + rows * F) {
    const std::int64_t index = bad - values;
    float value = 0;
    MMSIM_CUDA_CHECK(cudaMemcpyAsync(&value, bad, sizeof value, cudaMemcpyDeviceToHost, stream));
    MMSIM_CUDA_CHECK(cudaStreamSynchronize(stream));
    const std::int64_t row = index / F;
    const int column = static_cast<int>(index % F);
    throw InputError({"feature table (cuda)", row + 1, column + 1, impl->names[column]},
                     std::string("value is ") + (std::isnan(value) ? "NaN" : "infinite") + " at row " +
                         std::to_string(row));
  }

  if (train != nullptr) {
    const double count = static_cast<double>(train->rows());
    if (count == 0) throw ConfigError("split", "cannot normalise features: the training split is empty");
    std::vector<std::int64_t> bounds;
    for (const RowRange& r : train->ranges) {
      bounds.push_back(r.begin);
      bounds.push_back(r.end);
    }
    const auto device_bounds = cuda::to_device(bounds, stream);
    cuda::DeviceBuffer<double> mean(F, stream), scale(F, stream);
    column_stats_kernel<<<static_cast<unsigned>(F), kStatsThreads, 0, stream>>>(
        values, F, device_bounds.data(), static_cast<int>(train->ranges.size()), count, mean.data(), scale.data());
    MMSIM_CUDA_CHECK_LAUNCH();
    normalise_kernel<<<blocks_for(rows * F, kThreads), kThreads, 0, stream>>>(values, rows * F, F, mean.data(),
                                                                              scale.data());
    MMSIM_CUDA_CHECK_LAUNCH();
    impl->mean = mean.download();
    impl->scale = scale.download();
  }
  return DeviceFeatureTable(std::move(impl));
}

}  // namespace mmsim::gpu
