#include "env/market.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "mmsim/core/error.hpp"

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
  const BookTensor& book = *data.book;
  if (!book.message_begin.empty()) {
    m.message_begin = book.message_begin.data();
    m.message_end = book.message_end.data();
    m.message_type = book.messages.type.data();
    m.message_size = book.messages.size.data();
    m.message_price_half_ticks = book.messages.price_half_ticks.data();
    m.message_direction = book.messages.direction.data();
  }
  return m;
}

void merge_thread_faults(const std::vector<std::int64_t>& thread_faults, std::int64_t* fault) {
  if (fault[0] >= 0) return;
  for (std::size_t t = 0; t + 3 <= thread_faults.size(); t += 3) {
    if (thread_faults[t] >= 0 && (fault[0] < 0 || thread_faults[t] < fault[0])) {
      std::copy(thread_faults.begin() + static_cast<std::ptrdiff_t>(t),
                thread_faults.begin() + static_cast<std::ptrdiff_t>(t + 3), fault);
    }
  }
}

void take_fault(std::int64_t* fault) {
  std::int64_t copy[3];
  std::copy(fault, fault + 3, copy);
  std::fill(fault, fault + 3, -1);
  throw_if_fault(copy);
}

void check_state_size(std::size_t got, std::size_t expected) {
  if (got != expected) {
    throw Error("env state of " + std::to_string(got) + " bytes does not fit this env (" + std::to_string(expected) +
                " bytes): another number of envs, another config, the other backend (CPU or CUDA) or another "
                "version of mmsim");
  }
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
