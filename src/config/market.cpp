#include "mmsim/config/market.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "mmsim/core/statistics.hpp"
#include "mmsim/data/book_row.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/core/episode.hpp"

namespace mmsim {
namespace {

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

}  // namespace

MarketData load_market(const Config& config, const FeatureBackend& backend) {
  return load_market(config.data.load, cache_dir_in_use(config), config.features, config.split, backend);
}

std::string market_summary(const MarketData& market, const Config& config) {
  const LoadOptions& load = config.data.load;
  const BookTensor& book = market.loaded.book;
  const LoadStats& load_stats = market.loaded.stats;
  std::string out = "mmsim data summary\n";
  out += fmt::format("  config        {} (hash {:016x})\n",
                     config.source.empty() ? std::string("<text>") : config.source.string(), config_hash(config));

  std::string sessions;
  for (const auto& name : book.session_names) sessions += (sessions.empty() ? "" : ", ") + name;
  out += fmt::format("  data          {} format, {} file(s), {} session(s): {}\n", to_string(load.format),
                     load.files.size(), book.sessions(), sessions);
  out += fmt::format("  instrument    tick {}, lot {}; depth {} of {} levels per side\n", book.instrument.tick_size,
                     book.instrument.lot_size, book.depth, load_stats.file_depth);
  if (market.cached) {
    out += fmt::format("  cache         {} {} ({:.2f} s)\n", market.cache.hit ? "read" : "built",
                       market.cache.file.string(), market.load_seconds);
    if (!market.cache.hit) out += fmt::format("                ({})\n", market.cache.rebuild_reason);
  } else {
    out += fmt::format("  loaded        without cache ({:.2f} s)\n", market.load_seconds);
  }
  out += fmt::format("  source rows   {} ({} bad rows dropped)\n", with_commas(load_stats.source_rows),
                     with_commas(load_stats.dropped_rows));
  if (load.same_timestamp == SameTimestamp::last_row) {
    out += "  same time     the last row of each timestamp only (data.same_timestamp: last_row)\n";
  }
  for (int rule = 0; rule < kStepOnRules; ++rule) {
    const auto r = static_cast<StepOn>(rule);
    out += fmt::format("  step_on       {:<18} {:>10} rows{}\n", to_string(r),
                       with_commas(load_stats.rows_per_rule[rule]),
                       r == load.step_on ? "   <- in use" : "");
  }
  if (book.has_messages()) {
    out += fmt::format("  messages      {} (kept with each step's message range)\n",
                       with_commas(book.messages.size_rows()));
  }

  const BookPrices prices = book.prices();
  std::vector<Ticks> spreads(static_cast<std::size_t>(book.rows()));
  std::int64_t min_mid2 = mid_half_ticks(prices, 0), max_mid2 = min_mid2;
  for (std::int64_t r = 0; r < book.rows(); ++r) {
    spreads[r] = spread_ticks(prices, r);
    min_mid2 = std::min(min_mid2, mid_half_ticks(prices, r));
    max_mid2 = std::max(max_mid2, mid_half_ticks(prices, r));
  }
  // Spreads are tick counts: the median and p95 are order statistics, not interpolated.
  out += fmt::format("  spread        ticks: min {}, median {}, mean {:.1f}, p95 {}, max {}\n", stats::minimum(spreads),
                     stats::lower_order_statistic(spreads, 0.5), stats::mean(spreads),
                     stats::lower_order_statistic(spreads, 0.95), stats::maximum(spreads));
  const double tick = book.instrument.tick_size;
  out += fmt::format("  mid price     {:.4f} .. {:.4f}\n", 0.5 * static_cast<double>(min_mid2) * tick,
                     0.5 * static_cast<double>(max_mid2) * tick);
  out += fmt::format("  time          {} .. {} (first session start, last session end)\n",
                     clock_time(book.time_ns.front()), clock_time(book.time_ns.back()));

  const FeatureLayout& layout = market.table.layout;
  const Splits& splits = market.splits;
  std::string rsi;
  for (int w : layout.rsi_windows) rsi += (rsi.empty() ? "" : "/") + std::to_string(w);
  const std::string end_rows =
      config.split.end_rows > 0
          ? fmt::format(" and {} end row{}", config.split.end_rows, config.split.end_rows == 1 ? "" : "s")
          : std::string();
  out += fmt::format("  features      {} columns (depth {}, RSI {}), {} warm-up rows{} per session\n",
                     market.table.columns(), layout.depth, rsi.empty() ? "none" : rsi, splits.warmup_rows_per_session,
                     end_rows);
  out += fmt::format("                computed on {} in {:.3f} s; normalised with training-split statistics\n",
                     market.feature_backend, market.feature_seconds);
  const std::int64_t eligible = splits.train.rows() + splits.validation.rows() + splits.test.rows();
  auto share = [&](const Split& s) {
    return eligible ? 100.0 * static_cast<double>(s.rows()) / static_cast<double>(eligible) : 0.0;
  };
  out += fmt::format("  splits        by {}: train {} rows ({:.1f}%), validation {} ({:.1f}%), test {} ({:.1f}%)\n",
                     to_string(config.split.by), with_commas(splits.train.rows()), share(splits.train),
                     with_commas(splits.validation.rows()), share(splits.validation), with_commas(splits.test.rows()),
                     share(splits.test));
  out += fmt::format("                longest window: train {}, validation {}, test {} rows\n",
                     with_commas(splits.train.longest_range()), with_commas(splits.validation.longest_range()),
                     with_commas(splits.test.longest_range()));
  if (!config.env.actions.empty()) {
    bool capped = false;
    const StepParams params = make_step_params(config.env, market.view(), config.seed, &capped);
    const std::int64_t length = episode_length_for(params, 0);
    const std::string curriculum =
        config.env.curriculum.enabled
            ? " (curriculum up to " + std::to_string(std::min(params.max_length, params.cap)) + ")"
            : "";
    out += fmt::format("  env           {} actions ({} offsets, {} sizes), observation {} x {} = {} floats\n",
                       params.action_count, to_string(config.env.offset_unit), to_string(config.env.size_unit),
                       params.stack, params.frame_size, params.observation_size());
    out += fmt::format("                episodes of {} steps{} from the {} split{}\n", length, curriculum,
                       to_string(config.env.split), capped ? " (capped to fit the split)" : "");
  }
  return out;
}

}  // namespace mmsim
