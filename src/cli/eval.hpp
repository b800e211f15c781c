#pragma once
// `mmsim eval`: the evaluation protocol for a trained agent and the baselines
// (libtorch builds only).

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

struct EvalOptions {
  std::string checkpoint;  ///< a checkpoint directory, or a seed group directory of `train --seeds`
  std::string split = "test";
  std::int64_t windows = 100;
  std::int64_t steps = 10000;
  bool greedy = false;
  std::string device = "cpu";
};

/// Returns the process exit code.
int run_eval(const Config& config, const EvalOptions& options, std::ostream& out);

}  // namespace mmsim::cli
