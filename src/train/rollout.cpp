#include "mmsim/train/rollout.hpp"

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/device.hpp"

namespace mmsim::train {
namespace {

/// A view of an env output buffer as a tensor on the env's device (no copy).
torch::Tensor view(void* data, std::vector<std::int64_t> shape, torch::ScalarType type, const torch::Device& device) {
  return torch::from_blob(data, shape, torch::TensorOptions().dtype(type).device(device));
}

}  // namespace

torch::Tensor zero_sum(const torch::Device& device) {
  return torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
}

torch::Tensor counter_uniforms(std::uint64_t seed, std::uint64_t episode, std::uint32_t step, RngPurpose purpose,
                               std::int64_t count) {
  torch::Tensor out = torch::empty({count}, torch::TensorOptions().dtype(torch::kFloat64));
  double* data = out.data_ptr<double>();
  for (std::int64_t i = 0; i < count; ++i) data[i] = uniform01(seed, static_cast<std::uint64_t>(i), episode, step, purpose);
  return out;
}

torch::Tensor value_after_step(const torch::Tensor& terminated, const torch::Tensor& truncated,
                               const torch::Tensor& truncation_value, const torch::Tensor& next) {
  const torch::Tensor follow = torch::where(truncated, truncation_value.to(next.options()), next);
  return torch::where(terminated, torch::zeros_like(follow), follow);
}

torch::Tensor next_observations(const Rollout& rollout) {
  MMSIM_ASSERT(rollout.final_obs.defined() && rollout.last_obs.defined(),
               "next_observations needs a rollout collected for an actor that asked for them");
  const torch::Tensor following = torch::cat({rollout.obs.slice(0, 1), rollout.last_obs.unsqueeze(0)});
  const torch::Tensor ended = torch::logical_or(rollout.terminated, rollout.truncated).unsqueeze(2);
  return torch::where(ended, rollout.final_obs, following);
}

Collector::Collector(BatchEnv& env, std::int64_t steps, std::uint64_t seed, const torch::Device& device,
                     const Actor& actor)
    : env_(env), seed_(seed), device_(device) {
  const std::int64_t n = steps, envs = env.num_envs(), obs_size = env.observation_size();
  const auto on_device = torch::TensorOptions().device(device);
  rollout_.obs = torch::zeros({n, envs, obs_size}, on_device);
  if (actor.action_dims() > 0) {
    static_assert(sizeof(ActionRow) == 4 * sizeof(double), "quotes_ holds ActionRow rows as 4 doubles");
    rollout_.actions = torch::zeros({n, envs, actor.action_dims()}, on_device);
    quotes_ = torch::zeros({envs, 4}, on_device.dtype(torch::kFloat64));
  } else {
    rollout_.actions = torch::zeros({n, envs}, on_device.dtype(torch::kInt32));
  }
  rollout_.log_probs = torch::zeros({n, envs}, on_device);
  rollout_.values = torch::zeros({n, envs}, on_device);
  rollout_.rewards = torch::zeros({n, envs}, on_device);
  rollout_.terminated = torch::zeros({n, envs}, on_device.dtype(torch::kUInt8));
  rollout_.truncated = torch::zeros({n, envs}, on_device.dtype(torch::kUInt8));
  rollout_.truncation_values = torch::zeros({n, envs}, on_device);
  if (actor.needs_next_observations()) {
    rollout_.final_obs = torch::zeros({n, envs, obs_size}, on_device);
    rollout_.last_obs = torch::zeros({envs, obs_size}, on_device);
  }
  uniforms_ = torch::zeros({envs * actor.uniforms_per_env()}, on_device.dtype(torch::kFloat64));
  // Views of the env's output buffers, which live as long as the env.
  const EnvOutputViews& out = env.outputs();
  env_obs_ = view(out.obs, {envs, obs_size}, torch::kFloat32, device);
  env_final_obs_ = view(out.final_obs, {envs, obs_size}, torch::kFloat32, device);
  env_reward_ = view(out.reward, {envs}, torch::kFloat32, device);
  env_terminated_ = view(out.terminated, {envs}, torch::kUInt8, device);
  env_truncated_ = view(out.truncated, {envs}, torch::kUInt8, device);
  env_episode_pnl_ = view(out.episode_pnl, {envs}, torch::kFloat64, device);
  env_episode_length_ = view(out.episode_length, {envs}, torch::kInt32, device);
  reset_episode_sums();
}

void Collector::reset_episode_sums() {
  sums_.episodes = zero_sum(device_);
  sums_.pnl = zero_sum(device_);
  sums_.length = zero_sum(device_);
}

const Rollout& Collector::collect(Actor& actor, std::int64_t update, double frame, StreamHandle stream,
                                  PhaseClock& clock) {
  MMSIM_ASSERT(actor.action_dims() == (quotes_.defined() ? rollout_.actions.size(2) : 0) &&
                   actor.uniforms_per_env() * env_.num_envs() == uniforms_.size(0),
               "collect() with an actor unlike the one the collector was made for");
  torch::NoGradGuard no_grad;
  // Without liquidation an episode is truncated: its return bootstraps from the final observation's value.
  const bool bootstrap_truncations = !env_.params().liquidate_at_end;
  Rollout& r = rollout_;
  for (std::int64_t t = 0; t < r.steps(); ++t) {
    r.obs[t].copy_(env_obs_);
    clock.mark(&UpdatePhaseSeconds::copies);
    fill_counter_uniforms(uniforms_, seed_, static_cast<std::uint64_t>(update), static_cast<std::uint32_t>(t),
                          RngPurpose::action);
    const std::int64_t draws = actor.uniforms_per_env();
    const ActorStep step = actor.act(r.obs[t], draws == 1 ? uniforms_ : uniforms_.view({-1, draws}), frame);
    r.actions[t].copy_(step.actions);
    r.log_probs[t].copy_(step.log_probs);
    r.values[t].copy_(step.values);
    if (quotes_.defined()) quotes_.copy_(step.quotes);
    clock.mark(&UpdatePhaseSeconds::forward);
    if (quotes_.defined()) {
      env_.step_offsets(reinterpret_cast<const ActionRow*>(quotes_.data_ptr<double>()), stream);
    } else {
      env_.step(r.actions[t].data_ptr<std::int32_t>(), stream);
    }
    clock.mark(&UpdatePhaseSeconds::env);
    r.rewards[t].copy_(env_reward_);
    r.terminated[t].copy_(env_terminated_);
    r.truncated[t].copy_(env_truncated_);
    if (r.final_obs.defined()) r.final_obs[t].copy_(env_final_obs_);
    if (bootstrap_truncations) {
      clock.mark(&UpdatePhaseSeconds::copies);
      r.truncation_values[t].copy_(actor.value(env_final_obs_));
      clock.mark(&UpdatePhaseSeconds::forward);
    }
    const torch::Tensor ended = torch::logical_or(env_terminated_, env_truncated_);
    sums_.episodes += ended.sum();
    const torch::Tensor running = ended.logical_not();
    sums_.pnl += env_episode_pnl_.masked_fill(running, 0).sum();
    sums_.length += env_episode_length_.masked_fill(running, 0).sum();
    clock.mark(&UpdatePhaseSeconds::copies);
  }
  if (r.last_obs.defined()) r.last_obs.copy_(env_obs_);
  r.last_values = actor.value(env_obs_);
  clock.mark(&UpdatePhaseSeconds::forward);
  return r;
}

}  // namespace mmsim::train
