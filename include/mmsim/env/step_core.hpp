#pragma once
// The market-making mechanics, written once (DESIGN.md, principle 1): the CPU
// backend loops over envs and calls step_env(); the CUDA kernel calls it with
// its thread's env index. docs/mechanics.md states every rule implemented here.
// CUDA-free and Torch-free.

#include <cmath>
#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// Episode length for an env after `finished` finished episodes.
MMSIM_HD inline std::int64_t episode_length_for(const StepParams& p, std::int64_t finished) {
  std::int64_t length = p.initial_length;
  if (p.curriculum) {
    length = p.initial_length + p.increment * (finished / p.every);
    if (length > p.max_length) length = p.max_length;
  }
  return length < p.cap ? length : p.cap;
}

/// Start row of an episode of `length` steps (it uses rows start..start+length),
/// uniform over every start whose window fits inside one range.
MMSIM_HD inline std::int64_t draw_window_start(std::uint64_t seed, const WindowRanges& w, std::uint64_t env,
                                               std::uint64_t episode, std::int64_t length) {
  std::int64_t total = 0;
  for (int k = 0; k < w.count; ++k) {
    const std::int64_t starts = w.range_end[k] - w.range_begin[k] - length;
    if (starts > 0) total += starts;
  }
  std::int64_t pick = static_cast<std::int64_t>(
      uniform_index(seed, env, episode, 0, RngPurpose::episode_start, static_cast<std::uint64_t>(total)));
  for (int k = 0; k < w.count; ++k) {
    const std::int64_t starts = w.range_end[k] - w.range_begin[k] - length;
    if (starts <= 0) continue;
    if (pick < starts) return w.range_begin[k] + pick;
    pick -= starts;
  }
  return w.range_begin[0];
}

/// An offset of the action table in ticks, at `row`.
MMSIM_HD inline double offset_ticks(const StepParams& p, const MarketView& m, double offset, std::int64_t row) {
  switch (p.offset_unit) {
    case OffsetUnit::price: return offset / m.tick_size;
    case OffsetUnit::half_spread: return offset * 0.5 * static_cast<double>(m.ask_price(row, 0) - m.bid_price(row, 0));
    case OffsetUnit::ticks: break;
  }
  return offset;
}

/// Tolerance for placing a quote exactly on the tick grid despite rounding
/// of the offset (e.g. 0.1 / 0.01): far below any meaningful fraction of a tick.
inline constexpr double kGridTolerance = 1e-9;

/// Bid quote: the mid (half-ticks) minus the offset, rounded down to the tick grid.
MMSIM_HD inline Ticks bid_quote_price(std::int64_t mid_half_ticks, double offset) {
  return static_cast<Ticks>(floor(0.5 * (static_cast<double>(mid_half_ticks) - 2.0 * offset) + kGridTolerance));
}

/// Ask quote: the mid plus the offset, rounded up to the tick grid.
MMSIM_HD inline Ticks ask_quote_price(std::int64_t mid_half_ticks, double offset) {
  return static_cast<Ticks>(ceil(0.5 * (static_cast<double>(mid_half_ticks) + 2.0 * offset) - kGridTolerance));
}

/// Base units a quote of `size` (lots or notional) at `price` ticks stands for.
MMSIM_HD inline double quote_units(const StepParams& p, const MarketView& m, double size, Ticks price) {
  return p.size_unit == SizeUnit::base ? size * m.lot_size : size / (static_cast<double>(price) * m.tick_size);
}

struct SideFill {
  double units = 0;     ///< base units traded
  double notional = 0;  ///< currency
  std::int32_t count = 0;  ///< levels filled
};

