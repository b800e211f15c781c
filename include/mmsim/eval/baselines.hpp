#pragma once
// Model-based baselines for the evaluation protocol: Avellaneda-Stoikov's
// finite-horizon quotes and the asymptotic closed form of Gueant, Lehalle and
// Fernandez-Tapia, calibrated on the training split (docs/baselines.md).

#include <cstdint>
#include <memory>

#include "mmsim/eval/avellaneda_stoikov.hpp"
#include "mmsim/eval/evaluation.hpp"

namespace mmsim::eval {

/// How a model's quotes reach the env.
enum class AsQuoteMode : std::int32_t {
  continuous,  ///< the model's prices, on the tick grid (BatchEnv::step_quotes)
  snap,        ///< the action-table row nearest to the model's offsets (BatchEnv::step)
};

/// The `baselines.as` config section.
struct AsBaselineConfig {
  bool enabled = true;
  double gamma = 0.01;          ///< risk aversion, 1/currency (not the RL discount)
  double order_size = 0;        ///< quote size in env.size_unit; 0 = the action table's first row's bid size
  AsQuoteMode quotes = AsQuoteMode::continuous;
  double max_distance_ticks = 50;  ///< calibration: quote distances up to this many ticks (1 .. 1e6), every half tick
  std::int64_t min_fills = 20;     ///< calibration: distances with fewer fills are left out of the fit
};

/// Throws ConfigError naming the baselines.as key of an invalid value.
void validate(const AsBaselineConfig& config);

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
const char* to_string(AsQuoteMode mode);

}  // namespace mmsim::eval
