#pragma once
// `mmsim summary`: loads a dataset, builds the book tensor and the feature
// table, and prints what a user checks before training.

#include <ostream>
#include <string>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

enum class Device { cpu, cuda, automatic };

struct SummaryOptions {
  Device device = Device::automatic;
  std::string write_config;  ///< where to write the effective config; empty = nowhere
};

/// Returns the process exit code.
int run_summary(const Config& config, const SummaryOptions& options, std::ostream& out);

}  // namespace mmsim::cli
