// CUDA feature precompute throughput (upload, scans, row kernel, NaN check),
// timed with CUDA events as manual time.

#include <benchmark/benchmark.h>

#include <filesystem>

#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/features.hpp"
#include "mmsim/gpu/timer.hpp"

namespace {

void BM_FeaturesCuda(benchmark::State& state) {
  const mmsim::gpu::DeviceStatus device = mmsim::gpu::query_device();
  if (!device.usable) {
    state.SkipWithError(("no usable CUDA device: " + device.reason).c_str());
    return;
  }
  const auto rule = static_cast<mmsim::StepOn>(state.range(0));
  mmsim::LoadOptions options;
  options.format = mmsim::DataFormat::lobster;
  options.files = {std::filesystem::path(MMSIM_SAMPLE_DATA_DIR) /
                   "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst"};
  options.step_on = rule;
  const mmsim::LoadedBook loaded = mmsim::load_book_uncached(options);
  const mmsim::FeatureConfig config;
  mmsim::gpu::EventTimer timer({});
  for (auto _ : state) {
    timer.start();
    const mmsim::gpu::DeviceFeatureTable table = mmsim::gpu::compute_features_cuda(loaded.book, config, nullptr, {});
    state.SetIterationTime(timer.stop_seconds());
  }
  state.SetItemsProcessed(state.iterations() * loaded.book.rows());
  state.SetLabel(std::string(mmsim::to_string(rule)) + " on " + device.name);
}

BENCHMARK(BM_FeaturesCuda)
    ->Arg(static_cast<int>(mmsim::StepOn::best_price_change))
    ->Arg(static_cast<int>(mmsim::StepOn::every_event))
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