/// Fills a resting quote against `row`: a buy walks the ask levels priced at
/// or below it, a sell the bid levels at or above it; each level gives
/// min(remaining size, level size). `*left` receives the size not filled
/// (the config's size unit).
MMSIM_HD inline SideFill walk_fill(const StepParams& p, const MarketView& m, std::int64_t row, bool buy, Ticks quote,
                                   double size, double* left) {
  SideFill fill;
  double remaining = size;
  const std::int64_t depth = m.bid_price.cols;
  for (std::int64_t level = 0; level < depth && remaining > 0; ++level) {
    const Lots level_lots = buy ? m.ask_size(row, level) : m.bid_size(row, level);
    const Ticks level_price = buy ? m.ask_price(row, level) : m.bid_price(row, level);
    if (level_lots == 0) break;  // an empty level: nothing deeper either
    if (buy ? level_price > quote : level_price < quote) break;
    const Ticks price = p.fill_price == FillPrice::quote ? quote : level_price;
    const double price_currency = static_cast<double>(price) * m.tick_size;
    double units = 0, notional = 0;
    if (p.size_unit == SizeUnit::base) {
      const double lots = remaining < static_cast<double>(level_lots) ? remaining : static_cast<double>(level_lots);
      units = lots * m.lot_size;
      notional = units * price_currency;
      remaining -= lots;
    } else {
      const double level_notional = static_cast<double>(level_lots) * m.lot_size * price_currency;
      notional = remaining < level_notional ? remaining : level_notional;
      units = notional / price_currency;
      remaining -= notional;
    }
    fill.units += units;
    fill.notional += notional;
    fill.count += 1;
  }
  *left = remaining;
  return fill;
}

/// A resting order of the trades fill model, one side (docs/mechanics.md,
/// "Fill model trades").
struct RestingOrder {
  Ticks price = 0;
  double rest = 0;   ///< base units left to fill; 0 = no order
  double queue = 0;  ///< lots ahead of it at its price
  double level = 0;  ///< lots visible at its price (proportional queue model)
};

/// Lots visible at `price` on one side of `row`; 0 when no level has that price.
MMSIM_HD inline Lots visible_lots_at(const MarketView& m, std::int64_t row, bool bid, Ticks price) {
  const std::int64_t depth = m.bid_price.cols;
  for (std::int64_t level = 0; level < depth; ++level) {
    if ((bid ? m.bid_price(row, level) : m.ask_price(row, level)) == price) {
      return bid ? m.bid_size(row, level) : m.ask_size(row, level);
    }
  }
  return 0;
}

/// The order that rests after the agent quotes `size` at `price` on one side
/// of `row`, given the order resting before: an unchanged price keeps the
/// order's place in the queue (its size can only shrink); a new price, or a
/// new order after the last one filled, joins the back of the queue.
MMSIM_HD inline RestingOrder place_order(const StepParams& p, const MarketView& m, std::int64_t row, bool bid,
                                         Ticks price, double size, const RestingOrder& before) {
  RestingOrder order;
  const double units = size > 0 ? quote_units(p, m, size, price) : 0.0;
  if (units <= 0) return order;
  if (price == before.price && before.rest > 0) {
    order = before;
    if (units < order.rest) order.rest = units;
    return order;
  }
  order.price = price;
  order.rest = units;
  order.queue = static_cast<double>(visible_lots_at(m, row, bid, price));
  order.level = order.queue;
  return order;
}

/// Fills a resting order from the messages that led to row `next`, in order:
/// an execution on the order's side at a worse price than the order's fills
/// it first, up to the executed size; a visible execution at its price fills
/// what exceeds the queue ahead and advances the queue; a hidden execution at
/// its price changes nothing (it is not in the visible queue). With the
/// proportional queue model a cancellation at its price advances the queue
/// by the cancelled lots times the share of the level ahead of the order.
MMSIM_HD inline SideFill trade_fill(const StepParams& p, const MarketView& m, std::int64_t next, bool buy,
                                    RestingOrder* order) {
  SideFill fill;
  const std::int64_t price2 = 2 * order->price;
  const double price_currency = static_cast<double>(order->price) * m.tick_size;
  const std::int8_t side = buy ? 1 : -1;
  for (std::int64_t k = m.message_begin[next]; k < m.message_end[next] && order->rest > 0; ++k) {
    if (m.message_direction[k] != side) continue;
    const auto type = static_cast<MessageType>(m.message_type[k]);
    const double lots = static_cast<double>(m.message_size[k]);
    const std::int64_t at = m.message_price_half_ticks[k];
    const bool better = buy ? price2 > at : price2 < at;
    double filled_lots = 0;
    if (type == MessageType::visible_execution || type == MessageType::hidden_execution) {
      if (better) {
        filled_lots = lots;
      } else if (price2 == at && type == MessageType::visible_execution) {
        filled_lots = lots > order->queue ? lots - order->queue : 0.0;
        order->queue = order->queue > lots ? order->queue - lots : 0.0;
        order->level = order->level > lots ? order->level - lots : 0.0;
      }
    } else if (price2 == at && p.queue_model == QueueModel::proportional) {
      if (type == MessageType::submit) {
        order->level += lots;
      } else if (type == MessageType::partial_cancel || type == MessageType::full_delete) {
        if (order->level > 0) {
          const double advance = lots * order->queue / order->level;
          order->queue = order->queue > advance ? order->queue - advance : 0.0;
        }
        order->level = order->level > lots ? order->level - lots : 0.0;
      }
    }
    if (filled_lots > 0) {
      const double available = filled_lots * m.lot_size;
      const double units = order->rest < available ? order->rest : available;
      order->rest -= units;
      fill.units += units;
      fill.notional += units * price_currency;
      fill.count += 1;
    }
  }
  return fill;
}

