#pragma once
// Rollouts: n steps of an env batch by an acting policy, stored on the
// training device for any on-policy algorithm (and for an off-policy one to
// copy into its replay buffer). One collector fills them with tensor work
// only: the env steps on the training stream, no host reads.

#include <torch/types.h>

#include <cstdint>

#include "mmsim/core/rng.hpp"
#include "mmsim/core/stream.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/train/phase_clock.hpp"

namespace mmsim::train {

/// One rollout of n steps over N envs. Every tensor lives on the training
/// device; [n, N] tensors are indexed by step, then env.
struct Rollout {
  torch::Tensor obs;                ///< [n, N, observation size] float32: what the policy saw
  /// [n, N] int32: the rows of the action table taken; or, for a continuous
  /// policy (Actor::action_dims() > 0), [n, N, dims] float32: its actions
  /// before they became quotes (gaussian.hpp: unsquashed).
  torch::Tensor actions;
  torch::Tensor log_probs;          ///< [n, N] float32: the acting policy's log-probability of each action
  torch::Tensor values;             ///< [n, N] float32: the acting policy's value of each observation
  torch::Tensor rewards;            ///< [n, N] float32
  torch::Tensor terminated;         ///< [n, N] uint8: the episode ended for good (liquidated)
  torch::Tensor truncated;          ///< [n, N] uint8: the episode was cut (the env reset without liquidating)
  /// [n, N] float32: the value of the final observation where truncated (the
  /// return bootstraps from it); 0 where the envs liquidate at the end.
  torch::Tensor truncation_values;
  torch::Tensor last_values;  ///< [N] float32: the value of the observation after the last step
  // Collected only for an actor that asks for next observations (Actor::needs_next_observations):
  /// [n, N, observation size] float32: where an episode ended at a step, the
  /// observation it ended on (undefined elsewhere).
  torch::Tensor final_obs;
  torch::Tensor last_obs;  ///< [N, observation size] float32: the observations after the last step

  std::int64_t steps() const { return actions.size(0); }
  std::int64_t envs() const { return actions.size(1); }
};

/// What follows step t of a rollout in a return or a TD error, the one
/// bootstrap rule of the value-based targets (A2C's returns, PPO's GAE): 0
/// after a termination, the final observation's value after a truncation,
/// else `next` (the value or return of step t + 1). `terminated`,
/// `truncated`: [N] bool; `truncation_value`, `next`: [N] in `next`'s dtype.
/// DQN's n-step transitions apply the same rule to observations
/// (next_observations, and no bootstrap after a termination).
torch::Tensor value_after_step(const torch::Tensor& terminated, const torch::Tensor& truncated,
                               const torch::Tensor& truncation_value, const torch::Tensor& next);

/// The observation that followed each step of `rollout` [n, N, observation
/// size]: the final observation where the episode ended at that step, else
/// the next step's (the last step's: last_obs). Needs final_obs and last_obs.
torch::Tensor next_observations(const Rollout& rollout);

/// `count` uniforms in [0, 1) of the counter-based RNG the env uses:
/// element i is uniform01(seed, i, episode, step, purpose), so a run (and a
/// resumed run) repeats exactly. The action sampling of a rollout step draws
/// one per env with (update, step, RngPurpose::action). float64 [count] on the
/// CPU (fill_counter_uniforms: on any device).
torch::Tensor counter_uniforms(std::uint64_t seed, std::uint64_t episode, std::uint32_t step, RngPurpose purpose,
                               std::int64_t count);

/// A float64 zero scalar on `device`: a metric sum that stays on the device.
torch::Tensor zero_sum(const torch::Device& device);

/// What a policy decides for a batch of observations (no gradient).
struct ActorStep {
  torch::Tensor actions;    ///< [N] int32, or [N, dims] float32 for a continuous policy (Rollout::actions)
  torch::Tensor log_probs;  ///< [N] float32: log-probability of each action under the acting distribution
  torch::Tensor values;     ///< [N] float32: the state value of each observation
  /// A continuous policy's quotes: [N, 4] float64 rows of ActionRow, offsets
  /// in env.offset_unit (BatchEnv::step_offsets); undefined otherwise.
  torch::Tensor quotes;
};

/// The acting side of an algorithm.
class Actor {
 public:
  virtual ~Actor() = default;
  /// Actions for `observations` [N, observation size] (float32, on the
  /// training device), drawn with `uniforms` (float64 in [0, 1), the
  /// counter-based RNG's: [N] when uniforms_per_env() is 1, else [N,
  /// uniforms_per_env()]) at training frame `frame`.
  virtual ActorStep act(const torch::Tensor& observations, const torch::Tensor& uniforms, double frame) = 0;
  /// Floats per action of a continuous policy (its ActorStep carries quotes),
  /// or 0 for rows of the action table.
  virtual std::int64_t action_dims() const { return 0; }
  /// Uniforms act() draws each env's action with.
  virtual std::int64_t uniforms_per_env() const { return 1; }
  /// The state values [N] float32 that returns bootstrap from (called without gradient).
  virtual torch::Tensor value(const torch::Tensor& observations) = 0;
  /// True when the rollouts must also hold the observations that followed
  /// each step (Rollout::final_obs, last_obs), e.g. to fill a replay buffer
  /// of transitions. They cost a second observation tensor.
  virtual bool needs_next_observations() const { return false; }
};

/// Sums of the episodes that finished during rollouts (float64 scalars on the
/// training device).
struct EpisodeSums {
  torch::Tensor episodes, pnl, length;
};

/// Fills rollouts from an env batch. The env must outlive the collector; a
/// CUDA env steps on the stream given to collect(), which must be torch's
/// current stream, so its kernels and the tensor work stay in order.
class Collector {
 public:
  /// Rollouts of `steps` steps over the envs of `env`, on `device` (the env's:
  /// the CPU, or the CUDA device its memory is on), for actors like `actor`
  /// (its action_dims, uniforms_per_env and needs_next_observations); `seed`
  /// drives the action draws (counter_uniforms). Element j of env i's draws
  /// at a step is uniform number i x uniforms_per_env + j.
  Collector(BatchEnv& env, std::int64_t steps, std::uint64_t seed, const torch::Device& device, const Actor& actor);

  /// Steps the envs `steps` times with `actor`, at update number `update`
  /// (the action draws' counter) and training frame `frame`. Times the parts
  /// on `clock` (forward, env, copies). Returns the rollout, valid until the
  /// next call.
  const Rollout& collect(Actor& actor, std::int64_t update, double frame, StreamHandle stream, PhaseClock& clock);

  const EpisodeSums& episode_sums() const { return sums_; }
  /// Starts new sums (after a metrics read).
  void reset_episode_sums();

 private:
  BatchEnv& env_;
  std::uint64_t seed_;
  torch::Device device_;
  Rollout rollout_;
  torch::Tensor uniforms_;  ///< [N x uniforms per env] float64: the action draws of one step
  torch::Tensor quotes_;    ///< [N, 4] float64: a continuous policy's quotes of one step (ActionRow rows)
  // The env's output buffers as tensors on device_ (views, no copies).
  torch::Tensor env_obs_, env_final_obs_, env_reward_, env_terminated_, env_truncated_, env_episode_pnl_,
      env_episode_length_;
  EpisodeSums sums_;
};

}  // namespace mmsim::train
