#include "mmsim/train/trainer.hpp"

#include <torch/serialize.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/train/device.hpp"

namespace mmsim::train {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// A view of an env output buffer as a tensor on the env's device (no copy).
torch::Tensor view(void* data, std::vector<std::int64_t> shape, torch::ScalarType type, const torch::Device& device) {
  return torch::from_blob(data, shape, torch::TensorOptions().dtype(type).device(device));
}

// Format 2: env state with the latency buffers (orders in flight).
constexpr const char* kCheckpointMagic = "mmsim-checkpoint-3";
constexpr const char* kCheckpointMagicPrefix = "mmsim-checkpoint-";

}  // namespace

Trainer::Trainer(const Config& config, BatchEnv& env)
    : config_(config),
      env_(env),
      frames_per_update_(config.train.num_envs * config.train.rollout_steps),
      device_(device_of(env)),
      stream_(device_.is_cuda() ? current_stream() : StreamHandle{}),
      network_(env.observation_size(), env.action_count(),
               NetworkConfig{config.train.shared, config.train.policy_hidden, config.train.value_hidden}) {
  validate(config.train);
  if (env.num_envs() != config.train.num_envs) {
    throw ConfigError("train.num_envs", "the env batch has " + std::to_string(env.num_envs()) + " envs, the config " +
                                            std::to_string(config.train.num_envs));
  }
  // Deterministic initial weights for the run's seed.
  torch::manual_seed(config.seed);
  network_ = ActorCritic(env.observation_size(), env.action_count(),
                         NetworkConfig{config.train.shared, config.train.policy_hidden, config.train.value_hidden});
  network_->to(device_);
  parameters_ = network_->parameters();
  optimizer_ = std::make_unique<torch::optim::Adam>(parameters_,
                                                    torch::optim::AdamOptions(config.train.learning_rate));
  const std::int64_t n = config.train.rollout_steps, envs = config.train.num_envs;
  const auto on_device = torch::TensorOptions().device(device_);
  obs_ = torch::zeros({n, envs, env.observation_size()}, on_device);
  actions_ = torch::zeros({n, envs}, on_device.dtype(torch::kInt32));
  rewards_ = torch::zeros({n, envs}, on_device);
  terminated_ = torch::zeros({n, envs}, on_device.dtype(torch::kUInt8));
  truncated_ = torch::zeros({n, envs}, on_device.dtype(torch::kUInt8));
  truncation_values_ = torch::zeros({n, envs}, on_device);
  uniforms_ = torch::zeros({envs}, on_device.dtype(torch::kFloat64));
  // Views of the env's output buffers, which live as long as the env.
  const EnvOutputViews& out = env.outputs();
  const std::int64_t obs_size = env.observation_size();
  env_obs_ = view(out.obs, {envs, obs_size}, torch::kFloat32, device_);
  env_final_obs_ = view(out.final_obs, {envs, obs_size}, torch::kFloat32, device_);
  env_reward_ = view(out.reward, {envs}, torch::kFloat32, device_);
  env_terminated_ = view(out.terminated, {envs}, torch::kUInt8, device_);
  env_truncated_ = view(out.truncated, {envs}, torch::kUInt8, device_);
  env_episode_pnl_ = view(out.episode_pnl, {envs}, torch::kFloat64, device_);
  env_episode_length_ = view(out.episode_length, {envs}, torch::kInt32, device_);
  reset_accumulators();
  seconds_at_read_ = now_seconds();
}

StreamHandle Trainer::env_stream() const {
  if (!device_.is_cuda()) return {};
  // Work on another stream would not be ordered with the env's (its memory
  // was allocated and reset on the stream current when it was made).
  MMSIM_ASSERT(current_stream().handle == stream_.handle,
               "a CUDA trainer must be used with the CUDA stream it was made on as torch's current stream");
  return stream_;
}

void Trainer::reset_accumulators() {
  for (torch::Tensor* t : {&sum_episode_pnl_, &sum_episode_length_, &sum_episodes_, &sum_reward_, &sum_advantage_,
                           &sum_value_, &sum_policy_, &sum_value_loss_, &sum_entropy_, &sum_total_, &sum_grad_l2_,
                           &sum_grad_max_, &sum_grad_var_}) {
    *t = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device_));
  }
  updates_since_read_ = 0;
}

