#pragma once
// Settings of the model-based baselines of `mmsim eval`: the config section
// `baselines.as` (docs/baselines.md).

#include <cstdint>

#include "mmsim/config/enum_table.hpp"

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

/// The names config files give the quote modes (enum_table.hpp).
constexpr auto enum_names(AsQuoteMode) {
  return enum_table<AsQuoteMode>({{AsQuoteMode::continuous, "continuous"}, {AsQuoteMode::snap, "snap"}});
}
inline const char* to_string(AsQuoteMode mode) { return enum_names(mode).name(mode); }

}  // namespace mmsim::eval