/// Flattens `position` against `row` at market: a long position sells into
/// the bids, a short one buys the asks, walking levels at their prices; what
/// exceeds the visible depth trades at the deepest visible price. Returns the
/// cash change before fees and sets the traded notional.
MMSIM_HD inline double liquidation_cash(const MarketView& m, std::int64_t row, double position, double* notional) {
  const bool sell = position > 0;
  double remaining = sell ? position : -position;
  double traded = 0;
  double last_price = 0;
  const std::int64_t depth = m.bid_price.cols;
  for (std::int64_t level = 0; level < depth && remaining > 0; ++level) {
    const Lots level_lots = sell ? m.bid_size(row, level) : m.ask_size(row, level);
    if (level_lots == 0) break;
    last_price = static_cast<double>(sell ? m.bid_price(row, level) : m.ask_price(row, level)) * m.tick_size;
    const double level_units = static_cast<double>(level_lots) * m.lot_size;
    const double units = remaining < level_units ? remaining : level_units;
    traded += units * last_price;
    remaining -= units;
  }
  traded += remaining * last_price;
  *notional = traded;
  return sell ? traded : -traded;
}

/// Reward of a step (docs/mechanics.md, "Reward").
MMSIM_HD inline double step_reward(const StepParams& p, double pnl_change, double inventory_pnl, double position) {
  const double dampened = p.reward_kind == RewardKind::asymmetric ? pnl_change : inventory_pnl;
  double reward = pnl_change - p.eta * (dampened > 0 ? dampened : 0.0);
  const double x = position < 0 ? -position : position;
  switch (p.penalty) {
    case PenaltyKind::linear: reward -= p.penalty_weight * x; break;
    case PenaltyKind::quadratic: reward -= p.penalty_weight * x * x; break;
    case PenaltyKind::log1p: reward -= p.penalty_weight * log1p(x); break;
    case PenaltyKind::none: break;
  }
  return reward;
}

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

/// Appends the frame of the env's current row to its history ring: the
/// market features of the row it sees, its own account as it is now.
MMSIM_HD inline void push_frame(const StepParams& p, const EnvState& s, std::int64_t i) {
  const int stack = p.stack;
  const std::int32_t head = (s.history_head[i] + 1) % stack;
  s.history_head[i] = head;
  if (s.history_count[i] < stack) s.history_count[i] += 1;
  const std::int64_t slot = i * stack + head;
  s.history_row[slot] = observed_row(p, s, i);
  float* agent = s.history_agent + slot * kAgentFeatures;
  const double pnl = s.pnl[i];
  agent[0] = static_cast<float>(s.cash[i] * p.inv_cash_scale);
  agent[1] = static_cast<float>(s.position[i] * p.inv_position_scale);
  agent[2] = static_cast<float>(pnl * p.inv_pnl_scale);
  agent[3] = static_cast<float>((pnl - s.flat_pnl[i]) * p.inv_pnl_scale);
  agent[4] = static_cast<float>(static_cast<double>(s.length[i] - s.step[i]) / static_cast<double>(s.length[i]));
}

/// One element of the stacked observation: frame `slot` (0 = oldest) and
/// feature `j` (< F: market feature, then the agent features). Frames from
/// before the episode's first step are zeros.
MMSIM_HD inline float observation_value(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i,
                                        int slot, int j) {
  const int stack = p.stack;
  const int age = stack - 1 - slot;
  if (age >= s.history_count[i]) return 0.0f;
  const std::int64_t ring = i * stack + (s.history_head[i] - age + stack) % stack;
  if (j < p.feature_count) return m.features(s.history_row[ring], j);
  return s.history_agent[ring * kAgentFeatures + (j - p.feature_count)];
}