void Trainer::update() {
  const TrainConfig& tc = config_.train;
  const std::int64_t n = tc.rollout_steps, envs = tc.num_envs;
  const std::int64_t obs_size = env_.observation_size();
  const double frame = static_cast<double>(frames());
  const double epsilon = tc.epsilon.at(frame);
  const double beta = tc.beta.at(frame);
  // The env steps on torch's current stream: its kernels and the tensor work
  // are ordered without any synchronisation.
  const StreamHandle stream = env_stream();

  end_phase(nullptr);
  {
    torch::NoGradGuard no_grad;
    for (std::int64_t t = 0; t < n; ++t) {
      obs_[t].copy_(env_obs_);
      end_phase(&UpdatePhaseSeconds::copies);
      const auto policy = network_->forward(obs_[t]);
      fill_action_uniforms(uniforms_, config_.seed, static_cast<std::uint64_t>(updates_), static_cast<std::uint32_t>(t));
      actions_[t].copy_(sample_actions(policy.logits, epsilon, uniforms_));
      end_phase(&UpdatePhaseSeconds::forward);
      env_.step(actions_[t].data_ptr<std::int32_t>(), stream);
      end_phase(&UpdatePhaseSeconds::env);
      rewards_[t].copy_(env_reward_);
      terminated_[t].copy_(env_terminated_);
      truncated_[t].copy_(env_truncated_);
      if (!config_.env.liquidate_at_end) {
        end_phase(&UpdatePhaseSeconds::copies);
        truncation_values_[t].copy_(network_->forward(env_final_obs_).value);
        end_phase(&UpdatePhaseSeconds::forward);
      }
      const torch::Tensor ended = torch::logical_or(env_terminated_, env_truncated_);
      sum_episodes_ += ended.sum();
      const torch::Tensor running = ended.logical_not();
      sum_episode_pnl_ += env_episode_pnl_.masked_fill(running, 0).sum();
      sum_episode_length_ += env_episode_length_.masked_fill(running, 0).sum();
      end_phase(&UpdatePhaseSeconds::copies);
    }
  }
  torch::Tensor last_values;
  {
    torch::NoGradGuard no_grad;
    last_values = network_->forward(env_obs_).value;
  }
  end_phase(&UpdatePhaseSeconds::forward);
  const torch::Tensor returns =
      nstep_returns(rewards_, terminated_, truncated_, truncation_values_, last_values, tc.gamma);

  const auto policy = network_->forward(obs_.reshape({n * envs, obs_size}));
  const A2CLoss loss = a2c_loss(policy.logits, policy.value, actions_.reshape({-1}), returns.reshape({-1}), beta);
  optimizer_->zero_grad();
  end_phase(&UpdatePhaseSeconds::loss);
  loss.total.backward();
  end_phase(&UpdatePhaseSeconds::backward);

  // Gradient statistics and clipping as tensor work (clip_grad_norm_ would read the norm on the host).
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters_) {
    if (p.grad().defined()) grads.push_back(p.grad().reshape({-1}));
  }
  const torch::Tensor all = torch::cat(grads);
  const torch::Tensor l2 = all.norm();
  sum_grad_l2_ += l2.to(torch::kFloat64);
  sum_grad_max_ += all.abs().max().to(torch::kFloat64);
  sum_grad_var_ += all.var().to(torch::kFloat64);
  if (tc.clip == ClipKind::norm) {
    const torch::Tensor scale = (tc.clip_max / (l2 + 1e-6)).clamp_max(1.0);
    for (const auto& p : parameters_) {
      if (p.grad().defined()) p.grad().mul_(scale);
    }
  } else {
    for (const auto& p : parameters_) {
      if (p.grad().defined()) p.grad().clamp_(-tc.clip_max, tc.clip_max);
    }
  }
  end_phase(&UpdatePhaseSeconds::clipping);
  const double lr = decayed_learning_rate(tc.learning_rate, tc.learning_rate_decay, tc.min_learning_rate, updates_);
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  optimizer_->step();

  sum_reward_ += rewards_.to(torch::kFloat64).mean();
  sum_advantage_ += (returns.reshape({-1}) - policy.value).detach().to(torch::kFloat64).mean();
  sum_value_ += policy.value.detach().to(torch::kFloat64).mean();
  sum_policy_ += loss.policy.detach().to(torch::kFloat64);
  sum_value_loss_ += loss.value.detach().to(torch::kFloat64);
  sum_entropy_ += loss.entropy.detach().to(torch::kFloat64);
  sum_total_ += loss.total.detach().to(torch::kFloat64);
  end_phase(&UpdatePhaseSeconds::optimiser);
  if (timing_phases_) ++phases_.updates;
  ++updates_;
  ++updates_since_read_;
}

