#include "cli/summary.hpp"

#include <fstream>

#include "mmsim/config/market.hpp"
#include "mmsim/core/error.hpp"
#ifdef MMSIM_WITH_CUDA
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/features.hpp"
#endif

namespace mmsim::cli {
namespace {

/// The feature backend of --device: the GPU with `cuda` or `automatic` when
/// one is usable, else the CPU reference.
FeatureBackend feature_backend(Device device) {
#ifdef MMSIM_WITH_CUDA
  const gpu::DeviceStatus status = gpu::query_device();
  if (device == Device::cuda && !status.usable) {
    throw Error("--device cuda: no usable CUDA device (" + status.reason + ")");
  }
  if (device == Device::cpu || !status.usable) return {};
  FeatureBackend backend;
  backend.name = "cuda (" + status.name + ")";
  backend.compute = [](const BookTensor& book, const FeatureConfig& config, const Split& train) {
    return gpu::compute_features_cuda(book, config, &train, {}).to_host({});
  };
  return backend;
#else
  if (device == Device::cuda) throw Error("--device cuda: this mmsim was built without the CUDA backend");
  return {};
#endif
}

}  // namespace

int run_summary(const Config& config, const SummaryOptions& options, std::ostream& out) {
  const FeatureBackend backend = feature_backend(options.device);
  if (!options.write_config.empty()) {
    std::ofstream file(options.write_config);
    file << to_yaml(config);
    if (!file) throw Error("cannot write the effective config to " + options.write_config);
  }
  out << market_summary(load_market(config, backend), config);
  return 0;
}

}  // namespace mmsim::cli
