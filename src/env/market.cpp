#include "env/market.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

namespace mmsim::detail {

RangeColumns range_columns(const Split& split) {
  RangeColumns columns;
  for (const RowRange& r : split.ranges) {
    columns.begin.push_back(r.begin);
    columns.end.push_back(r.end);
  }
  columns.longest = split.longest_range();
  return columns;
}

MarketView host_market(const EnvData& data) {
  MarketView m;
  m.bid_price = data.book->bid_prices();
  m.ask_price = data.book->ask_prices();
  m.bid_size = data.book->bid_sizes();
  m.ask_size = data.book->ask_sizes();
  // Envs without market features in their observations may pass no table.
  if (data.features != nullptr) m.features = data.features->view();
  m.tick_size = data.book->instrument.tick_size;
  m.lot_size = data.book->instrument.lot_size;
  return m;
}

void log_length_cap(const StepParams& params, const EnvConfig& config) {
  static std::atomic<bool> logged{false};
  if (logged.exchange(true)) return;
  spdlog::warn("episode length capped at {} steps: the longest range of the {} split has {} rows "
               "(asked for {} steps{})",
               params.cap, to_string(config.split), params.cap + 1, config.episode_length,
               config.curriculum.enabled ? ", curriculum up to " + std::to_string(config.curriculum.max_length) : "");
}

}  // namespace mmsim::detail
