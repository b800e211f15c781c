#include "mmsim/train/a2c.hpp"

#include <torch/nn/functional/activation.h>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"

namespace mmsim::train {

ActorCriticImpl::ActorCriticImpl(std::int64_t observation_size, std::int64_t actions, const NetworkConfig& config) {
  shared_ = register_module("shared", torch::nn::Linear(observation_size, config.shared));
  policy_hidden_ = register_module("policy_hidden", torch::nn::Linear(config.shared, config.policy_hidden));
  policy_out_ = register_module("policy_out", torch::nn::Linear(config.policy_hidden, actions));
  value_hidden_ = register_module("value_hidden", torch::nn::Linear(config.shared, config.value_hidden));
  value_out_ = register_module("value_out", torch::nn::Linear(config.value_hidden, 1));
  activation_ = register_module("activation", torch::nn::LeakyReLU());
}

ActorCriticImpl::Output ActorCriticImpl::forward(const torch::Tensor& observations) {
  const torch::Tensor x = observations.reshape({observations.size(0), -1});
  const torch::Tensor common = activation_(shared_(x));
  Output out;
  out.logits = policy_out_(activation_(policy_hidden_(common)));
  out.value = value_out_(activation_(value_hidden_(common))).squeeze(-1);
  return out;
}

torch::Tensor sample_actions(const torch::Tensor& logits, double epsilon, const torch::Tensor& uniforms) {
  MMSIM_ASSERT(logits.dim() == 2 && uniforms.dim() == 1 && uniforms.size(0) == logits.size(0),
               "sample_actions: logits [B, A] and uniforms [B]");
  const std::int64_t actions = logits.size(1);
  const torch::Tensor probabilities =
      torch::softmax(logits.to(torch::kFloat64), 1) * (1.0 - epsilon) + epsilon / static_cast<double>(actions);
  const torch::Tensor cumulative = probabilities.cumsum(1);
  // Count the cumulative bounds at or below u: the index of the first bound above it.
  const torch::Tensor u = uniforms.to(cumulative.options()).unsqueeze(1);
  const torch::Tensor index = (cumulative <= u).sum(1).clamp_max(actions - 1);
  return index.to(torch::kInt32);
}

torch::Tensor action_uniforms(std::uint64_t seed, std::uint64_t update, std::uint32_t step, std::int64_t envs) {
  torch::Tensor out = torch::empty({envs}, torch::TensorOptions().dtype(torch::kFloat64));
  double* data = out.data_ptr<double>();
  for (std::int64_t i = 0; i < envs; ++i) {
    data[i] = uniform01(seed, static_cast<std::uint64_t>(i), update, step, RngPurpose::action);
  }
  return out;
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
    // What follows step t: nothing after a termination, the final observation's
    // value after a truncation, else the return of step t + 1.
    torch::Tensor follow = torch::where(cut[t], truncation_values[t].to(options), next);
    follow = torch::where(done[t], torch::zeros_like(follow), follow);
    next = rewards[t] + gamma * follow;
    returns[t] = next;
  }
  return returns;
}

A2CLoss a2c_loss(const torch::Tensor& logits, const torch::Tensor& values, const torch::Tensor& actions,
                 const torch::Tensor& returns, double beta) {
  const torch::Tensor log_probabilities = torch::log_softmax(logits, 1);
  const torch::Tensor chosen = log_probabilities.gather(1, actions.to(torch::kLong).unsqueeze(1)).squeeze(1);
  const torch::Tensor advantage = (returns - values).detach();
  A2CLoss loss;
  loss.policy = -(advantage * chosen).mean();
  loss.value = (returns - values).pow(2).mean();
  loss.entropy = -(log_probabilities.exp() * log_probabilities).sum(1).mean();
  loss.total = loss.policy + loss.value - beta * loss.entropy;
  return loss;
}

}  // namespace mmsim::train
