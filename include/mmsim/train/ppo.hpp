#pragma once
// PPO (proximal policy optimisation, clipped surrogate): generalised
// advantage estimation, the minibatch order of each epoch, the loss, and the
// algorithm behind the Algorithm interface (docs/training.md, "PPO"). It
// acts like A2C (the same actor-critic network and policies) and learns from each rollout in several epochs of minibatch gradient
// steps. Everything works on tensors of any device; nothing but save() and
// load() (files) waits for the device or reads a value on the host.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "mmsim/config/train_config.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/algorithm.hpp"

namespace mmsim::train {

/// Generalised advantage estimates of a rollout of n steps over N envs
/// ([n, N] each, float32 result): with the value after step t
///   next_t = 0 if terminated_t, truncation_values_t if truncated_t,
///            values_{t+1} otherwise (last_values [N] after the last step),
///   delta_t = rewards_t + gamma x next_t - values_t,
///   A_t = delta_t + gamma x lambda x (0 if the episode ended at t, else A_{t+1}),
/// with A_n = 0. lambda = 1 gives nstep_returns - values; lambda = 0 the
/// one-step temporal difference. Flags are bool or uint8.
torch::Tensor gae_advantages(const torch::Tensor& rewards, const torch::Tensor& values,
                             const torch::Tensor& terminated, const torch::Tensor& truncated,
                             const torch::Tensor& truncation_values, const torch::Tensor& last_values, double gamma,
                             double lambda);

/// The order in which an epoch visits a rollout's `samples` samples: the
/// samples sorted by the counter-based uniforms uniform01(seed, sample,
/// update, epoch, RngPurpose::minibatch), generated on `device`, so the CPU
/// and a GPU give the same order and a resumed run repeats it. int64
/// [samples]; minibatch k of an epoch is the k-th of its `minibatches`
/// consecutive near-equal parts (torch::tensor_split).
torch::Tensor minibatch_order(std::uint64_t seed, std::int64_t update, std::int64_t epoch, std::int64_t samples,
                              const torch::Device& device);

struct PpoLoss {
  torch::Tensor total;          ///< policy + value_coef x value - beta x entropy
  torch::Tensor policy;         ///< -mean(min(r A, clip(r, 1 - c, 1 + c) A)), r = pi(a) / pi_old(a)
  torch::Tensor value;          ///< mean((V - R)^2), or mean(max of it and the clipped value's) with value_clip
  torch::Tensor entropy;        ///< the batch's PolicyTerms::entropy
  torch::Tensor approx_kl;      ///< mean((r - 1) - log r), an estimate of KL(pi_old || pi); no gradient
  torch::Tensor clip_fraction;  ///< share of samples with |r - 1| > c; no gradient
};

/// One minibatch's samples ([B] each).
struct PpoBatch {
  /// The current network's log-probabilities of the actions taken and its
  /// entropy, with gradient: for the action table, of the epsilon-mixed
  /// policy the rollout was sampled from (categorical_terms at that epsilon),
  /// so the ratio compares like with like; the entropy is the softmax's.
  PolicyTerms policy;
  torch::Tensor values;          ///< the current network's, with gradient
  torch::Tensor old_log_probs;   ///< the acting policy's (the rollout's)
  torch::Tensor old_values;      ///< the acting policy's (the rollout's)
  torch::Tensor advantages;      ///< GAE, normalised or not by the caller
  torch::Tensor returns;         ///< advantages (unnormalised) + old values
};

/// The PPO loss of a minibatch, with the entropy bonus weighted by `beta`.
PpoLoss ppo_loss(const PpoBatch& batch, const PpoConfig& config, double beta);

/// 1 - Var(returns - values) / Var(returns) over all entries (float64
/// scalar): how much of the returns' variance the values explain (1:
/// perfect, 0: no better than a constant, NaN when the returns do not vary).
torch::Tensor explained_variance(const torch::Tensor& values, const torch::Tensor& returns);

/// PPO as an Algorithm: acts as A2C (train.epsilon, train.network), learns
/// with train.ppo's epochs of minibatches on GAE advantages (train.gamma,
/// train.ppo.gae_lambda), entropy bonus train.beta.
class Ppo final : public ActorCriticAlgorithm {
 public:
  using ActorCriticAlgorithm::ActorCriticAlgorithm;

  std::string name() const override { return to_string(AlgorithmKind::ppo); }
  std::vector<std::string> metric_names() const override;
  std::vector<torch::Tensor> update(const Rollout& rollout, const UpdateContext& at, const GradientStep& step) override;
  std::string describe_metrics(const std::vector<double>& metrics) const override;
};

}  // namespace mmsim::train
