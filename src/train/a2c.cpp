#include "mmsim/train/a2c.hpp"

#include <torch/nn/functional/activation.h>
#include <torch/serialize.h>

#include <cmath>

#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/gaussian.hpp"
#include "mmsim/train/torch_files.hpp"

namespace mmsim::train {

ActorCriticImpl::ActorCriticImpl(std::int64_t observation_size, std::int64_t policy_outputs,
                                 const NetworkConfig& config, std::optional<double> initial_log_std) {
  shared_ = register_module("shared", torch::nn::Linear(observation_size, config.shared));
  policy_hidden_ = register_module("policy_hidden", torch::nn::Linear(config.shared, config.policy_hidden));
  policy_out_ = register_module("policy_out", torch::nn::Linear(config.policy_hidden, policy_outputs));
  value_hidden_ = register_module("value_hidden", torch::nn::Linear(config.shared, config.value_hidden));
  value_out_ = register_module("value_out", torch::nn::Linear(config.value_hidden, 1));
  activation_ = register_module("activation", torch::nn::LeakyReLU());
  if (initial_log_std) {
    log_std_ = register_parameter("log_std", torch::full({policy_outputs}, raw_log_std(*initial_log_std)));
  }
}

ActorCriticImpl::Output ActorCriticImpl::forward(const torch::Tensor& observations) {
  const torch::Tensor x = observations.reshape({observations.size(0), -1});
  const torch::Tensor common = activation_(shared_(x));
  Output out;
  out.policy = policy_out_(activation_(policy_hidden_(common)));
  out.value = value_out_(activation_(value_hidden_(common))).squeeze(-1);
  if (log_std_.defined()) out.log_std = bounded_log_std(log_std_);
  return out;
}

torch::Tensor mixture_log_probabilities(const torch::Tensor& logits, double epsilon) {
  const torch::Tensor greedy = torch::log_softmax(logits, 1) + std::log1p(-epsilon);
  if (epsilon == 0) return greedy;
  return torch::logaddexp(greedy, torch::full_like(greedy, std::log(epsilon / static_cast<double>(logits.size(1)))));
}

SampledActions sample_actions_with_log_probs(const torch::Tensor& logits, double epsilon,
                                             const torch::Tensor& uniforms) {
  MMSIM_ASSERT(logits.dim() == 2 && uniforms.dim() == 1 && uniforms.size(0) == logits.size(0),
               "sample_actions: logits [B, A] and uniforms [B]");
  const std::int64_t actions = logits.size(1);
  const torch::Tensor log_probabilities = mixture_log_probabilities(logits.to(torch::kFloat64), epsilon);
  const torch::Tensor cumulative = log_probabilities.exp().cumsum(1);
  // Count the cumulative bounds at or below u: the index of the first bound above it.
  const torch::Tensor u = uniforms.to(cumulative.options()).unsqueeze(1);
  const torch::Tensor index = (cumulative <= u).sum(1).clamp_max(actions - 1);
  SampledActions sampled;
  sampled.actions = index.to(torch::kInt32);
  sampled.log_probs = log_probabilities.gather(1, index.unsqueeze(1)).squeeze(1).to(torch::kFloat32);
  return sampled;
}

torch::Tensor sample_actions(const torch::Tensor& logits, double epsilon, const torch::Tensor& uniforms) {
  return sample_actions_with_log_probs(logits, epsilon, uniforms).actions;
}

torch::Tensor nstep_returns(const torch::Tensor& rewards, const torch::Tensor& terminated,
                            const torch::Tensor& truncated, const torch::Tensor& truncation_values,
                            const torch::Tensor& last_values, double gamma) {
  MMSIM_ASSERT(rewards.dim() == 2 && terminated.sizes() == rewards.sizes() && truncated.sizes() == rewards.sizes() &&
                   truncation_values.sizes() == rewards.sizes() && last_values.dim() == 1 &&
                   last_values.size(0) == rewards.size(1),
               "nstep_returns: [n, N] inputs and last_values [N]");
  const auto options = rewards.options();
  const torch::Tensor done = terminated.to(torch::kBool);
  const torch::Tensor cut = truncated.to(torch::kBool);
  torch::Tensor returns = torch::empty_like(rewards);
  torch::Tensor next = last_values.to(options);
  for (std::int64_t t = rewards.size(0) - 1; t >= 0; --t) {
    next = rewards[t] + gamma * value_after_step(done[t], cut[t], truncation_values[t], next);
    returns[t] = next;
  }
  return returns;
}

torch::Tensor mean_entropy(const torch::Tensor& log_probabilities) {
  return -(log_probabilities.exp() * log_probabilities).sum(1).mean();
}

PolicyTerms categorical_terms(const torch::Tensor& logits, const torch::Tensor& actions, double epsilon) {
  const torch::Tensor mixture = mixture_log_probabilities(logits, epsilon);
  PolicyTerms terms;
  terms.log_probs = mixture.gather(1, actions.to(torch::kLong).unsqueeze(1)).squeeze(1);
  // Without the mixture the log-probabilities are the softmax's: one graph node serves both terms.
  terms.entropy = mean_entropy(epsilon == 0 ? mixture : torch::log_softmax(logits, 1));
  return terms;
}

PolicyTerms gaussian_terms(const torch::Tensor& means, const torch::Tensor& log_std, const torch::Tensor& actions,
                           const GaussianConfig& config) {
  return {squashed_log_probs(actions, means, log_std, config), gaussian_entropy(log_std)};
}

A2CLoss a2c_loss(const PolicyTerms& policy, const torch::Tensor& values, const torch::Tensor& returns, double beta) {
  const torch::Tensor advantage = (returns - values).detach();
  A2CLoss loss;
  loss.policy = -(advantage * policy.log_probs).mean();
  loss.value = (returns - values).pow(2).mean();
  loss.entropy = policy.entropy;
  loss.total = loss.policy + loss.value - beta * loss.entropy;
  return loss;
}

namespace {

bool continuous(const TrainConfig& config) { return config.policy == PolicyKind::gaussian; }

}  // namespace

ActorCriticAlgorithm::ActorCriticAlgorithm(const TrainConfig& config, std::int64_t observation_size,
                                           std::int64_t actions, const torch::Device& device)
    : config_(config),
      network_(observation_size, continuous(config) ? kQuoteDims : actions, config.network,
               continuous(config) ? std::optional<double>(config.gaussian.initial_log_std) : std::nullopt) {
  network_->to(device);
}

std::int64_t ActorCriticAlgorithm::action_dims() const { return continuous(config_) ? kQuoteDims : 0; }

std::int64_t ActorCriticAlgorithm::uniforms_per_env() const { return continuous(config_) ? kQuoteDims : 1; }

ActorStep ActorCriticAlgorithm::act(const torch::Tensor& observations, const torch::Tensor& uniforms, double frame) {
  const ActorCriticImpl::Output out = network_->forward(observations);
  if (continuous(config_)) {
    const torch::Tensor u = sample_unsquashed(out.policy, out.log_std, uniforms);
    const torch::Tensor log_probs = squashed_log_probs(u, out.policy, out.log_std, config_.gaussian);
    return {u, log_probs, out.value, quote_rows(squash_offsets(u, config_.gaussian), config_.gaussian)};
  }
  const SampledActions sampled = sample_actions_with_log_probs(out.policy, config_.epsilon.at(frame), uniforms);
  return {sampled.actions, sampled.log_probs, out.value, {}};
}

PolicyTerms ActorCriticAlgorithm::policy_terms(const ActorCriticImpl::Output& out, const torch::Tensor& actions,
                                               double epsilon) const {
  if (continuous(config_)) return gaussian_terms(out.policy, out.log_std, actions, config_.gaussian);
  return categorical_terms(out.policy, actions, epsilon);
}

torch::Tensor ActorCriticAlgorithm::value(const torch::Tensor& observations) {
  return network_->forward(observations).value;
}

std::vector<std::string> A2C::metric_names() const {
  return {"advantage", "value", "policy_loss", "value_loss", "entropy", "total_loss"};
}

std::vector<Setting> ActorCriticAlgorithm::settings(double frame) const {
  // Continuous quotes explore by their learnt standard deviation, not epsilon.
  if (continuous(config_)) return {{"beta", config_.beta.at(frame)}};
  return {{"epsilon", config_.epsilon.at(frame)}, {"beta", config_.beta.at(frame)}};
}

std::vector<torch::Tensor> A2C::update(const Rollout& rollout, const UpdateContext& at, const GradientStep& step) {
  const torch::Tensor returns = nstep_returns(rollout.rewards, rollout.terminated, rollout.truncated,
                                              rollout.truncation_values, rollout.last_values, config_.gamma);
  const auto policy = network_->forward(rollout.obs.reshape({rollout.steps() * rollout.envs(), -1}));
  const A2CLoss loss = a2c_loss(policy_terms(policy, rollout.actions.flatten(0, 1), 0.0), policy.value,
                                returns.reshape({-1}), config_.beta.at(at.frame));
  step(loss.total);
  const auto metric = [](const torch::Tensor& t) { return t.detach().to(torch::kFloat64); };
  return {metric(returns.reshape({-1}) - policy.value).mean(), metric(policy.value).mean(), metric(loss.policy),
          metric(loss.value), metric(loss.entropy), metric(loss.total)};
}

torch::Tensor ActorCriticAlgorithm::logits(const torch::Tensor& observations) {
  MMSIM_ASSERT(!continuous(config_), "logits() of a policy of continuous quotes: evaluate it through quotes()");
  torch::NoGradGuard no_grad;
  return network_->forward(observations).policy;
}

torch::Tensor ActorCriticAlgorithm::quotes(const torch::Tensor& observations, const torch::Tensor& uniforms) {
  if (!continuous(config_)) return Algorithm::quotes(observations, uniforms);
  torch::NoGradGuard no_grad;
  const ActorCriticImpl::Output out = network_->forward(observations);
  const torch::Tensor u = uniforms.defined() ? sample_unsquashed(out.policy, out.log_std, uniforms) : out.policy;
  return quote_rows(squash_offsets(u, config_.gaussian), config_.gaussian);
}

std::string A2C::describe_metrics(const std::vector<double>& m) const {
  return format("loss %9.4g (pi %.3g, v %.3g)  entropy %.3f", m[5], m[2], m[3], m[4]);
}

std::string ActorCriticAlgorithm::describe_settings(const std::vector<Setting>& s) const {
  if (continuous(config_)) return format("beta %.4f", s[0].second);
  return format("eps %.3f  beta %.4f", s[0].second, s[1].second);
}

void ActorCriticAlgorithm::save(const std::filesystem::path& dir) const { save_torch(network_, dir / "model.pt"); }

void ActorCriticAlgorithm::load(const std::filesystem::path& dir, const torch::Device& device) {
  if (!std::filesystem::exists(dir / "model.pt")) {
    throw Error("no model in " + dir.string() + " (expected a checkpoint directory such as runs/<name>/best)");
  }
  const std::string mismatch = "checkpoint " + dir.string() + " is damaged or made with another network, env or " +
                               "train.policy config: ";
  // Loading replaces each parameter whatever its shape: compare with this network's.
  std::vector<std::vector<std::int64_t>> shapes;
  for (const torch::Tensor& p : network_->parameters()) shapes.push_back(p.sizes().vec());
  try {
    // Onto this algorithm's device, whichever device saved it.
    torch::load(network_, (dir / "model.pt").string(), device);
  } catch (const c10::Error& e) {
    throw Error(mismatch + e.what_without_backtrace());
  }
  const std::vector<torch::Tensor> loaded = network_->parameters();
  for (std::size_t k = 0; k < loaded.size(); ++k) {
    if (loaded[k].sizes().vec() != shapes[k]) {
      throw Error(mismatch + "parameter " + std::to_string(k) + " has another shape");
    }
  }
}

}  // namespace mmsim::train
