#pragma once
// The tabular benchmarks' setting: configs/notebook.yaml (LOBSTER's AAPL
// level-1 day, the notebook's env rules), its three learners in turn.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "mmsim/config/market.hpp"
#include "mmsim/train/tabular.hpp"

namespace mmsim::bench {

struct NotebookSetup {
  Config config;
  MarketData market;
};

inline const NotebookSetup& notebook_setup() {
  static const NotebookSetup setup = [] {
    NotebookSetup s{load_config(std::string(MMSIM_CONFIG_DIR) + "/notebook.yaml"), {}};
    s.market = load_market(s.config);
    return s;
  }();
  return setup;
}

/// `learners` learners on the training split's whole-range episodes: the
/// three algorithms in turn, seed indices 0, 1, ...
inline TabularBatchSpec notebook_spec(std::int64_t learners) {
  const NotebookSetup& s = notebook_setup();
  TabularConfig tc = s.config.tabular;
  tc.seeds = (learners + 2) / 3;
  TabularBatchSpec spec{s.market.view(), s.config.fill_prob, make_tabular_params(tc), tabular_grid(tc), s.config.seed};
  std::vector<TabularLearner> interleaved;
  for (std::int64_t k = 0; k < learners; ++k) {
    interleaved.push_back(spec.learners[static_cast<std::size_t>((k % 3) * tc.seeds + k / 3)]);
  }
  spec.learners = interleaved;
  return spec;
}

/// Learner-steps per second of `steps` steps per iteration.
inline void count_learner_steps(benchmark::State& state, const TabularBatch& batch, std::int64_t steps) {
  state.SetItemsProcessed(state.iterations() * batch.num_learners() * steps);
  state.counters["learners"] = static_cast<double>(batch.num_learners());
}

}  // namespace mmsim::bench
