#include "mmsim/train/ppo.hpp"

#include <limits>
#include <optional>

#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/device.hpp"

namespace mmsim::train {

torch::Tensor gae_advantages(const torch::Tensor& rewards, const torch::Tensor& values,
                             const torch::Tensor& terminated, const torch::Tensor& truncated,
                             const torch::Tensor& truncation_values, const torch::Tensor& last_values, double gamma,
                             double lambda) {
  MMSIM_ASSERT(rewards.dim() == 2 && values.sizes() == rewards.sizes() && terminated.sizes() == rewards.sizes() &&
                   truncated.sizes() == rewards.sizes() && truncation_values.sizes() == rewards.sizes() &&
                   last_values.dim() == 1 && last_values.size(0) == rewards.size(1),
               "gae_advantages: [n, N] inputs and last_values [N]");
  const auto options = rewards.options();
  const torch::Tensor done = terminated.to(torch::kBool);
  const torch::Tensor cut = truncated.to(torch::kBool);
  const torch::Tensor ended = torch::logical_or(done, cut);
  torch::Tensor advantages = torch::empty_like(rewards);
  torch::Tensor next_value = last_values.to(options);
  torch::Tensor next_advantage = torch::zeros_like(next_value);
  for (std::int64_t t = rewards.size(0) - 1; t >= 0; --t) {
    const torch::Tensor delta =
        rewards[t] + gamma * value_after_step(done[t], cut[t], truncation_values[t], next_value) - values[t];
    // An episode that ended at t passes nothing of the next episode's advantage back.
    next_advantage = delta + gamma * lambda * torch::where(ended[t], torch::zeros_like(next_advantage), next_advantage);
    advantages[t] = next_advantage;
    next_value = values[t];
  }
  return advantages;
}

torch::Tensor minibatch_order(std::uint64_t seed, std::int64_t update, std::int64_t epoch, std::int64_t samples,
                              const torch::Device& device) {
  torch::Tensor keys = torch::empty({samples}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  fill_counter_uniforms(keys, seed, static_cast<std::uint64_t>(update), static_cast<std::uint32_t>(epoch),
                        RngPurpose::minibatch);
  // Stable: equal keys (about one pair in 2^53 / samples^2) keep the sample order on every device.
  return std::get<1>(keys.sort(/*stable=*/std::optional<bool>(true), /*dim=*/0, /*descending=*/false));
}

PpoLoss ppo_loss(const PpoBatch& batch, const PpoConfig& config, double beta) {
  const torch::Tensor log_ratio = batch.policy.log_probs - batch.old_log_probs;
  const torch::Tensor ratio = log_ratio.exp();
  const double c = config.clip_ratio;
  PpoLoss loss;
  loss.policy =
      -torch::min(ratio * batch.advantages, ratio.clamp(1 - c, 1 + c) * batch.advantages).mean();
  torch::Tensor value_error = (batch.values - batch.returns).pow(2);
  if (config.value_clip > 0) {
    const torch::Tensor clipped =
        batch.old_values + (batch.values - batch.old_values).clamp(-config.value_clip, config.value_clip);
    value_error = torch::max(value_error, (clipped - batch.returns).pow(2));
  }
  loss.value = value_error.mean();
  loss.entropy = batch.policy.entropy;
  loss.total = loss.policy + config.value_coef * loss.value - beta * loss.entropy;
  {
    torch::NoGradGuard no_grad;
    loss.approx_kl = ((ratio - 1) - log_ratio).mean();
    loss.clip_fraction = ((ratio - 1).abs() > c).to(ratio.scalar_type()).mean();
  }
  return loss;
}

torch::Tensor explained_variance(const torch::Tensor& values, const torch::Tensor& returns) {
  const torch::Tensor v = values.to(torch::kFloat64).reshape({-1});
  const torch::Tensor r = returns.to(torch::kFloat64).reshape({-1});
  const torch::Tensor spread = r.var(/*unbiased=*/false);
  const torch::Tensor explained = 1 - (r - v).var(/*unbiased=*/false) / spread;
  return torch::where(spread > 0, explained, torch::full_like(explained, std::numeric_limits<double>::quiet_NaN()));
}

std::vector<std::string> Ppo::metric_names() const {
  return {"advantage", "value",     "policy_loss",   "value_loss",        "entropy",
          "total_loss", "approx_kl", "clip_fraction", "explained_variance"};
}

std::vector<torch::Tensor> Ppo::update(const Rollout& rollout, const UpdateContext& at, const GradientStep& step) {
  const PpoConfig& ppo = config_.ppo;
  const double epsilon = config_.epsilon.at(at.frame);
  const double beta = config_.beta.at(at.frame);
  const torch::Tensor advantages =
      gae_advantages(rollout.rewards, rollout.values, rollout.terminated, rollout.truncated,
                     rollout.truncation_values, rollout.last_values, config_.gamma, ppo.gae_lambda)
          .reshape({-1});
  const torch::Tensor old_values = rollout.values.reshape({-1});
  const torch::Tensor returns = advantages + old_values;
  const std::int64_t samples = advantages.size(0);
  const torch::Tensor obs = rollout.obs.reshape({samples, -1});
  const torch::Tensor actions = rollout.actions.flatten(0, 1);
  const torch::Tensor old_log_probs = rollout.log_probs.reshape({-1});

  const auto metric = [](const torch::Tensor& t) { return t.detach().to(torch::kFloat64); };
  std::vector<torch::Tensor> sums(6, zero_sum(advantages.device()));
  for (std::int64_t epoch = 0; epoch < ppo.epochs; ++epoch) {
    const torch::Tensor order = minibatch_order(at.seed, at.update, epoch, samples, advantages.device());
    for (const torch::Tensor& index : order.tensor_split(ppo.minibatches)) {
      const ActorCriticImpl::Output out = network_->forward(obs.index_select(0, index));
      PpoBatch batch{policy_terms(out, actions.index_select(0, index), epsilon),
                     out.value,
                     old_log_probs.index_select(0, index),
                     old_values.index_select(0, index),
                     advantages.index_select(0, index),
                     returns.index_select(0, index)};
      if (ppo.normalize_advantages) {
        batch.advantages = (batch.advantages - batch.advantages.mean()) / (batch.advantages.std(false) + 1e-8);
      }
      const PpoLoss loss = ppo_loss(batch, ppo, beta);
      step(loss.total);
      const torch::Tensor parts[] = {loss.policy, loss.value, loss.entropy, loss.total, loss.approx_kl,
                                     loss.clip_fraction};
      for (std::size_t k = 0; k < sums.size(); ++k) sums[k] = sums[k] + metric(parts[k]);
    }
  }
  const double steps = static_cast<double>(ppo.epochs * ppo.minibatches);
  std::vector<torch::Tensor> metrics = {metric(advantages).mean(), metric(old_values).mean()};
  for (const torch::Tensor& sum : sums) metrics.push_back(sum / steps);
  metrics.push_back(explained_variance(old_values, returns));
  return metrics;
}

std::string Ppo::describe_metrics(const std::vector<double>& m) const {
  return format("loss %9.4g (pi %.3g, v %.3g)  entropy %.3f  kl %.2g  clipped %.2f  ev %.2f", m[5], m[2], m[3], m[4],
                m[6], m[7], m[8]);
}

}  // namespace mmsim::train
