#pragma once
// Fills (docs/mechanics.md, "One step", 6 and 9, and "Fill model trades"):
// the active orders fill against the next row under the config's fill model,
// and the liquidation at the end of a window walks the book.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/types.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/env/core/faults.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/core/pricing.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// What one side of the agent traded in a step.
struct SideFill {
  double units = 0;        ///< base units traded
  double notional = 0;     ///< currency
  std::int32_t count = 0;  ///< levels (cross) or executions (trades) filled
};

/// Both sides' fills of a step and the price of the order that rested on
/// each side (ticks; 0 = none).
struct StepFills {
  SideFill bought, sold;
  Ticks bid_resting = 0, ask_resting = 0;
};

/// The most notional (currency) a level of `level_lots` at `price_currency`
/// fills of a notional order, by env.level_fill_cap: the level's notional, or
/// its size in base units read as currency (the thesis's code).
MMSIM_HD inline double level_notional_cap(const StepParams& p, const MarketView& m, Lots level_lots,
                                          double price_currency) {
  const double units = static_cast<double>(level_lots) * m.lot_size;
  return p.level_fill_cap == LevelFillCap::size_as_notional ? units : units * price_currency;
}

/// Fills a resting quote against `row`: a buy walks the ask levels priced at
/// or below it, a sell the bid levels at or above it; each level gives
/// min(remaining size, level size), notional sizes capped by env.level_fill_cap. `*left` receives the size not filled
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
      const double level_notional = level_notional_cap(p, m, level_lots, price_currency);
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

/// Fill model cross: an order that took effect replaces the active one (its
/// price and whole size); the active order on each side then walks row `next`.
MMSIM_HD inline StepFills cross_fills(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i,
                                      std::int64_t next, bool arrived, const SentOrder& order) {
  StepFills fills;
  if (arrived) {
    s.bid_quote[i] = order.bid_size > 0 ? order.bid_price : 0;
    s.ask_quote[i] = order.ask_size > 0 ? order.ask_price : 0;
    s.bid_rest[i] = order.bid_size;
    s.ask_rest[i] = order.ask_size;
  }
  if (s.bid_rest[i] > 0) {
    fills.bid_resting = s.bid_quote[i];
    fills.bought = walk_fill(p, m, next, true, fills.bid_resting, s.bid_rest[i], &s.bid_rest[i]);
  }
  if (s.ask_rest[i] > 0) {
    fills.ask_resting = s.ask_quote[i];
    fills.sold = walk_fill(p, m, next, false, fills.ask_resting, s.ask_rest[i], &s.ask_rest[i]);
  }
  return fills;
}

/// A resting order of the trades fill model, one side (docs/mechanics.md,
/// "Fill model trades").
struct RestingOrder {
  Ticks price = 0;
  double rest = 0;   ///< base units left to fill; 0 = no order
  double queue = 0;  ///< lots ahead of it at its price
  double level = 0;  ///< lots visible at its price (proportional queue model)
};

/// Sets `*lots` to the lots visible at `price` on
/// one side of `row` and returns true when the visible depth shows that price
/// (at or inside the best, between shown levels, or anywhere on a side whose
/// shown levels end inside the depth); false for a price beyond a full depth.
MMSIM_HD inline bool shown_lots_at(const MarketView& m, std::int64_t row, bool bid, Ticks price, Lots* lots) {
  *lots = 0;
  const std::int64_t depth = m.bid_price.cols;
  for (std::int64_t level = 0; level < depth; ++level) {
    const Lots size = bid ? m.bid_size(row, level) : m.ask_size(row, level);
    if (size == 0) return true;
    const Ticks level_price = bid ? m.bid_price(row, level) : m.ask_price(row, level);
    if (level_price == price) {
      *lots = size;
      return true;
    }
    if (bid ? level_price < price : level_price > price) return true;
  }
  return false;
}

