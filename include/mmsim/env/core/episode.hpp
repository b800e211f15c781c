#pragma once
// Episodes (docs/mechanics.md, "Episodes"): each env's episode length (with
// the curriculum), the window it plays, and its start and end.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/env/core/account.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/core/observation.hpp"
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

/// Starts the env's next episode: draws its window, clears the account, the
/// orders (none in flight reaches the new window) and the frame ring, and
/// pushes the first frame.
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
  clear_orders_in_flight(p, s, i);
  clear_frames(p, s, i);
  push_frame(p, s, i);
}

/// Ends env `i`'s episode at its current row: reports it (the final
/// observation, the PnL with and without the liquidation, length, fills, how
/// it ended) and begins the next one. `finished_total`: all envs' finished
/// episodes before this step (curriculum over all envs).
MMSIM_HD inline void end_episode(const StepParams& p, const MarketView& m, const WindowRanges& w, const EnvState& s,
                                 const EnvOutputViews& o, std::int64_t i, const StepAccount& account,
                                 std::int64_t finished_total) {
  write_observation(p, m, s, i, o.final_obs + i * p.observation_size());
  o.episode_pnl[i] = account.pnl;
  o.episode_pnl_mark[i] = account.pnl_mark;
  o.episode_length[i] = s.step[i];
  o.episode_fills[i] = s.fills[i];
  o.terminated[i] = p.liquidate_at_end ? 1 : 0;
  o.truncated[i] = p.liquidate_at_end ? 0 : 1;
  s.finished[i] += 1;
  s.episode[i] += 1;
  begin_episode(p, w, s, i, p.curriculum_count == CurriculumCount::per_env ? s.finished[i] : finished_total);
}

}  // namespace mmsim
