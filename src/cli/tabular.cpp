#include "cli/tabular.hpp"

#include <ostream>

#include "cli/python_tool.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/train/tabular.hpp"
#ifdef MMSIM_WITH_CUDA
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/tabular.hpp"
#endif

namespace mmsim::cli {

int run_tabular(const Config& config, const TabularOptions& options, std::ostream& out) {
  TabularRunOptions run;
  run.device = options.device;
  run.runs_dir = options.runs_dir;
  if (options.device == "cuda") {
#ifdef MMSIM_WITH_CUDA
    const gpu::DeviceStatus status = gpu::query_device();
    if (!status.usable) {
      throw Error("--device cuda: no usable CUDA device (" + status.reason + "); --device cpu trains on the CPU");
    }
    run.device = "cuda (" + status.name + ")";
    run.make_batch = [](const TabularBatchSpec& spec) { return gpu::make_tabular_cuda_batch(spec); };
#else
    throw Error("--device cuda: this build has no CUDA backend (the CUDA toolkit was not found when it was built)");
#endif
  } else {
    const int threads = static_cast<int>(config.tabular.threads);
    run.make_batch = [threads](const TabularBatchSpec& spec) { return make_tabular_cpu_batch(spec, threads); };
  }
  const std::filesystem::path dir = mmsim::run_tabular(config, run, out);
  if (options.plots) {
    std::string command;
    if (!run_python_tool("plot_tabular.py", dir, &command)) {
      out << "plots not written: run `" << command << "` once the Python environment is set up (tools/setup.sh)\n";
    }
  }
  return 0;
}

}  // namespace mmsim::cli