void Trainer::set_phase_timing(bool on) {
  timing_phases_ = on;
  if (on) phases_ = UpdatePhaseSeconds{};
}

void Trainer::end_phase(double UpdatePhaseSeconds::*phase) {
  if (!timing_phases_) return;
  synchronize_current_stream(device_);
  const double now = now_seconds();
  if (phase != nullptr) phases_.*phase += now - phase_start_;
  phase_start_ = now;
}

TrainMetrics Trainer::read_metrics() {
  env_.check_faults(env_stream());
  TrainMetrics m;
  m.update = updates_;
  m.frames = frames();
  const double now = now_seconds();
  m.frames_per_second = static_cast<double>(m.frames - frames_at_read_) / std::max(now - seconds_at_read_, 1e-9);
  const double u = static_cast<double>(std::max<std::int64_t>(updates_since_read_, 1));
  m.episodes = static_cast<std::int64_t>(sum_episodes_.item<double>());
  m.episode_pnl = m.episodes > 0 ? sum_episode_pnl_.item<double>() / static_cast<double>(m.episodes) : std::nan("");
  m.episode_length = m.episodes > 0 ? sum_episode_length_.item<double>() / static_cast<double>(m.episodes) : std::nan("");
  m.reward = sum_reward_.item<double>() / u;
  m.advantage = sum_advantage_.item<double>() / u;
  m.value = sum_value_.item<double>() / u;
  m.policy_loss = sum_policy_.item<double>() / u;
  m.value_loss = sum_value_loss_.item<double>() / u;
  m.entropy = sum_entropy_.item<double>() / u;
  m.total_loss = sum_total_.item<double>() / u;
  m.gradient_l2 = sum_grad_l2_.item<double>() / u;
  m.gradient_max = sum_grad_max_.item<double>() / u;
  m.gradient_variance = sum_grad_var_.item<double>() / u;
  const TrainConfig& tc = config_.train;
  m.learning_rate = decayed_learning_rate(tc.learning_rate, tc.learning_rate_decay, tc.min_learning_rate, updates_);
  m.epsilon = tc.epsilon.at(static_cast<double>(m.frames));
  m.beta = tc.beta.at(static_cast<double>(m.frames));
  reset_accumulators();
  seconds_at_read_ = now;
  frames_at_read_ = m.frames;
  return m;
}

