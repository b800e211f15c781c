#pragma once
// Model-based baselines for the evaluation protocol: Avellaneda-Stoikov's
// finite-horizon quotes and the asymptotic closed form of Gueant, Lehalle and
// Fernandez-Tapia, calibrated on the training split (docs/baselines.md).

#include <cstdint>
#include <memory>

#include "mmsim/config/baselines_config.hpp"
#include "mmsim/eval/avellaneda_stoikov.hpp"
#include "mmsim/eval/evaluation.hpp"

namespace mmsim::eval {

enum class AsForm : std::int32_t {
  finite_horizon,  ///< Avellaneda-Stoikov (2008), T - t = steps left in the window
  asymptotic,      ///< Gueant, Lehalle and Fernandez-Tapia (2013), no horizon
};

/// The baseline as an evaluation policy for envs built from `data` and
/// `params` (the protocol's env) with the parameters calibrated on the
/// training split: quotes `config.order_size` on both sides
/// at the model's distances from the mid, never crossing the current
/// opposite best price (post-only).
std::unique_ptr<Policy> avellaneda_stoikov_policy(AsForm form, const Calibration& calibration,
                                                  const AsBaselineConfig& config, const EnvData& data,
                                                  const StepParams& params);

/// "Avellaneda-Stoikov" or "GLFT", with " (snapped)" in snap mode.
const char* as_policy_name(AsForm form, AsQuoteMode mode);

}  // namespace mmsim::eval
