// Loader and CPU feature precompute throughput on the shipped GOOG sample.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "data/file_io.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"

namespace {

const std::filesystem::path kSample = std::filesystem::path(MMSIM_SAMPLE_DATA_DIR);
const char* const kOrderbook = "GOOG_2012-06-21_34200000_57600000_orderbook_10.csv";
const char* const kMessages = "GOOG_2012-06-21_34200000_57600000_message_10.csv";

/// Plain copies of the sample in a temporary directory, made once.
std::filesystem::path plain_sample() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / "mmsim-bench-plain";
    std::filesystem::create_directories(d);
    for (const char* name : {kOrderbook, kMessages}) {
      std::ofstream(d / name, std::ios::binary)
          << mmsim::detail::read_text_file(kSample / (std::string(name) + ".zst"));
    }
    return d;
  }();
  return dir / kOrderbook;
}

mmsim::LoadOptions sample_options(const std::filesystem::path& orderbook, mmsim::StepOn rule) {
  mmsim::LoadOptions options;
  options.format = mmsim::DataFormat::lobster;
  options.files = {orderbook};
  options.step_on = rule;
  return options;
}

void run_load(benchmark::State& state, const std::filesystem::path& orderbook) {
  const auto options = sample_options(orderbook, mmsim::StepOn::best_price_change);
  std::int64_t rows = 0;
  for (auto _ : state) {
    const mmsim::LoadedBook loaded = mmsim::load_book_uncached(options);
    rows = loaded.stats.source_rows;
    benchmark::DoNotOptimize(loaded.book.bid_price.data());
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["source_rows"] = static_cast<double>(rows);
}

void BM_LoadLobsterPlain(benchmark::State& state) { run_load(state, plain_sample()); }
void BM_LoadLobsterZstd(benchmark::State& state) { run_load(state, kSample / (std::string(kOrderbook) + ".zst")); }

void BM_LoadLobsterCached(benchmark::State& state) {
  const auto options = sample_options(kSample / (std::string(kOrderbook) + ".zst"), mmsim::StepOn::best_price_change);
  const auto cache = std::filesystem::temp_directory_path() / "mmsim-bench-cache";
  mmsim::LoadedBook loaded = mmsim::load_book(options, cache);
  for (auto _ : state) {
    loaded = mmsim::load_book(options, cache);
    benchmark::DoNotOptimize(loaded.book.bid_price.data());
  }
  state.SetItemsProcessed(state.iterations() * loaded.book.rows());
}

void BM_FeaturesCpu(benchmark::State& state) {
  const auto rule = static_cast<mmsim::StepOn>(state.range(0));
  const mmsim::LoadedBook loaded =
      mmsim::load_book_uncached(sample_options(kSample / (std::string(kOrderbook) + ".zst"), rule));
  const mmsim::FeatureConfig config;
  for (auto _ : state) {
    const mmsim::FeatureTable table = mmsim::compute_features_cpu(loaded.book, config);
    benchmark::DoNotOptimize(table.values.data());
  }
  state.SetItemsProcessed(state.iterations() * loaded.book.rows());
  state.SetLabel(mmsim::to_string(rule));
}

BENCHMARK(BM_LoadLobsterPlain)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadLobsterZstd)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadLobsterCached)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FeaturesCpu)
    ->Arg(static_cast<int>(mmsim::StepOn::best_price_change))
    ->Arg(static_cast<int>(mmsim::StepOn::every_event))
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
