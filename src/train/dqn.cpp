#include "mmsim/train/dqn.hpp"

#include <torch/nn/functional/loss.h>
#include <torch/serialize.h>

#include <sstream>

#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/torch_files.hpp"

namespace mmsim::train {
namespace {

constexpr char kFile[] = "dqn.pt";

/// x[t + k] at row t, zeros where t + k runs past the rollout.
torch::Tensor shifted(const torch::Tensor& x, std::int64_t k) {
  if (k == 0) return x;
  return torch::cat({x.slice(0, k), torch::zeros_like(x.slice(0, 0, k))});
}

}  // namespace

QNetworkImpl::QNetworkImpl(std::int64_t observation_size, std::int64_t actions, const NetworkConfig& config,
                           bool dueling) {
  shared_ = register_module("shared", torch::nn::Linear(observation_size, config.shared));
  advantage_hidden_ = register_module("advantage_hidden", torch::nn::Linear(config.shared, config.policy_hidden));
  advantage_out_ = register_module("advantage_out", torch::nn::Linear(config.policy_hidden, actions));
  if (dueling) {
    value_hidden_ = register_module("value_hidden", torch::nn::Linear(config.shared, config.value_hidden));
    value_out_ = register_module("value_out", torch::nn::Linear(config.value_hidden, 1));
  }
  activation_ = register_module("activation", torch::nn::LeakyReLU());
}

torch::Tensor QNetworkImpl::forward(const torch::Tensor& observations) {
  const torch::Tensor common = activation_(shared_(observations.reshape({observations.size(0), -1})));
  const torch::Tensor advantage = advantage_out_(activation_(advantage_hidden_(common)));
  if (!value_out_) return advantage;
  const torch::Tensor value = value_out_(activation_(value_hidden_(common)));
  return value + advantage - advantage.mean(1, /*keepdim=*/true);
}

NstepTransitions nstep_transitions(const Rollout& rollout, std::int64_t n_step, double gamma) {
  const std::int64_t n = rollout.steps(), envs = rollout.envs();
  const auto device = rollout.rewards.device();
  const torch::Tensor following = next_observations(rollout);
  const torch::Tensor terminated = rollout.terminated.to(torch::kBool);
  const torch::Tensor ended = torch::logical_or(terminated, rollout.truncated.to(torch::kBool));
  const torch::Tensor step =
      torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(device)).unsqueeze(1).expand({n, envs});
  torch::Tensor returns = torch::zeros_like(rollout.rewards);
  torch::Tensor discount = torch::ones_like(rollout.rewards);
  torch::Tensor alive = torch::ones_like(terminated);
  torch::Tensor terminal = torch::zeros_like(terminated);
  torch::Tensor last = step.clone();
  for (std::int64_t k = 0; k < std::min(n_step, n); ++k) {
    const torch::Tensor valid = torch::logical_and(alive, step + k < n);
    returns = returns + torch::where(valid, discount * shifted(rollout.rewards, k), torch::zeros_like(returns));
    discount = torch::where(valid, discount * gamma, discount);
    last = torch::where(valid, step + k, last);
    terminal = torch::logical_or(terminal, torch::logical_and(valid, shifted(terminated, k)));
    // An episode that ended at t + k passes nothing of the next one back.
    alive = torch::logical_and(valid, torch::logical_not(shifted(ended, k)));
  }
  const torch::Tensor env = torch::arange(envs, step.options()).unsqueeze(0).expand({n, envs});
  NstepTransitions t;
  t.obs = rollout.obs.reshape({n * envs, -1});
  t.actions = rollout.actions.reshape({-1}).to(torch::kLong);
  t.returns = returns.reshape({-1});
  t.next_obs = following.reshape({n * envs, -1}).index_select(0, (last * envs + env).reshape({-1}));
  t.discounts = torch::where(terminal, torch::zeros_like(discount), discount).reshape({-1});
  return t;
}

PrioritizedSample prioritized_sample(const torch::Tensor& priorities, std::int64_t size, const torch::Tensor& uniforms,
                                     double alpha, double beta) {
  MMSIM_ASSERT(size >= 1 && size <= priorities.size(0), "prioritized_sample: 1 <= size <= capacity");
  const torch::Tensor weight = priorities.slice(0, 0, size).to(torch::kFloat64).pow(alpha);
  const torch::Tensor cumulative = weight.cumsum(0);
  const torch::Tensor total = cumulative.slice(0, size - 1);
  PrioritizedSample sample;
  // The first index whose cumulative weight exceeds u x total.
  sample.indices =
      torch::searchsorted(cumulative, uniforms.to(torch::kFloat64) * total, /*out_int32=*/false, /*right=*/true)
          .clamp_max(size - 1);
  const double n = static_cast<double>(size);
  const torch::Tensor largest = (n * weight.min() / total).pow(-beta);
  sample.weights = ((n * weight.index_select(0, sample.indices) / total).pow(-beta) / largest).to(torch::kFloat32);
  return sample;
}

