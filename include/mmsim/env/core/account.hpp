#pragma once
// The agent's account (docs/mechanics.md, "One step", 5, 7-9 and 11): the
// inventory limit on orders, fills booked into cash and position, the mark at
// the mid, and the liquidation at the end of a window.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/data/book_row.hpp"
#include "mmsim/env/core/fills.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/core/pricing.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// Base units below which a position counts as flat (unrealised PnL restarts).
inline constexpr double kFlatPosition = 1e-9;

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

/// The account after a step's fills (currency and base units).
struct StepAccount {
  double fee = 0;         ///< fees of the step: maker fees, plus the liquidation's taker fee
  double position = 0;
  double cash = 0;
  double mid_before = 0;  ///< mid of the step's row
  double mid_after = 0;   ///< mid of the next row
  double pnl = 0;         ///< cash + position x mid_after (cash after a liquidation that flattens)
  double pnl_mark = 0;    ///< cash + position x mid_after before any liquidation
  double liquidation = 0;      ///< the liquidation's proceeds minus its traded units' value at mid_after
  double liquidation_fee = 0;  ///< the liquidation's taker fee
};

/// Books env `i`'s fills of the step from `row` to `row + 1` into its account
/// (maker fee on the filled notional) and marks it at the new mid.
MMSIM_HD inline StepAccount book_fills(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i,
                                       std::int64_t row, const StepFills& fills) {
  StepAccount a;
  a.fee = p.maker_fee * (fills.bought.notional + fills.sold.notional);
  a.position = s.position[i] + fills.bought.units - fills.sold.units;
  a.cash = s.cash[i] - fills.bought.notional + fills.sold.notional - a.fee;
  a.mid_before = mid_price(m, row, m.tick_size);
  a.mid_after = mid_price(m, row + 1, m.tick_size);
  a.pnl = a.cash + a.position * a.mid_after;
  a.pnl_mark = a.pnl;
  return a;
}

/// Liquidates the account's position against `row` by env.liquidation_size
/// (liquidation_cash: flat after; notional_liquidation_cash: what the order
/// did not trade stays) with the taker fee, and marks what stays at the mid.
MMSIM_HD inline void liquidate(const StepParams& p, const MarketView& m, std::int64_t row, StepAccount* a) {
  double notional = 0;
  double units = -a->position;
  const double proceeds = p.liquidation_size == LiquidationSize::notional_at_mid
                              ? notional_liquidation_cash(p, m, row, a->position, a->mid_before, &notional, &units)
                              : liquidation_cash(m, row, a->position, &notional);
  const double taker = p.taker_fee * notional;
  a->liquidation = proceeds + units * a->mid_after;
  a->liquidation_fee = taker;
  a->cash += proceeds - taker;
  a->fee += taker;
  a->position = p.liquidation_size == LiquidationSize::notional_at_mid ? a->position + units : 0.0;
  a->pnl = a->cash + a->position * a->mid_after;
}

}  // namespace mmsim
