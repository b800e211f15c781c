#pragma once
// The observation (docs/mechanics.md, "Observation"): a ring of the last
// `stack` frames per env, each the market features of the row the env saw
// and its own account, read back oldest frame first.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

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

/// Starts env `i`'s ring empty: the first frame pushed is the newest.
MMSIM_HD inline void clear_frames(const StepParams& p, const EnvState& s, std::int64_t i) {
  s.history_count[i] = 0;
  s.history_head[i] = p.stack - 1;
}

/// Writes features [begin, end) of frame `slot` (0 = oldest) of env `i`'s
/// stacked observation [stack, F + kAgentFeatures] to `frame` (the frame's
/// first element): below F the market features of the row the frame saw,
/// then its agent features; a frame from before the episode's first step is
/// zeros. The one routine behind `obs` and `final_obs` on every backend: the
/// CPU writes whole frames, the CUDA kernel one element per thread.
MMSIM_HD inline void write_frame(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i, int slot,
                                 int begin, int end, float* frame) {
  const int stack = p.stack;
  const int age = stack - 1 - slot;
  if (age >= s.history_count[i]) {
    for (int j = begin; j < end; ++j) frame[j] = 0.0f;
    return;
  }
  const std::int64_t ring = i * stack + (s.history_head[i] - age + stack) % stack;
  const float* features = m.features.row(s.history_row[ring]);
  const int market_end = end < p.feature_count ? end : p.feature_count;
  for (int j = begin; j < market_end; ++j) frame[j] = features[j];
  const float* agent = s.history_agent + ring * kAgentFeatures;
  for (int j = begin > p.feature_count ? begin : p.feature_count; j < end; ++j) frame[j] = agent[j - p.feature_count];
}

/// Writes env `i`'s whole stacked observation to `out` [stack, F + kAgentFeatures].
MMSIM_HD inline void write_observation(const StepParams& p, const MarketView& m, const EnvState& s, std::int64_t i,
                                       float* out) {
  for (int slot = 0; slot < p.stack; ++slot) {
    write_frame(p, m, s, i, slot, 0, p.frame_size, out + static_cast<std::int64_t>(slot) * p.frame_size);
  }
}

}  // namespace mmsim
