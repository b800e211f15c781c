#pragma once
// Latency (docs/mechanics.md, "Latency"): the book the agent sees lags the
// real one by obs_delay rows, and its orders take effect steps after it sends
// them.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/core/types.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// The book row seen at `row` of a window starting at `window_start`:
/// `obs_delay` rows back, never before the window's first row.
MMSIM_HD inline std::int64_t seen_row(std::int64_t row, std::int64_t window_start, int obs_delay) {
  const std::int64_t lagged = row - obs_delay;
  return lagged > window_start ? lagged : window_start;
}

/// The book row env `i` sees at its current row.
MMSIM_HD inline std::int64_t observed_row(const StepParams& p, const EnvState& s, std::int64_t i) {
  return seen_row(s.row[i], s.episode_start[i], p.obs_delay);
}

/// An order as the agent sends it: prices in ticks, sizes in the config's
/// size unit (0 = nothing on that side).
struct SentOrder {
  Ticks bid_price = 0;
  Ticks ask_price = 0;
  double bid_size = 0;
  double ask_size = 0;
};

/// Sends `sent` at env `i`'s current step and sets `*arrived` to the order
/// that takes effect at this step, returning false when none does. An order
/// takes effect `delay` steps after it was sent, plus a draw in [0, jitter]
/// from the counter RNG. When several take effect at once the newest wins;
/// one sent before the active order is dropped (it was replaced before it
/// arrived). Without latency the sent order takes effect at once.
MMSIM_HD inline bool exchange_orders(const StepParams& p, const EnvState& s, std::int64_t i, const SentOrder& sent,
                                     SentOrder* arrived) {
  if (p.pending_slots == 1) {
    *arrived = sent;
    return true;
  }
  const std::int32_t step = s.step[i];
  std::int32_t delay = p.delay;
  if (p.delay_jitter > 0) {
    delay += static_cast<std::int32_t>(uniform_index(p.seed, static_cast<std::uint64_t>(i), s.episode[i],
                                                     static_cast<std::uint32_t>(step), RngPurpose::latency,
                                                     static_cast<std::uint64_t>(p.delay_jitter) + 1));
  }
  const int slots = p.pending_slots;
  const std::int64_t base = i * slots;
  // The slot's previous order was sent `slots` steps ago: it has taken effect.
  const std::int64_t slot = base + step % slots;
  s.pending_arrival[slot] = step + delay;
  s.pending_bid_price[slot] = sent.bid_price;
  s.pending_ask_price[slot] = sent.ask_price;
  s.pending_bid_size[slot] = sent.bid_size;
  s.pending_ask_size[slot] = sent.ask_size;
  std::int32_t newest = s.active_sent[i];
  std::int64_t found = -1;
  if (p.delay_jitter == 0) {
    // A fixed delay: only the order sent `delay` steps ago can take effect.
    const std::int32_t sent_at = step - p.delay;
    const std::int64_t k = base + (sent_at >= 0 ? sent_at % slots : 0);
    if (sent_at >= 0 && s.pending_arrival[k] == step) {
      newest = sent_at;
      found = k;
    }
  } else {
    for (int k = 0; k < slots; ++k) {
      if (s.pending_arrival[base + k] != step) continue;
      const std::int32_t sent_at = step - (step - k + slots) % slots;
      if (sent_at > newest) {
        newest = sent_at;
        found = base + k;
      }
    }
  }
  if (found < 0) return false;
  s.active_sent[i] = newest;
  *arrived = SentOrder{s.pending_bid_price[found], s.pending_ask_price[found], s.pending_bid_size[found],
                       s.pending_ask_size[found]};
  return true;
}

/// Clears env `i`'s orders in flight: none reaches the next window.
MMSIM_HD inline void clear_orders_in_flight(const StepParams& p, const EnvState& s, std::int64_t i) {
  for (int k = 0; k < p.pending_slots; ++k) s.pending_arrival[i * p.pending_slots + k] = -1;
  s.active_sent[i] = -1;
}

}  // namespace mmsim