/// Lots visible at `price` on one side of `row`; 0 when the depth shows no level there.
MMSIM_HD inline Lots visible_lots_at(const MarketView& m, std::int64_t row, bool bid, Ticks price) {
  Lots lots = 0;
  shown_lots_at(m, row, bid, price, &lots);
  return lots;
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

/// book_crossing: fill. True when row `next`'s opposite best price reaches or
/// passes a resting order at `price` (the best ask at or below a bid, the
/// best bid at or above an ask).
MMSIM_HD inline bool book_crosses(const MarketView& m, std::int64_t next, bool buy, Ticks price) {
  if (buy) return m.ask_size(next, 0) > 0 && m.ask_price(next, 0) <= price;
  return m.bid_size(next, 0) > 0 && m.bid_price(next, 0) >= price;
}

/// Fills a resting order from the messages that led to row `next`, in order:
/// an execution on the order's side at a worse price than the order's fills
/// it first, up to the executed size (env.trade_through: printed_size) or
/// whole (whole_order); a visible execution at its price fills what exceeds
/// the queue ahead and advances the queue; a hidden execution at its price
/// changes nothing (env.hidden_executions: ignore) or empties the queue ahead
/// and fills the order up to its size (displayed_first). With the
/// proportional queue model a cancellation at its price advances the queue
/// by the cancelled lots times the share of the level ahead of the order.
/// With env.queue_cap: visible_level the level is tracked under either queue
/// model and every cancellation at the order's price caps the queue ahead at
/// it. Then what is left fills whole when row `next`'s book crosses it
/// (env.book_crossing: fill), and the capped queue and level are capped
/// again at the lots row `next` shows at the order's price.
MMSIM_HD inline SideFill trade_fill(const StepParams& p, const MarketView& m, std::int64_t next, bool buy,
                                    RestingOrder* order) {
  SideFill fill;
  const std::int64_t price2 = 2 * order->price;
  const double price_currency = static_cast<double>(order->price) * m.tick_size;
  const std::int8_t side = buy ? 1 : -1;
  const bool capped = p.queue_cap == QueueCap::visible_level;
  const bool tracks_level = capped || p.queue_model == QueueModel::proportional;
  const auto take = [&](double units) {
    order->rest -= units;
    fill.units += units;
    fill.notional += units * price_currency;
    fill.count += 1;
  };
  for (std::int64_t k = m.message_begin[next]; k < m.message_end[next] && order->rest > 0; ++k) {
    if (m.message_direction[k] != side) continue;
    const auto type = static_cast<MessageType>(m.message_type[k]);
    const double lots = static_cast<double>(m.message_size[k]);
    const std::int64_t at = m.message_price_half_ticks[k];
    const bool better = buy ? price2 > at : price2 < at;
    double filled_lots = 0;
    bool whole = false;
    if (type == MessageType::visible_execution || type == MessageType::hidden_execution) {
      if (better) {
        filled_lots = lots;
        whole = p.trade_through == TradeThrough::whole_order;
      } else if (price2 == at && type == MessageType::visible_execution) {
        filled_lots = lots > order->queue ? lots - order->queue : 0.0;
        order->queue = order->queue > lots ? order->queue - lots : 0.0;
        order->level = order->level > lots ? order->level - lots : 0.0;
      } else if (price2 == at && p.hidden_executions == HiddenExecutions::displayed_first) {
        order->queue = 0;
        filled_lots = lots;
      }
    } else if (price2 == at && tracks_level) {
      if (type == MessageType::submit) {
        order->level += lots;
      } else if (type == MessageType::partial_cancel || type == MessageType::full_delete) {
        if (p.queue_model == QueueModel::proportional && order->level > 0) {
          const double advance = lots * order->queue / order->level;
          order->queue = order->queue > advance ? order->queue - advance : 0.0;
        }
        order->level = order->level > lots ? order->level - lots : 0.0;
        if (capped && order->queue > order->level) order->queue = order->level;
      }
    }
    if (filled_lots > 0) {
      const double available = filled_lots * m.lot_size;
      take(whole || order->rest < available ? order->rest : available);
    }
  }
  if (order->rest > 0 && p.book_crossing == BookCrossing::fill && book_crosses(m, next, buy, order->price)) {
    take(order->rest);
  }
  Lots shown = 0;
  if (order->rest > 0 && capped && shown_lots_at(m, next, buy, order->price, &shown)) {
    const auto cap = static_cast<double>(shown);
    if (order->queue > cap) order->queue = cap;
    if (order->level > cap) order->level = cap;
  }
  return fill;
}

/// Fill model trades: an order that took effect is placed against `row` (in
/// the queue of its price); the resting order on each side then fills from
/// the messages that led to row `next`.
MMSIM_HD inline StepFills trades_fills(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i,
                                       std::int64_t row, std::int64_t next, bool arrived, const SentOrder& order) {
  StepFills fills;
  RestingOrder bid{s.bid_quote[i], s.bid_rest[i], s.bid_queue[i], s.bid_level[i]};
  RestingOrder ask{s.ask_quote[i], s.ask_rest[i], s.ask_queue[i], s.ask_level[i]};
  if (arrived) {
    bid = place_order(p, m, row, true, order.bid_price, order.bid_size, bid);
    ask = place_order(p, m, row, false, order.ask_price, order.ask_size, ask);
  }
  if (bid.rest > 0) {
    fills.bid_resting = bid.price;
    fills.bought = trade_fill(p, m, next, true, &bid);
  }
  if (ask.rest > 0) {
    fills.ask_resting = ask.price;
    fills.sold = trade_fill(p, m, next, false, &ask);
  }
  s.bid_quote[i] = bid.price;
  s.bid_rest[i] = bid.rest;
  s.bid_queue[i] = bid.queue;
  s.bid_level[i] = bid.level;
  s.ask_quote[i] = ask.price;
  s.ask_rest[i] = ask.rest;
  s.ask_queue[i] = ask.queue;
  s.ask_level[i] = ask.level;
  return fills;
}

/// The fills of env `i`'s step from `row` to `row + 1`, under the config's
/// fill model (`order`: the order that took effect this step, if `arrived`).
/// Every model has its case and there is no default, so a model without one
/// does not compile (-Werror=switch); a value outside the enumeration is a
/// fault and fills nothing.
MMSIM_HD inline StepFills fill_orders(const StepParams& p, const MarketView& m, const EnvState& s,
                                      const EnvOutputViews& o, std::int64_t i, std::int64_t row, bool arrived,
                                      const SentOrder& order) {
  switch (p.fill_model) {
    case FillModel::cross: return cross_fills(p, m, s, i, row + 1, arrived, order);
    case FillModel::trades: return trades_fills(p, m, s, i, row, row + 1, arrived, order);
  }
  report_fault(o.fault, i, s.step[i], FaultKind::invalid_fill_model);
  return StepFills{};
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

/// liquidation_size: notional_at_mid (the thesis's code). Flattens `position`
/// against `row` with an order for |position| x `mid` currency: a long
/// position sells into the bids, a short one buys the asks, each level at its
/// price giving at most level_notional_cap; nothing trades beyond the visible
/// depth. Returns the cash change before fees, sets the traded notional and
/// `*units`, the base units traded (signed: + bought). These need not be
/// -position: the rest of the order is not traded, and a level priced off
/// `mid` trades notional / price units.
MMSIM_HD inline double notional_liquidation_cash(const StepParams& p, const MarketView& m, std::int64_t row,
                                                 double position, double mid, double* notional, double* units) {
  const bool sell = position > 0;
  double remaining = (sell ? position : -position) * mid;
  double traded = 0, traded_units = 0;
  const std::int64_t depth = m.bid_price.cols;
  for (std::int64_t level = 0; level < depth && remaining > 0; ++level) {
    const Lots level_lots = sell ? m.bid_size(row, level) : m.ask_size(row, level);
    if (level_lots == 0) break;
    const double price = static_cast<double>(sell ? m.bid_price(row, level) : m.ask_price(row, level)) * m.tick_size;
    const double cap = level_notional_cap(p, m, level_lots, price);
    const double deal = remaining < cap ? remaining : cap;
    traded += deal;
    traded_units += deal / price;
    remaining -= deal;
  }
  *notional = traded;
  *units = sell ? -traded_units : traded_units;
  return sell ? traded : -traded;
}

}  // namespace mmsim
