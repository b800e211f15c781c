#pragma once
// Config section `tabular`: the notebook's tabular learners, batched
// (docs/notebook.md). Every combination of algorithm, step size, epsilon and
// epsilon decay is a point; each point trains `seeds` learners.

#include <cstdint>
#include <string>
#include <vector>

#include "mmsim/train/tabular_core.hpp"

namespace mmsim {

struct TabularConfig {
  std::string name = "tabular";  ///< the run directory is runs/<name>
  std::vector<std::string> algorithms = {"q_learning", "sarsa", "expected_sarsa"};  ///< TabularAlgorithm names
  std::int64_t seeds = 32;                    ///< learners per point (seed index 0..seeds-1)
  std::int64_t episodes = 150;                ///< training episodes per learner
  std::vector<double> step_sizes = {0.05};    ///< alpha
  std::vector<double> epsilons = {0.5};       ///< epsilon of episode 0
  std::vector<double> epsilon_decays = {0.5}; ///< factor applied every `epsilon_every` episodes
  std::int64_t epsilon_every = 15;            ///< episodes
  double gamma = 1;
  TabularActions actions = TabularActions::all;
  std::int64_t eval_windows = 100;            ///< test-split windows of the comparison table
  std::int64_t eval_steps = 1000;             ///< steps per window (capped to the split)
  std::int64_t threads = 0;                   ///< CPU threads; 0 = every core
};

/// Throws ConfigError naming the `tabular.*` key of a value outside its range.
void validate(const TabularConfig& config);

/// The algorithms of `config.algorithms`, in order.
std::vector<TabularAlgorithm> tabular_algorithms(const TabularConfig& config);

}  // namespace mmsim
