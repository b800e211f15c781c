#pragma once
// Feature precompute on the GPU (CUDA backend only): the same formulas as
// compute_features_cpu (mmsim/data/feature_row.hpp), with Thrust/CUB scans
// for cumulative sizes and the RSI windows.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/core/stream.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim::gpu {

/// A feature table in device memory, row-major float32 [rows, columns].
/// Owns its memory (freed on destruction, on the stream it was made on).
class DeviceFeatureTable {
 public:
  DeviceFeatureTable();
  DeviceFeatureTable(DeviceFeatureTable&&) noexcept;
  DeviceFeatureTable& operator=(DeviceFeatureTable&&) noexcept;
  ~DeviceFeatureTable();

  const float* data() const;  ///< device pointer
  std::int64_t rows() const;
  int columns() const;
  const FeatureLayout& layout() const;
  const std::vector<std::string>& names() const;
  const std::vector<double>& mean() const;   ///< host copy; empty if not normalised
  const std::vector<double>& scale() const;  ///< host copy; empty if not normalised

  /// Copies the table to the host; synchronises `stream`.
  FeatureTable to_host(StreamHandle stream) const;

  struct Impl;

 private:
  explicit DeviceFeatureTable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend DeviceFeatureTable compute_features_cuda(const BookTensor&, const FeatureConfig&, const Split*, StreamHandle);
};

/// Uploads the book, computes the raw features on the device and, when
/// `train` is given, normalises them with statistics of those rows (computed
/// on the device). Synchronises `stream` once at the end to check for NaN or
/// inf, which throws InputError naming the row and column.
DeviceFeatureTable compute_features_cuda(const BookTensor& book, const FeatureConfig& config, const Split* train,
                                         StreamHandle stream);

}  // namespace mmsim::gpu