/// Writes the env's whole stacked observation, [stack, F + kAgentFeatures].
MMSIM_HD inline void write_observation(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i,
                                       float* out) {
  const int stack = p.stack;
  const int frame = p.frame_size;
  for (int slot = 0; slot < stack; ++slot) {
    float* dst = out + static_cast<std::int64_t>(slot) * frame;
    const int age = stack - 1 - slot;
    if (age >= s.history_count[i]) {
      for (int j = 0; j < frame; ++j) dst[j] = 0.0f;
      continue;
    }
    const std::int64_t ring = i * stack + (s.history_head[i] - age + stack) % stack;
    const float* features = m.features.row(s.history_row[ring]);
    for (int j = 0; j < p.feature_count; ++j) dst[j] = features[j];
    const float* agent = s.history_agent + ring * kAgentFeatures;
    for (int j = 0; j < kAgentFeatures; ++j) dst[p.feature_count + j] = agent[j];
  }
}

/// Starts the env's next episode: draws its window and clears the account.
MMSIM_HD inline void begin_episode(const StepParams& p, const WindowRanges& w, const EnvState& s, std::int64_t i,
                                   std::int64_t finished_count) {
  const std::int64_t length = episode_length_for(p, finished_count);
  const std::int64_t start = draw_window_start(p.seed, w, static_cast<std::uint64_t>(i), s.episode[i], length);
  s.row[i] = start;
  s.episode_start[i] = start;
  s.step[i] = 0;
  s.length[i] = static_cast<std::int32_t>(length);
  s.cash[i] = 0;
  s.position[i] = 0;
  s.pnl[i] = 0;
  s.flat_pnl[i] = 0;
  s.fees[i] = 0;
  s.fills[i] = 0;
  s.bid_quote[i] = 0;
  s.ask_quote[i] = 0;
  s.bid_rest[i] = 0;
  s.ask_rest[i] = 0;
  s.bid_queue[i] = 0;
  s.ask_queue[i] = 0;
  s.bid_level[i] = 0;
  s.ask_level[i] = 0;
  // Orders still in flight when a window ends never reach the next one.
  for (int k = 0; k < p.pending_slots; ++k) s.pending_arrival[i * p.pending_slots + k] = -1;
  s.active_sent[i] = -1;
  s.history_count[i] = 0;
  s.history_head[i] = p.stack - 1;
  push_frame(p, s, i);
}

/// Records the first fault of the batch (atomically on the device).
/// `fault` [3] holds env, step and kind; on the host each thread has its own.
MMSIM_HD inline void report_fault(std::int64_t* fault, std::int64_t env, std::int64_t step, FaultKind kind) {
#if defined(__CUDA_ARCH__)
  if (atomicCAS(reinterpret_cast<unsigned long long*>(fault), static_cast<unsigned long long>(-1),
                static_cast<unsigned long long>(env)) == static_cast<unsigned long long>(-1)) {
    fault[1] = step;
    fault[2] = static_cast<std::int64_t>(kind);
  }
#else
  if (fault[0] < 0) {
    fault[0] = env;
    fault[1] = step;
    fault[2] = static_cast<std::int64_t>(kind);
  }
#endif
}

/// Base units below which a position counts as flat (unrealised PnL restarts).
inline constexpr double kFlatPosition = 1e-9;

/// Bound on |offset| of an explicit quote, in ticks (exclusive): far beyond
/// any book, and small enough that the quote's price converts to Ticks exactly.
inline constexpr double kMaxQuoteOffsetTicks = 1e12;

/// A size >= 0 and finite (x - x is NaN for infinities, 0 otherwise).
MMSIM_HD inline bool valid_size(double x) { return x >= 0 && x - x == 0; }

