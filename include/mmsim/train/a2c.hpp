#pragma once
// A2C (seed 000 sections 2.4 and 2.6): the actor-critic network,
// epsilon-mixed action sampling (or continuous quotes, gaussian.hpp), n-step
// returns, the loss, the acting and
// saving half every actor-critic learner shares, and A2C behind the
// Algorithm interface. Everything works
// on tensors of any device; nothing but save() and load() (files) waits for
// the device or reads a value on the host.

#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>

#include "mmsim/train/algorithm.hpp"
#include "mmsim/config/train_config.hpp"

namespace mmsim::train {

/// Shared Linear(obs, shared) + LeakyReLU; policy head shared -> policy_hidden
/// -> LeakyReLU -> policy_outputs; value head shared -> value_hidden ->
/// LeakyReLU -> 1. With `initial_log_std` (continuous quotes), also a
/// parameter log_std [policy_outputs] whose bounded_log_std (gaussian.hpp)
/// starts at that value.
class ActorCriticImpl : public torch::nn::Module {
 public:
  ActorCriticImpl(std::int64_t observation_size, std::int64_t policy_outputs, const NetworkConfig& config,
                  std::optional<double> initial_log_std = std::nullopt);

  struct Output {
    /// [B, policy_outputs]: the action table's logits (categorical), or the
    /// means of the unsquashed quote offsets (gaussian).
    torch::Tensor policy;
    torch::Tensor value;    ///< [B]
    torch::Tensor log_std;  ///< [policy_outputs] bounded_log_std of the parameter (gaussian), undefined (categorical)
  };
  /// `observations` [B, observation_size] float32 (any leading layout that
  /// flattens to that).
  Output forward(const torch::Tensor& observations);

 private:
  torch::nn::Linear shared_{nullptr}, policy_hidden_{nullptr}, policy_out_{nullptr}, value_hidden_{nullptr},
      value_out_{nullptr};
  torch::nn::LeakyReLU activation_{nullptr};
  torch::Tensor log_std_;
};
TORCH_MODULE(ActorCritic);

/// Actions drawn from a distribution and their log-probabilities under it.
struct SampledActions {
  torch::Tensor actions;    ///< [B] int32
  torch::Tensor log_probs;  ///< [B] float32
};

/// log((1 - epsilon) x softmax(logits) + epsilon / A) [B, A], computed
/// from log_softmax (finite where the softmax underflows), differentiable in
/// `logits` [B, A]: the log-probabilities of the epsilon-mixed sampling.
torch::Tensor mixture_log_probabilities(const torch::Tensor& logits, double epsilon);

/// Samples one action per row from (1 - epsilon) x softmax(logits) +
/// epsilon / A by inverting the cumulative distribution at `uniforms` [B]
/// (values in [0, 1), e.g. from action_uniforms), with the log of each
/// chosen action's probability under that mixture.
SampledActions sample_actions_with_log_probs(const torch::Tensor& logits, double epsilon,
                                             const torch::Tensor& uniforms);
/// The actions of sample_actions_with_log_probs: int32 [B].
torch::Tensor sample_actions(const torch::Tensor& logits, double epsilon, const torch::Tensor& uniforms);

/// n-step discounted returns of a rollout of n steps over N envs ([n, N] each):
/// R_t = r_t + gamma x (0 if terminated_t, V(final obs_t) if truncated_t,
/// else R_{t+1}), with R_n = last_values [N] (the value of the observation
/// after the last step). `truncation_values` holds V(final obs_t) where
/// truncated_t (other entries are ignored). Flags are bool or uint8.
torch::Tensor nstep_returns(const torch::Tensor& rewards, const torch::Tensor& terminated,
                            const torch::Tensor& truncated, const torch::Tensor& truncation_values,
                            const torch::Tensor& last_values, double gamma);

/// Mean over rows of the entropy of the distributions whose log-probabilities
/// are `log_probabilities` [B, A]: the entropy bonus of A2C and PPO.
torch::Tensor mean_entropy(const torch::Tensor& log_probabilities);

/// What the policy-gradient losses need of a batch's policy: the
/// log-probabilities of the actions taken and the mean entropy, both with
/// gradient.
struct PolicyTerms {
  torch::Tensor log_probs;  ///< [B]
  torch::Tensor entropy;    ///< scalar
};

/// Of the action table: the log-probabilities of `actions` [B] (integer)
/// under the epsilon-mixed softmax of `logits` [B, A]
/// (mixture_log_probabilities), and the mean entropy of the softmax itself.
PolicyTerms categorical_terms(const torch::Tensor& logits, const torch::Tensor& actions, double epsilon);

/// Of continuous quotes: squashed_log_probs of the unsquashed actions
/// `actions` [B, 2] under `means` [B, 2] and `log_std` [2], and
/// gaussian_entropy(log_std).
PolicyTerms gaussian_terms(const torch::Tensor& means, const torch::Tensor& log_std, const torch::Tensor& actions,
                           const GaussianConfig& config);

struct A2CLoss {
  torch::Tensor total;    ///< policy + value - beta x entropy
  torch::Tensor policy;   ///< -mean(A x log pi(a)), A = returns - values (detached)
  torch::Tensor value;    ///< mean((R - V)^2)
  torch::Tensor entropy;  ///< mean(H(pi))
};

/// The A2C loss of a batch: `policy` the terms of the actions taken (for the
/// action table without the epsilon mixture: the policy gradient uses the
/// network's softmax, as the thesis), `values` [B], `returns` [B].
A2CLoss a2c_loss(const PolicyTerms& policy, const torch::Tensor& values, const torch::Tensor& returns, double beta);

/// The acting and saving half of the actor-critic learners (A2C, PPO): the
/// ActorCritic network (widths from train.network), the policy train.policy
/// chooses (epsilon-mixed sampling of the action table, train.epsilon, or
/// continuous quotes, train.gaussian), the settings epsilon and beta
/// (train.beta), and checkpoints of the network (model.pt). A learner adds
/// its name, metrics and update.
class ActorCriticAlgorithm : public Algorithm {
 public:
  ActorCriticAlgorithm(const TrainConfig& config, std::int64_t observation_size, std::int64_t actions,
                       const torch::Device& device);

