#pragma once
// DQN (train.algorithm: dqn, docs/training.md "DQN"): a Q-network (plain or
// dueling), n-step transitions cut at episode ends, a replay buffer on the
// training device (uniform or proportional prioritised sampling with
// importance weights), double-Q targets from a target network with hard or
// soft updates, and epsilon-greedy acting. Every random draw is
// counter-based, so a run resumed from a checkpoint (which holds the buffer)
// repeats its updates bit for bit on the CPU. Nothing but save() and load()
// reads a value on the host.

#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "mmsim/config/train_config.hpp"
#include "mmsim/train/algorithm.hpp"

namespace mmsim::train {

/// Shared Linear(obs, shared) + LeakyReLU, then an advantage head shared ->
/// policy_hidden -> LeakyReLU -> actions; with `dueling`, also a value head
/// shared -> value_hidden -> LeakyReLU -> 1, and Q = V + A - mean(A).
class QNetworkImpl : public torch::nn::Module {
 public:
  QNetworkImpl(std::int64_t observation_size, std::int64_t actions, const NetworkConfig& config, bool dueling);
  /// Q-values [B, actions] for observations [B, observation_size] float32.
  torch::Tensor forward(const torch::Tensor& observations);

 private:
  torch::nn::Linear shared_{nullptr}, advantage_hidden_{nullptr}, advantage_out_{nullptr}, value_hidden_{nullptr},
      value_out_{nullptr};
  torch::nn::LeakyReLU activation_{nullptr};
};
TORCH_MODULE(QNetwork);

/// The n-step transitions of a rollout, one per (step, env) ([n x N] each,
/// step-major): from step t, the rewards of steps t .. t + m - 1 discounted,
/// m the largest count <= n_step that stays within the rollout and stops
/// after the step an episode ended at; the observation that followed step
/// t + m - 1 (the final observation where the episode ended there); and the
/// bootstrap discount gamma^m, or 0 where the episode terminated.
struct NstepTransitions {
  torch::Tensor obs;        ///< [M, observation size] float32
  torch::Tensor actions;    ///< [M] int64
  torch::Tensor returns;    ///< [M] float32
  torch::Tensor next_obs;   ///< [M, observation size] float32
  torch::Tensor discounts;  ///< [M] float32
};
NstepTransitions nstep_transitions(const Rollout& rollout, std::int64_t n_step, double gamma);

/// Proportional prioritised sampling of `batch` indices into the first
/// `size` entries of `priorities` [capacity] float32, at the counter-based
/// uniforms `uniforms` [batch] float64: index i with probability p_i^alpha /
/// sum p^alpha (the inverse of the cumulative sum). Also the importance
/// weights (size x P(i))^-beta divided by the largest such weight over the
/// buffer, so that they are at most 1.
struct PrioritizedSample {
  torch::Tensor indices;  ///< [batch] int64
  torch::Tensor weights;  ///< [batch] float32
};
PrioritizedSample prioritized_sample(const torch::Tensor& priorities, std::int64_t size, const torch::Tensor& uniforms,
                                     double alpha, double beta);

/// The TD targets of a batch: returns + discounts x Q_target(next obs, a*),
/// a* = argmax of Q_online(next obs) with double_q, else of Q_target.
/// `online_next` and `target_next` [B, actions] (the same tensor when there
/// is no target network).
torch::Tensor td_targets(const torch::Tensor& returns, const torch::Tensor& discounts, const torch::Tensor& online_next,
                         const torch::Tensor& target_next, bool double_q);

/// DQN as an Algorithm (module doc above), configured by train.dqn.
class Dqn final : public Algorithm {
 public:
  Dqn(const TrainConfig& config, std::int64_t observation_size, std::int64_t actions, const torch::Device& device);

  std::string name() const override { return to_string(AlgorithmKind::dqn); }
  /// Epsilon-greedy on Q: with u the env's uniform, a uniformly random
  /// action floor(u / epsilon x A) where u < epsilon, else the greedy one.
  ActorStep act(const torch::Tensor& observations, const torch::Tensor& uniforms, double frame) override;
  /// max_a Q(observation, a).
  torch::Tensor value(const torch::Tensor& observations) override;
  bool needs_next_observations() const override { return true; }
  std::vector<std::string> metric_names() const override;
  std::vector<Setting> settings(double frame) const override;
  std::vector<torch::Tensor> parameters() override { return online_->parameters(); }
  std::vector<torch::Tensor> update(const Rollout& rollout, const UpdateContext& at, const GradientStep& step) override;
  /// The greedy policy's logits: 0 for the action of the largest Q-value,
  /// -1e30 for the others, so that evaluation acts greedily whether it takes
  /// the argmax or samples the softmax.
  torch::Tensor logits(const torch::Tensor& observations) override;
  std::string describe_metrics(const std::vector<double>& metrics) const override;
  std::string describe_settings(const std::vector<Setting>& settings) const override;
  /// The networks and the replay buffer with its counters (dqn.pt); with
  /// train.dqn.checkpoint_buffer false, an empty buffer.
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir, const torch::Device& device) override;
  /// Says so when the checkpoint held no buffer: the resumed run refills it.
  std::string resume_note() const override;

  /// Bytes one transition of the replay buffer takes for observations of
  /// `observation_size` floats: the buffers declared below, one entry each.
  static constexpr std::int64_t bytes_per_transition(std::int64_t observation_size) {
    return 2 * observation_size * 4 + 8 + 4 + 4 + 4;
  }
  /// Transitions in the replay buffer.
  std::int64_t buffer_size() const { return size_; }
  /// Gradient steps taken so far.
  std::int64_t gradient_steps() const { return gradient_steps_; }
  /// The target network's parameters (the online network's without one).
  std::vector<torch::Tensor> target_parameters() { return (target_ ? target_ : online_)->parameters(); }

 private:
  /// Appends `t` to the buffer, overwriting the oldest transitions when full.
  void store(const NstepTransitions& t);
  /// The target update of train.dqn after gradient step number gradient_steps_.
  void update_target();

  TrainConfig config_;
  std::int64_t actions_;
  QNetwork online_;
  QNetwork target_{nullptr};  ///< null without a target network
  // The replay buffer, [capacity, ...] on the training device (its bytes:
  // bytes_per_transition): observations and next observations float32,
  // actions int64, returns, discounts and priorities float32.
  torch::Tensor obs_, actions_taken_, returns_, next_obs_, discounts_, priorities_;
  torch::Tensor batch_uniforms_;    ///< [batch_size] float64: one gradient step's sampling draws
  torch::Tensor max_priority_;      ///< float32 scalar: new transitions' priority
  std::int64_t size_ = 0;           ///< filled entries
  std::int64_t next_ = 0;           ///< the entry the next transition goes to
  std::int64_t gradient_steps_ = 0;
  bool loaded_without_buffer_ = false;  ///< the last load() read a checkpoint saved without its buffer
};

}  // namespace mmsim::train