torch::Tensor td_targets(const torch::Tensor& returns, const torch::Tensor& discounts, const torch::Tensor& online_next,
                         const torch::Tensor& target_next, bool double_q) {
  const torch::Tensor chosen = (double_q ? online_next : target_next).argmax(1, /*keepdim=*/true);
  return returns + discounts * target_next.gather(1, chosen).squeeze(1);
}

Dqn::Dqn(const TrainConfig& config, std::int64_t observation_size, std::int64_t actions, const torch::Device& device)
    : config_(config), actions_(actions), online_(observation_size, actions, config.network, config.dqn.dueling) {
  online_->to(device);
  if (config.dqn.target_network) {
    target_ = QNetwork(observation_size, actions, config.network, config.dqn.dueling);
    target_->to(device);
    torch::NoGradGuard no_grad;
    const auto from = online_->parameters();
    const auto to = target_->parameters();
    for (std::size_t k = 0; k < from.size(); ++k) to[k].copy_(from[k]);
  }
  const std::int64_t capacity = config.dqn.buffer_size;
  const auto options = torch::TensorOptions().device(device);
  obs_ = torch::zeros({capacity, observation_size}, options);
  next_obs_ = torch::zeros({capacity, observation_size}, options);
  actions_taken_ = torch::zeros({capacity}, options.dtype(torch::kLong));
  returns_ = torch::zeros({capacity}, options);
  discounts_ = torch::zeros({capacity}, options);
  priorities_ = torch::zeros({capacity}, options);
  max_priority_ = torch::ones({}, options);
  batch_uniforms_ = torch::zeros({config.dqn.batch_size}, options.dtype(torch::kFloat64));
}

ActorStep Dqn::act(const torch::Tensor& observations, const torch::Tensor& uniforms, double frame) {
  const double epsilon = config_.epsilon.at(frame);
  const torch::Tensor q = online_->forward(observations);
  const torch::Tensor greedy = q.argmax(1);
  torch::Tensor actions = greedy;
  if (epsilon > 0) {
    // Given u < epsilon, u / epsilon is uniform in [0, 1): one draw decides both.
    // Clamped before the cast: where u >= epsilon (discarded) u / epsilon may be huge.
    const torch::Tensor random = ((uniforms / epsilon).clamp_max(1.0) * static_cast<double>(actions_))
                                     .floor()
                                     .to(torch::kLong)
                                     .clamp_max(actions_ - 1);
    actions = torch::where(uniforms < epsilon, random, greedy);
  }
  const torch::Tensor probability =
      epsilon / static_cast<double>(actions_) + (1 - epsilon) * actions.eq(greedy).to(torch::kFloat64);
  return {actions.to(torch::kInt32), probability.log().to(torch::kFloat32), std::get<0>(q.max(1)), {}};
}

torch::Tensor Dqn::value(const torch::Tensor& observations) { return std::get<0>(online_->forward(observations).max(1)); }

std::vector<std::string> Dqn::metric_names() const { return {"buffer_size", "q", "td_error", "loss"}; }

std::vector<Setting> Dqn::settings(double frame) const {
  std::vector<Setting> s = {{"epsilon", config_.epsilon.at(frame)}};
  if (config_.dqn.prioritized) s.emplace_back("importance_exponent", config_.dqn.importance_exponent.at(frame));
  return s;
}

void Dqn::store(const NstepTransitions& t) {
  const std::int64_t capacity = obs_.size(0);
  // Only the newest `capacity` fit; writing more would give one entry two values.
  const std::int64_t count = std::min<std::int64_t>(t.returns.size(0), capacity);
  const std::int64_t skip = t.returns.size(0) - count;
  const torch::Tensor at =
      (torch::arange(count, torch::TensorOptions().dtype(torch::kLong).device(obs_.device())) + next_) % capacity;
  obs_.index_copy_(0, at, t.obs.slice(0, skip));
  next_obs_.index_copy_(0, at, t.next_obs.slice(0, skip));
  actions_taken_.index_copy_(0, at, t.actions.slice(0, skip));
  returns_.index_copy_(0, at, t.returns.slice(0, skip));
  discounts_.index_copy_(0, at, t.discounts.slice(0, skip));
  priorities_.index_copy_(0, at, max_priority_.expand({count}));
  next_ = (next_ + count) % capacity;
  size_ = std::min(size_ + count, capacity);
}

