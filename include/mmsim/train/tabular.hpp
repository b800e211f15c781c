#pragma once
// Batches of the notebook's tabular learners (docs/notebook.md): L learners,
// each with its own fill-probability env, Q table and episode, stepped by
// the shared step (tabular_core.hpp) on the CPU or as CUDA kernels; the
// training run over a grid of settings x seeds, its evaluation on the test
// split and its report files. No Torch.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/stream.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/train/tabular_core.hpp"

namespace mmsim {

/// One learner: its rule, its settings and the seed index that keys its
/// random draws. Learners of one seed index see the same fills as long as
/// they take the same actions, whatever batch they are in.
struct TabularLearner {
  TabularAlgorithm algorithm = TabularAlgorithm::q_learning;
  double step_size = 0.05;
  double epsilon = 0.5;
  double epsilon_decay = 0.5;
  std::uint64_t seed_index = 0;
};

/// Every point (algorithm x step size x epsilon x decay, in that nesting)
/// times seed indices 0..seeds-1 (seed innermost).
std::vector<TabularLearner> tabular_grid(const TabularConfig& config);

/// The learners' buffers (TabularLearnerViews; docs/notebook.md, "Buffers"):
/// per-learner settings, tables, episode state and curves [L, episodes].
const FieldTable<TabularLearnerViews, TabularParams>& tabular_learner_fields();

/// A buffer of a batch copied to the host.
struct HostBuffer {
  std::string name;  ///< "learner.q", "env_state.row", "env_outputs.reward", ...
  std::vector<std::uint8_t> bytes;  ///< its elements as they lie in memory (host byte order)
};

/// The elements of the buffer named `name`; InternalError when there is none.
template <class T>
std::vector<T> host_buffer_values(const std::vector<HostBuffer>& buffers, const std::string& name) {
  for (const HostBuffer& b : buffers) {
    if (b.name != name) continue;
    std::vector<T> values(b.bytes.size() / sizeof(T));
    std::memcpy(values.data(), b.bytes.data(), values.size() * sizeof(T));
    return values;
  }
  fail_assert("a buffer of this name", __FILE__, __LINE__, "no buffer " + name);
}

/// L learners on one backend. The CUDA backend's run() only enqueues work.
class TabularBatch {
 public:
  virtual ~TabularBatch() = default;
  virtual Backend backend() const = 0;
  std::int64_t num_learners() const { return num_learners_; }
  const TabularParams& params() const { return params_; }
  const FillProbParams& env_params() const { return env_params_; }
  /// Steps of one episode (every learner's episodes have this length).
  std::int64_t episode_steps() const { return env_params_.length; }

  /// Every learner takes `steps` steps, on `stream`.
  virtual void run(std::int64_t steps, StreamHandle stream = {}) = 0;
  /// Replaces every learner's Q table by `q` [L, 30, 3] and begins the
  /// learners' episodes again from episode 0 (evaluation of trained tables).
  virtual void load_tables(const std::vector<double>& q, StreamHandle stream = {}) = 0;
  /// Q tables [L, 30, 3], synchronising `stream`.
  virtual std::vector<double> q_tables(StreamHandle stream = {}) = 0;
  /// Reward sums [L, episodes], synchronising `stream`.
  virtual std::vector<double> curves(StreamHandle stream = {}) = 0;
  /// Every buffer (learners', env state's, env outputs'), in table order,
  /// synchronising `stream`; the parity tests compare them all.
  virtual std::vector<HostBuffer> read_buffers(StreamHandle stream = {}) = 0;
  /// Throws Error describing the first fault of an env (NaN reward), if any.
  virtual void check_faults(StreamHandle stream = {}) = 0;

 protected:
  TabularBatch(std::int64_t num_learners, const TabularParams& params, const FillProbParams& env_params)
      : num_learners_(num_learners), params_(params), env_params_(env_params) {}
  std::int64_t num_learners_;
  TabularParams params_;
  FillProbParams env_params_;
};

/// What a batch is built from: the market (it must outlive the batch), the
/// env's config, the shared parameters and the learners.
struct TabularBatchSpec {
  EnvData data;
  FillProbConfig env;
  TabularParams params;
  std::vector<TabularLearner> learners;
  std::uint64_t seed = 1;  ///< the key of every random draw (with each learner's seed index as its stream)
};

/// The batch's shared parameters from the config (`learns` = 1).
TabularParams make_tabular_params(const TabularConfig& config);

/// The CPU backend, the reference: `threads` threads (0 = every core).
std::unique_ptr<TabularBatch> make_tabular_cpu_batch(const TabularBatchSpec& spec, int threads = 0);

/// Makes a batch on some backend (the CPU's, or the CUDA one where it is built).
using TabularBatchFactory = std::function<std::unique_ptr<TabularBatch>(const TabularBatchSpec&)>;

/// Options of a training run.
struct TabularRunOptions {
  TabularBatchFactory make_batch;   ///< where the learners train (evaluation runs on the CPU)
  std::string device = "cpu";       ///< as the report names it
  std::filesystem::path runs_dir = "runs";
};

/// Trains config.tabular's grid on fill_prob.split (train or validation),
/// evaluates every learner's greedy policy against the random and
/// always-hold policies on the validation split, then on the test split
/// with each algorithm's point of the best validation mean marked, and
/// writes runs/<name>/: config.yaml, curves.csv, q_values.csv, policy.md,
/// evaluation.csv, evaluation.md, validation.csv, validation.md,
/// pnl_path.csv and report.md (tools/plot_tabular.py draws them). Progress
/// and the test table go to `log`. Returns the run directory.
std::filesystem::path run_tabular(const Config& config, const TabularRunOptions& options, std::ostream& log);

}  // namespace mmsim
