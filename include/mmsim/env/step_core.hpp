#pragma once
// The market-making step, written once: the CPU backend loops over envs and
// calls step_env(); the CUDA kernel calls it with its thread's env index.
// Each phase lives in its own header under env/core/; docs/mechanics.md
// states every rule. CUDA-free and Torch-free.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/env/core/account.hpp"
#include "mmsim/env/core/episode.hpp"
#include "mmsim/env/core/faults.hpp"
#include "mmsim/env/core/fills.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/core/observation.hpp"
#include "mmsim/env/core/pricing.hpp"
#include "mmsim/env/core/reward.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// Writes the outputs of env `i`'s step that every step has.
MMSIM_HD inline void write_step_outputs(const EnvOutputViews& o, std::int64_t i, double reward, const StepFills& f,
                                        const StepAccount& a) {
  o.reward[i] = static_cast<float>(reward);
  o.fees[i] = a.fee;
  o.bid_volume[i] = f.bought.units;
  o.ask_volume[i] = f.sold.units;
  o.bid_price[i] = f.bought.units > 0 ? f.bought.notional / f.bought.units : 0.0;
  o.ask_price[i] = f.sold.units > 0 ? f.sold.notional / f.sold.units : 0.0;
  o.bid_fills[i] = f.bought.count;
  o.ask_fills[i] = f.sold.count;
  o.bid_quote[i] = f.bid_resting;
  o.ask_quote[i] = f.ask_resting;
  o.liquidation[i] = a.liquidation;
  o.liquidation_fee[i] = a.liquidation_fee;
}

/// Moves env `i` to row `next` with the step's account and pushes its frame.
MMSIM_HD inline void advance(const StepParams& p, const EnvState& s, std::int64_t i, std::int64_t next,
                             const StepFills& f, const StepAccount& a) {
  const double fees = s.fees[i] + a.fee;
  const std::int32_t fills = s.fills[i] + f.bought.count + f.sold.count;
  s.row[i] = next;
  s.step[i] += 1;
  s.cash[i] = a.cash;
  s.position[i] = a.position;
  s.pnl[i] = a.pnl;
  s.fees[i] = fees;
  s.fills[i] = fills;
  if ((a.position < 0 ? -a.position : a.position) <= kFlatPosition) s.flat_pnl[i] = a.pnl;
  push_frame(p, s, i);
}

/// One step of env `i` quoting `quote`: offsets in `unit` from the mid of
/// the row the env sees, sizes in the config's size unit. The order takes
/// effect after the latency (docs/mechanics.md). An invalid quote is reported
/// as a fault and replaced by no quote on either side. With env.last_step:
/// liquidate_only, the last step of a window neither sends the quote nor fills
/// the active order. `finished_total` is the count of all envs' finished
/// episodes before this step (curriculum over all envs). Returns true when
/// the env's episode ended (it has already been reset).
MMSIM_HD inline bool step_env_order(const StepParams& p, const MarketView& m, const WindowRanges& w,
                                    const EnvState& s, const EnvOutputViews& o, std::int64_t i, ActionRow quote,
                                    OffsetUnit unit, std::int64_t finished_total) {
  const std::int64_t seen = observed_row(p, s, i);
  const ActionRow in_ticks{offset_ticks(unit, m, quote.bid_offset, seen), offset_ticks(unit, m, quote.ask_offset, seen),
                           quote.bid_size, quote.ask_size};
  if (!valid_quote(in_ticks)) {
    report_fault(o.fault, i, s.step[i], FaultKind::invalid_quote);
    quote = ActionRow{};
  }
  const std::int64_t row = s.row[i];
  const double position_before = s.position[i];
  const bool ended = s.step[i] + 1 >= s.length[i];
  const bool quoting = !(ended && p.liquidate_at_end && p.last_step == LastStep::liquidate_only);

  StepFills fills;
  if (quoting) {
    // The agent prices its order from the book it sees; it takes effect after the latency.
    SentOrder order;
    const bool arrived = exchange_orders(p, s, i, price_order(p, m, seen, quote, unit), &order);
    if (arrived) apply_inventory_limit(p, m, position_before, &order);
    // The market moves to the next row; the active orders fill against it.
    fills = fill_orders(p, m, s, o, i, row, arrived, order);
  }
  // The account is marked at the next row.
  StepAccount account = book_fills(p, m, s, i, row, fills);
  if (ended && p.liquidate_at_end && account.position != 0) liquidate(p, m, row + 1, &account);

  const double reward = step_reward(p, account.pnl - s.pnl[i],
                                    position_before * (account.mid_after - account.mid_before), account.position);
  if (!(reward == reward) || !(account.pnl == account.pnl)) report_fault(o.fault, i, s.step[i], FaultKind::nan_reward);
  write_step_outputs(o, i, reward, fills, account);
  advance(p, s, i, row + 1, fills, account);
  if (ended) {
    end_episode(p, m, w, s, o, i, account, finished_total);
  } else {
    o.terminated[i] = 0;
    o.truncated[i] = 0;
  }
  o.pnl[i] = s.pnl[i];
  o.position[i] = s.position[i];
  o.cash[i] = s.cash[i];
  return ended;
}

/// One step of env `i` quoting `quote` with offsets in ticks (step_env_order).
MMSIM_HD inline bool step_env_quotes(const StepParams& p, const MarketView& m, const WindowRanges& w,
                                     const EnvState& s, const EnvOutputViews& o, std::int64_t i,
                                     const ActionRow& quote, std::int64_t finished_total) {
  return step_env_order(p, m, w, s, o, i, quote, OffsetUnit::ticks, finished_total);
}

/// One step of env `i` quoting `quote` with offsets in the config's offset
/// unit (env.offset_unit), as the action table's rows are (step_env_order).
MMSIM_HD inline bool step_env_offsets(const StepParams& p, const MarketView& m, const WindowRanges& w,
                                      const EnvState& s, const EnvOutputViews& o, std::int64_t i,
                                      const ActionRow& quote, std::int64_t finished_total) {
  return step_env_order(p, m, w, s, o, i, quote, p.offset_unit, finished_total);
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
  return step_env_offsets(p, m, w, s, o, i, p.actions[action], finished_total);
}

}  // namespace mmsim
