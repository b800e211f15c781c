#include "cli/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "mmsim/core/error.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/step_core.hpp"
#ifdef MMSIM_WITH_CUDA
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/features.hpp"
#endif

namespace mmsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return (n < 0 ? "-" : "") + digits;
}

std::string clock_time(Nanos t) {
  const std::int64_t in_day = ((t % 86400000000000LL) + 86400000000000LL) % 86400000000000LL;
  const std::int64_t ms = in_day / 1000000;
  return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

template <class T>
T quantile(std::vector<T> values, double q) {
  const std::size_t k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace

int run_summary(const Config& config, const SummaryOptions& options, std::ostream& out) {
  const LoadOptions& load = config.data.load;
  bool use_cuda = false;
#ifdef MMSIM_WITH_CUDA
  const gpu::DeviceStatus device = gpu::query_device();
  if (options.device == Device::cuda && !device.usable) {
    throw Error("--device cuda: no usable CUDA device (" + device.reason + ")");
  }
  use_cuda = options.device != Device::cpu && device.usable;
#else
  if (options.device == Device::cuda) throw Error("--device cuda: this mmsim was built without the CUDA backend");
#endif
  out << fmt::format("mmsim data summary\n");
  out << fmt::format("  config        {} (hash {:016x})\n",
                     config.source.empty() ? std::string("<text>") : config.source.string(), config_hash(config));
  if (!options.write_config.empty()) {
    std::ofstream file(options.write_config);
    file << to_yaml(config);
    if (!file) throw Error("cannot write the effective config to " + options.write_config);
  }

  auto start = Clock::now();
  LoadedBook loaded;
  CacheOutcome cache;
  if (config.data.use_cache) {
    loaded = load_book(load, cache_dir_of(config), &cache);
  } else {
    loaded = load_book_uncached(load);
  }
  const double load_seconds = seconds_since(start);
  const BookTensor& book = loaded.book;
  const LoadStats& stats = loaded.stats;

  std::string sessions;
  for (const auto& name : book.session_names) sessions += (sessions.empty() ? "" : ", ") + name;
  out << fmt::format("  data          {} format, {} file(s), {} session(s): {}\n", to_string(load.format),
                     load.files.size(), book.sessions(), sessions);
  out << fmt::format("  instrument    tick {}, lot {}; depth {} of {} levels per side\n", book.instrument.tick_size,
                     book.instrument.lot_size, book.depth, stats.file_depth);
  if (config.data.use_cache) {
    out << fmt::format("  cache         {} {} ({:.2f} s)\n", cache.hit ? "read" : "built", cache.file.string(),
                       load_seconds);
    if (!cache.hit) out << fmt::format("                ({})\n", cache.rebuild_reason);
  } else {
    out << fmt::format("  loaded        without cache ({:.2f} s)\n", load_seconds);
  }
  out << fmt::format("  source rows   {} ({} bad rows dropped)\n", with_commas(stats.source_rows),
                     with_commas(stats.dropped_rows));
  for (int rule = 0; rule < kStepOnRules; ++rule) {
    const auto r = static_cast<StepOn>(rule);
    out << fmt::format("  step_on       {:<18} {:>10} rows{}\n", to_string(r), with_commas(stats.rows_per_rule[rule]),
                       r == load.step_on ? "   <- in use" : "");
  }
  if (book.has_messages()) {
    out << fmt::format("  messages      {} (kept with each step's message range)\n",
                       with_commas(book.messages.size_rows()));
  }

  std::vector<Ticks> spreads(static_cast<std::size_t>(book.rows()));
  double spread_sum = 0;
  Ticks min_mid2 = book.bid_price[0] + book.ask_price[0], max_mid2 = min_mid2;
  for (std::int64_t r = 0; r < book.rows(); ++r) {
    const Ticks bid = book.bid_price[r * book.depth], ask = book.ask_price[r * book.depth];
    spreads[r] = ask - bid;
    spread_sum += static_cast<double>(ask - bid);
    min_mid2 = std::min(min_mid2, bid + ask);
    max_mid2 = std::max(max_mid2, bid + ask);
  }
  out << fmt::format("  spread        ticks: min {}, median {}, mean {:.1f}, p95 {}, max {}\n",
                     *std::min_element(spreads.begin(), spreads.end()), quantile(spreads, 0.5),
                     spread_sum / static_cast<double>(book.rows()), quantile(spreads, 0.95),
                     *std::max_element(spreads.begin(), spreads.end()));
  const double tick = book.instrument.tick_size;
  out << fmt::format("  mid price     {:.4f} .. {:.4f}\n", 0.5 * static_cast<double>(min_mid2) * tick,
                     0.5 * static_cast<double>(max_mid2) * tick);
  out << fmt::format("  time          {} .. {} (first session start, last session end)\n",
                     clock_time(book.time_ns.front()), clock_time(book.time_ns.back()));

  const FeatureLayout layout = make_feature_layout(book, config.features);
  const Splits splits = make_splits(book, layout.warmup_rows(), config.split);

  start = Clock::now();
  FeatureTable table;
  std::string where = "cpu";
#ifdef MMSIM_WITH_CUDA
  if (use_cuda) {
    const gpu::DeviceFeatureTable on_device = gpu::compute_features_cuda(book, config.features, &splits.train, {});
    table = on_device.to_host({});
    where = "cuda (" + device.name + ")";
  }
#endif
  if (!use_cuda) {
    table = compute_features_cpu(book, config.features);
    normalise_features(table, splits.train);
  }
  const double feature_seconds = seconds_since(start);

  std::string rsi;
  for (int w : layout.rsi_windows) rsi += (rsi.empty() ? "" : "/") + std::to_string(w);
  out << fmt::format("  features      {} columns (depth {}, RSI {}), {} warm-up rows per session\n", table.columns(),
                     layout.depth, rsi.empty() ? "none" : rsi, layout.warmup_rows());
  out << fmt::format("                computed on {} in {:.3f} s; normalised with training-split statistics\n",
                     where, feature_seconds);
  const std::int64_t eligible = splits.train.rows() + splits.validation.rows() + splits.test.rows();
  auto share = [&](const Split& s) { return eligible ? 100.0 * static_cast<double>(s.rows()) / static_cast<double>(eligible) : 0.0; };
  out << fmt::format("  splits        by {}: train {} rows ({:.1f}%), validation {} ({:.1f}%), test {} ({:.1f}%)\n",
                     to_string(config.split.by), with_commas(splits.train.rows()), share(splits.train),
                     with_commas(splits.validation.rows()), share(splits.validation), with_commas(splits.test.rows()),
                     share(splits.test));
  out << fmt::format("                longest window: train {}, validation {}, test {} rows\n",
                     with_commas(splits.train.longest_range()), with_commas(splits.validation.longest_range()),
                     with_commas(splits.test.longest_range()));
  if (!config.env.actions.empty()) {
    const EnvData data{&book, &table, &splits};
    bool capped = false;
    const StepParams params = make_step_params(config.env, data, config.seed, &capped);
    const std::int64_t length = episode_length_for(params, 0);
    out << fmt::format("  env           {} actions ({} offsets, {} sizes), observation {} x {} = {} floats\n",
                       params.action_count, to_string(config.env.offset_unit), to_string(config.env.size_unit),
                       params.stack, params.frame_size, params.stack * params.frame_size);
    out << fmt::format("                episodes of {} steps{} from the {} split{}\n", length,
                       config.env.curriculum.enabled ? " (curriculum up to " + std::to_string(std::min(params.max_length, params.cap)) + ")" : "",
                       to_string(config.env.split), capped ? " (capped to fit the split)" : "");
  }
  return 0;
}

}  // namespace mmsim::cli