/// True when an explicit quote can be placed: offsets below the bound (so
/// finite) and valid sizes.
MMSIM_HD inline bool valid_quote(const ActionRow& q) {
  return fabs(q.bid_offset) < kMaxQuoteOffsetTicks && fabs(q.ask_offset) < kMaxQuoteOffsetTicks &&
         valid_size(q.bid_size) && valid_size(q.ask_size);
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

/// Shrinks (or drops, by the config's mode) each side of `order` that could
/// take |position| past the inventory limit if it filled completely.
MMSIM_HD inline void apply_inventory_limit(const StepParams& p, const MarketView& m, double position,
                                           SentOrder* order) {
  if (p.inventory_limit <= 0) return;
  const double bid_units = order->bid_size > 0 ? quote_units(p, m, order->bid_size, order->bid_price) : 0.0;
  const double ask_units = order->ask_size > 0 ? quote_units(p, m, order->ask_size, order->ask_price) : 0.0;
  const double bid_room = p.inventory_limit - position;
  const double ask_room = p.inventory_limit + position;
  const bool shrink = p.inventory_limit_mode == InventoryLimitMode::shrink;
  if (bid_units > bid_room) order->bid_size = shrink && bid_room > 0 ? order->bid_size * (bid_room / bid_units) : 0.0;
  if (ask_units > ask_room) order->ask_size = shrink && ask_room > 0 ? order->ask_size * (ask_room / ask_units) : 0.0;
}

/// One step of env `i` quoting `quote`: offsets in ticks from the mid of the
/// row the env sees (not the config's offset unit), sizes in the config's
/// size unit. The order takes effect after the latency (docs/mechanics.md). An invalid
/// quote is reported as a fault and replaced by no quote on either side.
/// `finished_total` is the count of all envs' finished episodes before this
/// step (curriculum over all envs). Returns true when the env's episode
/// ended (it has already been reset).
MMSIM_HD inline bool step_env_quotes(const StepParams& p, const MarketView& m, const WindowRanges& w,
                                     const EnvState& s, const EnvOutputViews& o, std::int64_t i, ActionRow quote,
                                     std::int64_t finished_total) {
  if (!valid_quote(quote)) {
    report_fault(o.fault, i, s.step[i], FaultKind::invalid_quote);
    quote = ActionRow{};
  }
  const std::int64_t row = s.row[i];
  const std::int64_t mid_half_ticks = m.bid_price(row, 0) + m.ask_price(row, 0);
  const double position_before = s.position[i];

  // The agent prices its order from the book it sees, on the tick grid.
  const std::int64_t seen = observed_row(p, s, i);
  const std::int64_t seen_mid_half_ticks = m.bid_price(seen, 0) + m.ask_price(seen, 0);
  SentOrder sent;
  sent.bid_price = bid_quote_price(seen_mid_half_ticks, quote.bid_offset);
  sent.ask_price = ask_quote_price(seen_mid_half_ticks, quote.ask_offset);
  sent.bid_size = sent.bid_price > 0 ? quote.bid_size : 0.0;
  sent.ask_size = sent.ask_price > 0 ? quote.ask_size : 0.0;
  SentOrder order;
  const bool arrived = exchange_orders(p, s, i, sent, &order);
  if (arrived) apply_inventory_limit(p, m, position_before, &order);

  // The market moves to the next row; the active orders fill against it.
  const std::int64_t next = row + 1;
  SideFill bought, sold;
  Ticks bid_resting = 0, ask_resting = 0;
  if (p.fill_model == FillModel::cross) {
    if (arrived) {
      s.bid_quote[i] = order.bid_size > 0 ? order.bid_price : 0;
      s.ask_quote[i] = order.ask_size > 0 ? order.ask_price : 0;
      s.bid_rest[i] = order.bid_size;
      s.ask_rest[i] = order.ask_size;
    }
    if (s.bid_rest[i] > 0) {
      bid_resting = s.bid_quote[i];
      bought = walk_fill(p, m, next, true, bid_resting, s.bid_rest[i], &s.bid_rest[i]);
    }
    if (s.ask_rest[i] > 0) {
      ask_resting = s.ask_quote[i];
      sold = walk_fill(p, m, next, false, ask_resting, s.ask_rest[i], &s.ask_rest[i]);
    }
  } else {
    RestingOrder bid{s.bid_quote[i], s.bid_rest[i], s.bid_queue[i], s.bid_level[i]};
    RestingOrder ask{s.ask_quote[i], s.ask_rest[i], s.ask_queue[i], s.ask_level[i]};
    if (arrived) {
      bid = place_order(p, m, row, true, order.bid_price, order.bid_size, bid);
      ask = place_order(p, m, row, false, order.ask_price, order.ask_size, ask);
    }
    if (bid.rest > 0) {
      bid_resting = bid.price;
      bought = trade_fill(p, m, next, true, &bid);
    }
    if (ask.rest > 0) {
      ask_resting = ask.price;
      sold = trade_fill(p, m, next, false, &ask);
    }
    s.bid_quote[i] = bid.price;
    s.bid_rest[i] = bid.rest;
    s.bid_queue[i] = bid.queue;
    s.bid_level[i] = bid.level;
    s.ask_quote[i] = ask.price;
    s.ask_rest[i] = ask.rest;
    s.ask_queue[i] = ask.queue;
    s.ask_level[i] = ask.level;
  }
  double fee = p.maker_fee * (bought.notional + sold.notional);
  double position = position_before + bought.units - sold.units;
  double cash = s.cash[i] - bought.notional + sold.notional - fee;
  const double mid_before = 0.5 * static_cast<double>(mid_half_ticks) * m.tick_size;
  const double mid_after = 0.5 * static_cast<double>(m.bid_price(next, 0) + m.ask_price(next, 0)) * m.tick_size;
  double pnl = cash + position * mid_after;
  const double pnl_mark = pnl;

  const std::int32_t step = s.step[i] + 1;
  const bool ended = step >= s.length[i];
  if (ended && p.liquidate_at_end && position != 0) {
    double notional = 0;
    const double proceeds = liquidation_cash(m, next, position, &notional);
    const double taker = p.taker_fee * notional;
    cash += proceeds - taker;
    fee += taker;
    position = 0;
    pnl = cash;
  }
  const double reward = step_reward(p, pnl - s.pnl[i], position_before * (mid_after - mid_before), position);
  if (!(reward == reward) || !(pnl == pnl)) report_fault(o.fault, i, s.step[i], FaultKind::nan_reward);

  const double fees = s.fees[i] + fee;
  const std::int32_t fills = s.fills[i] + bought.count + sold.count;
  o.reward[i] = static_cast<float>(reward);
  o.fees[i] = fee;
  o.bid_volume[i] = bought.units;
  o.ask_volume[i] = sold.units;
  o.bid_price[i] = bought.units > 0 ? bought.notional / bought.units : 0.0;
  o.ask_price[i] = sold.units > 0 ? sold.notional / sold.units : 0.0;
  o.bid_fills[i] = bought.count;
  o.ask_fills[i] = sold.count;
  o.bid_quote[i] = bid_resting;
  o.ask_quote[i] = ask_resting;

  s.row[i] = next;
  s.step[i] = step;
  s.cash[i] = cash;
  s.position[i] = position;
  s.pnl[i] = pnl;
  s.fees[i] = fees;
  s.fills[i] = fills;
  if ((position < 0 ? -position : position) <= kFlatPosition) s.flat_pnl[i] = pnl;
  push_frame(p, s, i);

  if (ended) {
    write_observation(p, m, s, i, o.final_obs + i * static_cast<std::int64_t>(p.stack) * p.frame_size);
    o.episode_pnl[i] = pnl;
    o.episode_pnl_mark[i] = pnl_mark;
    o.episode_length[i] = step;
    o.episode_fills[i] = fills;
    o.terminated[i] = p.liquidate_at_end ? 1 : 0;
    o.truncated[i] = p.liquidate_at_end ? 0 : 1;
    s.finished[i] += 1;
    s.episode[i] += 1;
    begin_episode(p, w, s, i,
                  p.curriculum_count == CurriculumCount::per_env ? s.finished[i] : finished_total);
  } else {
    o.terminated[i] = 0;
    o.truncated[i] = 0;
  }
  o.pnl[i] = s.pnl[i];
  o.position[i] = s.position[i];
  o.cash[i] = s.cash[i];
  return ended;
}

/// One step of env `i` with row `action` of the action table (an index
/// outside it is reported as a fault and action 0 is used).
MMSIM_HD inline bool step_env(const StepParams& p, const MarketView& m, const WindowRanges& w, const EnvState& s,
                              const EnvOutputViews& o, std::int64_t i, std::int32_t action,
                              std::int64_t finished_total) {
  if (action < 0 || action >= p.action_count) {
    report_fault(o.fault, i, s.step[i], FaultKind::invalid_action);
    action = 0;
  }
  const ActionRow a = p.actions[action];
  const std::int64_t row = observed_row(p, s, i);
  const ActionRow quote{offset_ticks(p, m, a.bid_offset, row), offset_ticks(p, m, a.ask_offset, row), a.bid_size,
                        a.ask_size};
  return step_env_quotes(p, m, w, s, o, i, quote, finished_total);
}

}  // namespace mmsim
