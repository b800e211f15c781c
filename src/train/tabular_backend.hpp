#pragma once
// What the tabular learners' backends share (as env/backend.hpp for the
// envs): the views the step reads, and a launcher per backend.

#include <cstdint>
#include <memory>

#include "env/backend.hpp"
#include "mmsim/train/tabular.hpp"

namespace mmsim::detail {

/// Everything the tabular step reads and writes, in the backend's memory.
struct TabularViews {
  TabularParams params;
  FillProbParams env;
  MarketView market;
  WindowRanges windows;
  FillProbState state;
  FillProbOutputs outputs;
  TabularLearnerViews learners;
  std::int64_t num_learners = 0;
};

/// How a backend runs the tabular step over every learner. Neither call
/// allocates or synchronises; a device launcher only enqueues work.
class TabularLauncher {
 public:
  virtual ~TabularLauncher() = default;
  /// Begins every learner's first episode.
  virtual void begin(const TabularViews& batch, StreamHandle stream) = 0;
  /// Every learner takes `steps` steps.
  virtual void run(const TabularViews& batch, std::int64_t steps, StreamHandle stream) = 0;
};

/// A batch in `memory`, stepped by `launcher`, begun on `stream`.
std::unique_ptr<TabularBatch> make_tabular_batch(const TabularBatchSpec& spec, std::unique_ptr<BufferMemory> memory,
                                                 std::unique_ptr<TabularLauncher> launcher, StreamHandle stream);

}  // namespace mmsim::detail