void Trainer::save_checkpoint(const std::filesystem::path& dir) {
  std::random_device entropy;
  const std::filesystem::path temporary = dir.string() + ".tmp" + std::to_string(entropy());
  std::filesystem::create_directories(temporary);
  torch::save(network_, (temporary / "model.pt").string());
  torch::save(*optimizer_, (temporary / "optimizer.pt").string());
  {
    const std::vector<std::uint8_t> state = env_.save_state(env_stream());
    std::ofstream out(temporary / "env.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(state.data()), static_cast<std::streamsize>(state.size()));
    if (!out) throw Error("cannot write " + (temporary / "env.bin").string());
  }
  {
    std::ofstream out(temporary / "trainer.txt");
    out << kCheckpointMagic << '\n' << updates_ << '\n' << config_hash(config_) << '\n';
    if (!out) throw Error("cannot write " + (temporary / "trainer.txt").string());
  }
  replace_directory(temporary, dir);
}

void Trainer::load_checkpoint(const std::filesystem::path& dir) {
  std::ifstream meta(dir / "trainer.txt");
  std::string magic;
  std::int64_t updates = -1;
  std::uint64_t hash = 0;
  const bool read = static_cast<bool>(meta >> magic >> updates >> hash);
  if (read && magic != kCheckpointMagic && magic.rfind(kCheckpointMagicPrefix, 0) == 0) {
    throw Error("checkpoint " + dir.string() + " was written by another version of mmsim (" + magic +
                "; this version reads " + kCheckpointMagic + ")");
  }
  if (!read || magic != kCheckpointMagic || updates < 0) {
    throw Error("checkpoint " + dir.string() + " is missing or damaged (trainer.txt)");
  }
  std::ifstream env_file(dir / "env.bin", std::ios::binary);
  const std::vector<std::uint8_t> state((std::istreambuf_iterator<char>(env_file)), std::istreambuf_iterator<char>());
  // Load into fresh objects first, so a damaged checkpoint leaves the trainer unchanged.
  ActorCritic network(env_.observation_size(), env_.action_count(),
                      NetworkConfig{config_.train.shared, config_.train.policy_hidden, config_.train.value_hidden});
  network->to(device_);
  auto optimizer = std::make_unique<torch::optim::Adam>(network->parameters(),
                                                        torch::optim::AdamOptions(config_.train.learning_rate));
  try {
    // Onto this trainer's device, whichever device saved them.
    torch::load(network, (dir / "model.pt").string(), device_);
    torch::load(*optimizer, (dir / "optimizer.pt").string(), device_);
  } catch (const c10::Error& e) {
    throw Error("checkpoint " + dir.string() + " is damaged or made with another network: " + e.what_without_backtrace());
  }
  env_.load_state(state, env_stream());
  network_ = network;
  parameters_ = network_->parameters();
  optimizer_ = std::move(optimizer);
  updates_ = updates;
  frames_at_read_ = frames();
  reset_accumulators();
}

std::int64_t training_bytes_per_env(const EnvData& data, const Config& config) {
  const StepParams p = make_step_params(config.env, data, config.seed);
  const std::int64_t env_bytes = total_bytes(state_layout(1, p)) + total_bytes(output_layout(1, p));
  const std::int64_t observation = static_cast<std::int64_t>(p.stack) * p.frame_size;
  const std::int64_t n = config.train.rollout_steps;
  // Per step: observation (float32), action (int32), reward, two flags,
  // truncation value; and one uniform (float64) per env.
  const std::int64_t rollout = n * (observation * 4 + 4 + 4 + 2 + 4) + 8;
  // The update's forward and backward over n observations: the input and every
  // layer's output (float32), each with its gradient.
  const std::int64_t widths = config.train.shared + config.train.policy_hidden + config.train.value_hidden +
                              2 * static_cast<std::int64_t>(p.action_count) + 2;
  const std::int64_t update = n * (observation + 2 * widths) * 4 * 2;
  return env_bytes + rollout + update;
}

std::int64_t training_bytes_per_run(const EnvData& data, const Config& config) {
  const BookTensor& book = *data.book;
  const auto bytes = [](const auto& values) {
    return static_cast<std::int64_t>(values.size() * sizeof(values[0]));
  };
  std::int64_t market = bytes(book.bid_price) + bytes(book.ask_price) + bytes(book.bid_size) +
                        bytes(book.ask_size) + bytes(data.features->values);
  if (config.env.fill_model == FillModel::trades) {
    market += bytes(book.message_begin) + bytes(book.message_end) + bytes(book.messages.type) +
              bytes(book.messages.size) + bytes(book.messages.price_half_ticks) + bytes(book.messages.direction);
  }
  const StepParams p = make_step_params(config.env, data, config.seed);
  const std::int64_t observation = static_cast<std::int64_t>(p.stack) * p.frame_size;
  const TrainConfig& tc = config.train;
  const std::int64_t weights = (observation + 1) * tc.shared + (tc.shared + 1) * tc.policy_hidden +
                               (tc.policy_hidden + 1) * p.action_count + (tc.shared + 1) * tc.value_hidden +
                               tc.value_hidden + 1;
  // float32 weights, their gradients and Adam's two moments.
  return market + weights * 4 * 4;
}

std::int64_t training_bytes(const EnvData& data, const Config& config) {
  return training_bytes_per_env(data, config) * config.train.num_envs + training_bytes_per_run(data, config);
}

ActorCritic load_network(const std::filesystem::path& checkpoint, const Config& config, std::int64_t observation_size,
                         std::int64_t actions) {
  ActorCritic network(observation_size, actions,
                      NetworkConfig{config.train.shared, config.train.policy_hidden, config.train.value_hidden});
  if (!std::filesystem::exists(checkpoint / "model.pt")) {
    throw Error("no model in " + checkpoint.string() + " (expected a checkpoint directory such as runs/<name>/best)");
  }
  try {
    torch::load(network, (checkpoint / "model.pt").string(), torch::Device(torch::kCPU));
  } catch (const c10::Error& e) {
    throw Error("checkpoint " + checkpoint.string() + " is damaged or made with another network or env config: " +
                e.what_without_backtrace());
  }
  network->eval();
  return network;
}

}  // namespace mmsim::train
