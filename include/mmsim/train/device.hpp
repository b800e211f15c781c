#pragma once
// Where training runs, and the CUDA pieces the trainer needs without seeing
// CUDA itself: torch's current stream (handed to the env, docs/architecture.md,
// principle 5), action uniforms generated on the device, streams for runs side by side
// and the device memory a run needs. Implemented by src/train/device_cuda.cpp
// in builds whose libtorch has CUDA, else by src/train/device_cpu.cpp; the
// byte estimates (training_bytes*) by src/train/trainer.cpp.

#include <c10/core/Stream.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/core/stream.hpp"
#include "mmsim/env/batch_env.hpp"

namespace mmsim::train {

/// True when this build trains on CUDA and torch sees a usable device; else
/// false, with the reason in `*reason`. Never throws.
bool cuda_training_available(std::string* reason);

/// The torch device of the tensors that feed `env`: the CPU, or the current
/// CUDA device for the CUDA backend. Throws Error for a CUDA env in a build
/// without CUDA training.
torch::Device device_of(const BatchEnv& env);

/// torch's current CUDA stream on the current device: the stream the env must
/// step on so that its kernels are ordered with the trainer's tensor work.
/// An empty handle (the legacy default stream) in builds without CUDA training.
StreamHandle current_stream();

/// Waits until the work enqueued on current_stream() is done; nothing on the CPU.
void synchronize_current_stream(const torch::Device& device);

/// Fills `out` (float64 [count], contiguous, on the CPU or a CUDA device)
/// with counter_uniforms(seed, episode, step, purpose, count), generated
/// where `out` lives: on a CUDA device by a kernel on current_stream(), with
/// no host copy and no synchronisation.
void fill_counter_uniforms(torch::Tensor& out, std::uint64_t seed, std::uint64_t episode, std::uint32_t step,
                           RngPurpose purpose);

/// The env batch of a training run (train.num_envs envs, the run's seed): the
/// CPU backend, or with `cuda` the CUDA backend on the current device,
/// allocated on current_stream(). Out of device memory, throws Error saying
/// how many envs fit (training_bytes_per_env).
std::unique_ptr<BatchEnv> make_training_env(const EnvData& data, const Config& config, bool cuda);

/// Device bytes one env of a training run needs, estimated: its state and
/// outputs, its slots of the rollout tensors, and the update's activations
/// and gradients over its n observations.
std::int64_t training_bytes_per_env(const EnvData& data, const Config& config);

/// The message for a run that ran out of device memory: the bytes per env,
/// the device's free memory once torch's cache is released, and how many
/// envs would fit. `run_holds_memory`: the run's env batch, rollout and
/// network still hold their memory (counted as free for the estimate).
std::string out_of_memory_message(const EnvData& data, const Config& config, bool run_holds_memory);

/// Device bytes one training run needs besides its envs: the book, feature
/// table and messages uploaded for its env batch, the network with its
/// gradients and Adam moments, and DQN's replay buffer and target network.
std::int64_t training_bytes_per_run(const EnvData& data, const Config& config);

/// Device bytes of DQN's replay buffer (train.dqn.buffer_size transitions);
/// 0 for the other learners.
std::int64_t replay_buffer_bytes(const EnvData& data, const Config& config);

/// Device bytes one training run of `config` needs: training_bytes_per_env
/// x N + training_bytes_per_run.
std::int64_t training_bytes(const EnvData& data, const Config& config);

/// Host memory still available to this process (MemAvailable of
/// /proc/meminfo), in bytes; -1 when the system does not say.
std::int64_t available_host_memory();

/// The error of a CPU training that does not fit in `available` bytes of host
/// memory: its estimate (training_bytes), the bytes per env and per run, how
/// many envs would fit, and the key to change (train.dqn.buffer_size or
/// train.network when the run's own part does not fit, by which is larger;
/// train.rollout_steps when one env does not, else train.num_envs).
ConfigError host_memory_error(const EnvData& data, const Config& config, std::int64_t available);

/// Throws host_memory_error when the CPU training of `config` needs more than
/// `available` bytes (no check when `available` < 0: unknown).
void check_host_memory(const EnvData& data, const Config& config, std::int64_t available);

/// Splits training runs, in order, into consecutive groups to train side by
/// side; returns the groups' sizes. On the CPU one group of all; on the
/// current CUDA device each group's training_bytes sum to at most nine tenths
/// of the free memory (a tenth kept for the caching allocator), and a run
/// larger than that goes alone (to fail with out_of_memory_message).
std::vector<std::int64_t> side_by_side_groups(const EnvData& data, const std::vector<Config>& runs, bool cuda);

/// The stream of one of several training runs side by side on one GPU
/// (`mmsim train --seeds K`, `--sweep`): a stream from torch's pool, so that the GPU
/// overlaps one run's kernels with another's while the host enqueues them in
/// turn. On the CPU it is empty and run() just calls its work.
class RunStream {
 public:
  /// With `cuda`, takes a stream from torch's pool on the current device.
  explicit RunStream(bool cuda);
  /// Calls `work` with this stream as torch's current stream, and so the
  /// stream of everything it creates and steps: a run's env, trainer,
  /// evaluation and checkpoints must all be made and used inside run().
  void run(const std::function<void()>& work) const;

 private:
  std::optional<c10::Stream> stream_;
};

}  // namespace mmsim::train