void Dqn::update_target() {
  const DqnConfig& dqn = config_.dqn;
  if (!target_ || gradient_steps_ % dqn.target_update_every != 0) return;
  torch::NoGradGuard no_grad;
  const auto from = online_->parameters();
  const auto to = target_->parameters();
  for (std::size_t k = 0; k < from.size(); ++k) {
    if (dqn.target_tau == 1) {
      to[k].copy_(from[k]);
    } else {
      to[k].mul_(1 - dqn.target_tau).add_(from[k], dqn.target_tau);
    }
  }
}

std::vector<torch::Tensor> Dqn::update(const Rollout& rollout, const UpdateContext& at, const GradientStep& step) {
  const DqnConfig& dqn = config_.dqn;
  {
    torch::NoGradGuard no_grad;
    store(nstep_transitions(rollout, dqn.n_step, config_.gamma));
  }
  const auto device = obs_.device();
  std::vector<torch::Tensor> sums(3, zero_sum(device));
  std::int64_t steps = 0;
  if (size_ >= dqn.learning_starts) {
    torch::Tensor& uniforms = batch_uniforms_;
    for (std::int64_t g = 0; g < dqn.gradient_steps; ++g) {
      fill_counter_uniforms(uniforms, at.seed, static_cast<std::uint64_t>(at.update), static_cast<std::uint32_t>(g),
                            RngPurpose::replay);
      torch::Tensor index;
      torch::Tensor weights;
      if (dqn.prioritized) {
        const PrioritizedSample sample = prioritized_sample(priorities_, size_, uniforms, dqn.priority_exponent,
                                                            dqn.importance_exponent.at(at.frame));
        index = sample.indices;
        weights = sample.weights;
      } else {
        index = (uniforms * static_cast<double>(size_)).floor().to(torch::kLong).clamp_max(size_ - 1);
        weights = torch::ones({dqn.batch_size}, obs_.options());
      }
      const torch::Tensor q =
          online_->forward(obs_.index_select(0, index)).gather(1, actions_taken_.index_select(0, index).unsqueeze(1))
              .squeeze(1);
      torch::Tensor target;
      {
        torch::NoGradGuard no_grad;
        const torch::Tensor next = next_obs_.index_select(0, index);
        const torch::Tensor online_next = online_->forward(next);
        const torch::Tensor target_next = target_ ? target_->forward(next) : online_next;
        target = td_targets(returns_.index_select(0, index), discounts_.index_select(0, index), online_next,
                            target_next, dqn.double_q);
      }
      const torch::Tensor error = target - q;
      const torch::Tensor elementwise =
          dqn.loss == DqnLoss::huber
              ? torch::nn::functional::huber_loss(q, target,
                                                  torch::nn::functional::HuberLossFuncOptions().reduction(torch::kNone))
              : error.pow(2);
      const torch::Tensor loss = (weights * elementwise).mean();
      step(loss);
      const torch::Tensor size_of_error = error.detach().abs();
      if (dqn.prioritized) {
        torch::NoGradGuard no_grad;
        // A transition drawn twice: the last write wins (in order on the CPU).
        const torch::Tensor priority = size_of_error + dqn.priority_epsilon;
        priorities_.index_put_({index}, priority);
        max_priority_ = torch::maximum(max_priority_, priority.max());
      }
      sums[0] = sums[0] + q.detach().mean().to(torch::kFloat64);
      sums[1] = sums[1] + size_of_error.mean().to(torch::kFloat64);
      sums[2] = sums[2] + loss.detach().to(torch::kFloat64);
      ++gradient_steps_;
      ++steps;
      update_target();
    }
  }
  std::vector<torch::Tensor> metrics = {
      torch::full({}, static_cast<double>(size_), torch::TensorOptions().dtype(torch::kFloat64).device(device))};
  for (const torch::Tensor& sum : sums) metrics.push_back(steps > 0 ? sum / static_cast<double>(steps) : sum);
  return metrics;
}

torch::Tensor Dqn::logits(const torch::Tensor& observations) {
  torch::NoGradGuard no_grad;
  const torch::Tensor q = online_->forward(observations);
  return torch::full_like(q, -1e30).scatter_(1, q.argmax(1, /*keepdim=*/true), 0.0);
}

std::string Dqn::describe_metrics(const std::vector<double>& m) const {
  return format("loss %9.4g  q %.3g  td %.3g  buffer %.0f", m[3], m[1], m[2], m[0]);
}

std::string Dqn::describe_settings(const std::vector<Setting>& s) const {
  std::string text = format("eps %.3f", s[0].second);
  if (s.size() > 1) text += format("  is-beta %.2f", s[1].second);
  return text;
}