  ActorStep act(const torch::Tensor& observations, const torch::Tensor& uniforms, double frame) override;
  torch::Tensor value(const torch::Tensor& observations) override;
  std::int64_t action_dims() const override;
  std::int64_t uniforms_per_env() const override;
  std::vector<Setting> settings(double frame) const override;
  std::vector<torch::Tensor> parameters() override { return network_->parameters(); }
  torch::Tensor logits(const torch::Tensor& observations) override;
  torch::Tensor quotes(const torch::Tensor& observations, const torch::Tensor& uniforms) override;
  std::string describe_settings(const std::vector<Setting>& settings) const override;
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir, const torch::Device& device) override;
  /// The network (for inspection; the learner owns it).
  ActorCritic& network() { return network_; }

 protected:
  /// The policy terms of `actions` (a rollout's, flattened to [B] or [B, 2])
  /// under the network's output `out`; epsilon mixes the action table's
  /// sampling (unused by continuous quotes).
  PolicyTerms policy_terms(const ActorCriticImpl::Output& out, const torch::Tensor& actions, double epsilon) const;

  TrainConfig config_;
  ActorCritic network_;
};

/// A2C: one gradient step per rollout on the n-step returns (train.gamma)
/// with the entropy bonus train.beta.
class A2C final : public ActorCriticAlgorithm {
 public:
  using ActorCriticAlgorithm::ActorCriticAlgorithm;

  std::string name() const override { return to_string(AlgorithmKind::a2c); }
  std::vector<std::string> metric_names() const override;
  std::vector<torch::Tensor> update(const Rollout& rollout, const UpdateContext& at, const GradientStep& step) override;
  std::string describe_metrics(const std::vector<double>& metrics) const override;
};

}  // namespace mmsim::train
