// Keys of the `tabular` section (the notebook's tabular learners).

#include <algorithm>

#include "config/sections.hpp"

namespace mmsim {
namespace config {
namespace {

void check_tabular(const TabularConfig& tabular, const Checker& checker) {
  if (tabular.algorithms.empty()) checker.fail("algorithms", "expected at least one algorithm");
  for (const std::string& name : tabular.algorithms) {
    if (!enum_names(TabularAlgorithm{}).find(name)) {
      checker.fail("algorithms", enum_names(TabularAlgorithm{}).rejection(name));
    }
    if (std::count(tabular.algorithms.begin(), tabular.algorithms.end(), name) > 1) {
      checker.fail("algorithms", "'" + name + "' is listed twice");
    }
  }
  const struct {
    const char* key;
    const std::vector<double>& values;
  } grids[] = {{"step_sizes", tabular.step_sizes},
               {"epsilons", tabular.epsilons},
               {"epsilon_decays", tabular.epsilon_decays}};
  for (const auto& grid : grids) {
    if (grid.values.empty()) checker.fail(grid.key, "expected at least one value");
  }
}

}  // namespace

const Table<TabularConfig>& tabular_keys() {
  static const Table<TabularConfig> table{
      {
          text("name", &TabularConfig::name, "name", "the run directory is runs/<name>"),
          list("algorithms", &TabularConfig::algorithms, "algorithm",
               "q_learning, sarsa and/or expected_sarsa (the notebook's three)"),
          number("seeds", &TabularConfig::seeds, Range::closed(1, 1e6), "learners per point (seed index 0..seeds-1)"),
          number("episodes", &TabularConfig::episodes, Range::closed(1, 1e9), "training episodes per learner"),
          list("step_sizes", &TabularConfig::step_sizes, "step size", "alpha of the update; one point per value",
               Range::above_up_to(0, 1)),
          list("epsilons", &TabularConfig::epsilons, "epsilon", "epsilon of episode 0; one point per value",
               Range::closed(0, 1)),
          list("epsilon_decays", &TabularConfig::epsilon_decays, "decay",
               "epsilon is multiplied by this every `epsilon_every` episodes; one point per value",
               Range::closed(0, 1)),
          number("epsilon_every", &TabularConfig::epsilon_every, Range::closed(1, 1e9), "episodes per epsilon decay"),
          number("gamma", &TabularConfig::gamma, Range::closed(0, 1), "discount factor"),
          choice("actions", &TabularConfig::actions,
                 "actions epsilon-greedy chooses from: all three in every position (the notebook's last version), "
                 "or those that keep or close a position (long: hold, sell; short: hold, buy)"),
          number("eval_windows", &TabularConfig::eval_windows, Range::closed(1, 1e6),
                 "test-split windows of the comparison table"),
          number("eval_steps", &TabularConfig::eval_steps, Range::at_least(1),
                 "steps per evaluation window (capped to the split)"),
          number("threads", &TabularConfig::threads, Range::at_least(0), "CPU threads; 0 = every core"),
      },
      check_tabular};
  return table;
}

}  // namespace config

void validate(const TabularConfig& tabular) {
  check_keys(config::tabular_keys(), tabular, config::Checker("tabular"));
}

std::vector<TabularAlgorithm> tabular_algorithms(const TabularConfig& config) {
  validate(config);
  std::vector<TabularAlgorithm> algorithms;
  for (const std::string& name : config.algorithms) algorithms.push_back(*enum_names(TabularAlgorithm{}).find(name));
  return algorithms;
}

}  // namespace mmsim
