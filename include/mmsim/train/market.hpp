#pragma once
// The market data an agent trains and is evaluated on.

#include <torch/types.h>

#include <ostream>

#include "mmsim/config/config.hpp"
#include "mmsim/data/market.hpp"

namespace mmsim::train {

/// load_market(config) and, with features.lstm, the LSTM's mid-move columns
/// (docs/lstm.md), forecast on `device` when they are not cached yet (progress
/// lines to `out`). The LSTM columns leave the agent's training split without
/// walk-forward block 0; `full_training_split` (when given) receives the
/// training split before that, which the model-based baselines calibrate on.
MarketData load_agent_market(const Config& config, torch::Device device, std::ostream& out,
                             Split* full_training_split = nullptr);

}  // namespace mmsim::train
