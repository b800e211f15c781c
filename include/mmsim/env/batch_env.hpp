#pragma once
// N market-making environments stepping together (docs/mechanics.md).
// CUDA-free: the CUDA backend is created through mmsim/gpu/env.hpp.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/core/stream.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/market.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/env_config.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

enum class Backend { cpu, cuda };

enum class DType : std::int32_t { float32, float64, int32, int64, uint8, uint64 };

/// Size in bytes of one element.
int dtype_bytes(DType dtype);

/// A C-contiguous buffer owned by the env, described so that it maps 1:1 onto
/// a DLPack DLTensor: `dtype` -> (code, bits, lanes=1), `shape`, strides =
/// row-major, `device` kDLCPU (1) or kDLCUDA (2) with `device_id`.
struct BufferDesc {
  std::string name;
  DType dtype = DType::float32;
  std::vector<std::int64_t> shape;
  void* data = nullptr;
  Backend device = Backend::cpu;
  int device_id = 0;
};

/// Builds the step core's parameters; throws ConfigError for invalid values
/// or a split too short for one step. `capped` (optional) is set when the
/// episode length or the curriculum maximum had to be cut to fit the split.
StepParams make_step_params(const EnvConfig& config, const EnvData& data, std::uint64_t seed, bool* capped = nullptr);

/// The rows episodes are drawn from.
const Split& episode_split(EpisodeSplit split, const Splits& splits);

class BatchEnv {
 public:
  virtual ~BatchEnv() = default;

  virtual Backend backend() const = 0;
  std::int64_t num_envs() const { return num_envs_; }
  const StepParams& params() const { return params_; }
  int action_count() const { return params_.action_count; }
  /// Floats per observation: stack x (F + kAgentFeatures).
  std::int64_t observation_size() const { return params_.observation_size(); }

  /// Starts episode 0 of every env (deterministic for the seed) and writes the
  /// first observations. Clears the curriculum counters.
  virtual void reset(StreamHandle stream = {}) = 0;

  /// Steps every env once. `actions` [N] int32 lives on the env's device (host
  /// memory for the CPU backend, device memory for CUDA). The CUDA backend
  /// only enqueues work on `stream`: no allocation, no synchronisation.
  /// Finished episodes restart inside the call (docs/mechanics.md).
  virtual void step(const std::int32_t* actions, StreamHandle stream = {}) = 0;

  /// Steps every env once with explicit quotes instead of action indices
  /// (e.g. model-based baselines): `quotes` [N] on the env's device, offsets
  /// in ticks from the mid whatever env.offset_unit says, sizes in the
  /// config's size unit (0 = no quote on that side). Same mechanics, stream
  /// and synchronisation rules as step().
  virtual void step_quotes(const ActionRow* quotes, StreamHandle stream = {}) = 0;

  /// Steps every env once with explicit quotes whose offsets are in
  /// env.offset_unit, like the action table's rows (e.g. a continuous
  /// policy's): converted to ticks as the table's rows are, then as
  /// step_quotes().
  virtual void step_offsets(const ActionRow* quotes, StreamHandle stream = {}) = 0;

  /// The output buffers of the last step (pointers stay valid for the env's
  /// lifetime and are overwritten by every step).
  const EnvOutputViews& outputs() const { return outputs_; }
  /// The same buffers with names, dtypes and shapes.
  virtual std::vector<BufferDesc> describe_outputs() const = 0;

  /// Throws Error naming the env, the step and the fault if a step since the
  /// last check produced a NaN reward or an invalid action. The CUDA backend
  /// synchronises `stream` to read the flag: call it when reading metrics.
  virtual void check_faults(StreamHandle stream = {}) = 0;

  /// Per-env finished-episode counts and the all-env total: the curriculum
  /// state. The CUDA backend reads them after the work on `stream`.
  virtual std::vector<std::int64_t> finished_episodes(StreamHandle stream = {}) const = 0;
  virtual std::int64_t finished_total(StreamHandle stream = {}) const = 0;
  /// Restores the curriculum state (e.g. from a checkpoint); takes effect at
  /// each env's next episode.
  virtual void set_finished_episodes(const std::vector<std::int64_t>& per_env, std::int64_t total,
                                     StreamHandle stream = {}) = 0;

  /// A header naming the layout, then every byte of state and outputs in the
  /// order of the field tables (mmsim/env/layout.hpp), the same on both
  /// backends, for checkpoints: load_state() of it continues the run exactly.
  /// Synchronises.
  virtual std::vector<std::uint8_t> save_state(StreamHandle stream = {}) const = 0;
  /// Throws Error, changing nothing, if the bytes have an older layout or do
  /// not come from an env of the same shape.
  virtual void load_state(const std::vector<std::uint8_t>& bytes, StreamHandle stream = {}) = 0;

 protected:
  BatchEnv(std::int64_t num_envs, const StepParams& params) : num_envs_(num_envs), params_(params) {}
  std::int64_t num_envs_;
  StepParams params_;
  EnvOutputViews outputs_;
};

/// The CPU backend, stepping its envs on `threads` threads (0: one per
/// hardware thread) that take chunks of envs in turn and end a step without a
/// barrier (a thread the system has descheduled delays it by one chunk at
/// most). Throws ConfigError for invalid settings.
std::unique_ptr<BatchEnv> make_cpu_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                       std::uint64_t seed, int threads = 0);

/// Throws Error describing the fault stored in `fault` [kFaultRecord], if any.
void throw_if_fault(const std::int64_t* fault);

}  // namespace mmsim