void Dqn::save(const std::filesystem::path& dir) const {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive online;
  online_->save(online);
  archive.write("online", online);
  if (target_) {
    torch::serialize::OutputArchive target;
    target_->save(target);
    archive.write("target", target);
  }
  // The filled entries only, copied out of the buffers (a slice would save all of them).
  const bool buffer = config_.dqn.checkpoint_buffer;
  const std::int64_t saved = buffer ? size_ : 0;
  const auto filled = [&](const torch::Tensor& t) { return t.slice(0, 0, saved).clone(); };
  archive.write("obs", filled(obs_));
  archive.write("next_obs", filled(next_obs_));
  archive.write("actions", filled(actions_taken_));
  archive.write("returns", filled(returns_));
  archive.write("discounts", filled(discounts_));
  archive.write("priorities", filled(priorities_));
  archive.write("max_priority", max_priority_);
  archive.write("counters", torch::tensor({saved, buffer ? next_ : 0, gradient_steps_}, torch::kLong));
  archive.write("buffer_saved", torch::tensor(buffer));
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file(dir / kFile, bytes.str());
}

std::string Dqn::resume_note() const {
  if (!loaded_without_buffer_) return {};
  return "the checkpoint holds no replay buffer (train.dqn.checkpoint_buffer: false): it refills from empty, "
         "learning again after train.dqn.learning_starts transitions; the run does not repeat the original's "
         "updates";
}

void Dqn::load(const std::filesystem::path& dir, const torch::Device& device) {
  const std::filesystem::path file = dir / kFile;
  if (!std::filesystem::exists(file)) {
    throw Error("no DQN model in " + dir.string() + " (expected a checkpoint directory such as runs/<name>/best)");
  }
  const std::string damaged = "checkpoint " + dir.string() + " is damaged or made with another network, env or " +
                              "train.dqn config: ";
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string(), device);
    torch::serialize::InputArchive online;
    archive.read("online", online);
    online_->load(online);
    if (target_) {
      torch::serialize::InputArchive target;
      archive.read("target", target);
      target_->load(target);
    }
    torch::Tensor counters;
    archive.read("counters", counters);
    counters = counters.to(torch::kCPU);
    const std::int64_t capacity = obs_.size(0);
    if (counters.numel() != 3) throw Error(damaged + "its buffer counters are missing");
    const std::int64_t size = counters[0].item<std::int64_t>(), next = counters[1].item<std::int64_t>();
    if (size < 0 || size > capacity || next < 0 || next >= capacity) {
      throw Error(damaged + format("its buffer holds %lld transitions, this run's train.dqn.buffer_size is %lld",
                                   static_cast<long long>(size), static_cast<long long>(capacity)));
    }
    // A buffer fills from entry 0 and wraps only when full.
    if ((size < capacity && next != size) || counters[2].item<std::int64_t>() < 0) {
      throw Error(damaged + "its buffer counters disagree");
    }
    const auto read_into = [&](const char* name, torch::Tensor& buffer) {
      torch::Tensor saved;
      archive.read(name, saved);
      std::vector<std::int64_t> expected = buffer.sizes().vec();
      expected[0] = size;
      if (saved.sizes().vec() != expected || saved.scalar_type() != buffer.scalar_type()) {
        throw Error(damaged + std::string(name) + " has another shape or type");
      }
      buffer.slice(0, 0, size).copy_(saved);
    };
    read_into("obs", obs_);
    read_into("next_obs", next_obs_);
    read_into("actions", actions_taken_);
    read_into("returns", returns_);
    read_into("discounts", discounts_);
    read_into("priorities", priorities_);
    const torch::Tensor actions = actions_taken_.slice(0, 0, size).to(torch::kCPU);
    const torch::Tensor priorities = priorities_.slice(0, 0, size).to(torch::kCPU);
    if (size > 0 && (actions.min().item<std::int64_t>() < 0 || actions.max().item<std::int64_t>() >= actions_ ||
                     !(priorities > 0).all().item<bool>() || !torch::isfinite(priorities).all().item<bool>())) {
      throw Error(damaged + "its buffer holds actions outside the action table or priorities that are not positive");
    }
    torch::Tensor max_priority;
    archive.read("max_priority", max_priority);
    max_priority_ = max_priority.to(device, torch::kFloat32).reshape({});
    // Checkpoints older than train.dqn.checkpoint_buffer always held their buffer.
    torch::Tensor buffer_saved;
    const bool without_buffer = archive.try_read("buffer_saved", buffer_saved) && !buffer_saved.item<bool>();
    if (without_buffer && size != 0) throw Error(damaged + "its buffer counters disagree");
    size_ = size;
    next_ = next;
    gradient_steps_ = counters[2].item<std::int64_t>();
    loaded_without_buffer_ = without_buffer;
  } catch (const c10::Error& e) {
    throw Error(damaged + e.what_without_backtrace());
  }
}

}  // namespace mmsim::train
