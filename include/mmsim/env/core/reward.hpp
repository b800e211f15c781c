#pragma once
// The reward of a step (docs/mechanics.md, "One step", 10).

#include <cmath>

#include "mmsim/core/hd.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// Reward for a PnL change `pnl_change`, of which `inventory_pnl` came from
/// the position held over the step, ending at `position` base units.
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

}  // namespace mmsim
