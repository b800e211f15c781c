#include "mmsim/train/evaluate.hpp"

#include <cmath>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"

namespace mmsim::train {

EvalResult evaluate(BatchEnv& env, const ActionFn& act) {
  MMSIM_ASSERT(env.backend() == Backend::cpu, "evaluate() runs the CPU backend");
  MMSIM_ASSERT(!env.params().curriculum, "evaluation windows have a fixed length");
  env.reset();
  const std::int64_t n = env.num_envs();
  const EnvOutputViews& out = env.outputs();
  const torch::Tensor obs = torch::from_blob(out.obs, {n, env.observation_size()}, torch::kFloat32);
  EvalResult result;
  result.pnl.assign(static_cast<std::size_t>(n), 0.0);
  std::int64_t finished = 0;
  for (std::int64_t step = 0; finished < n; ++step) {
    torch::Tensor actions;
    {
      torch::NoGradGuard no_grad;
      actions = act(obs, step).to(torch::kInt32).contiguous();
    }
    env.step(actions.data_ptr<std::int32_t>());
    for (std::int64_t i = 0; i < n; ++i) {
      if (out.terminated[i] || out.truncated[i]) {
        result.pnl[static_cast<std::size_t>(i)] = out.episode_pnl[i];
        ++finished;
      }
    }
  }
  env.check_faults();
  double sum = 0, squares = 0;
  for (double v : result.pnl) sum += v;
  result.mean = sum / static_cast<double>(n);
  for (double v : result.pnl) squares += (v - result.mean) * (v - result.mean);
  result.stddev = std::sqrt(squares / static_cast<double>(n));
  return result;
}

ActionFn greedy_policy(ActorCritic network) {
  return [network](const torch::Tensor& observations, std::int64_t) mutable {
    return network->forward(observations).logits.argmax(1);
  };
}

ActionFn random_policy(std::uint64_t seed, std::int64_t actions) {
  return [seed, actions](const torch::Tensor& observations, std::int64_t step) {
    const std::int64_t n = observations.size(0);
    torch::Tensor out = torch::empty({n}, torch::kInt32);
    auto* data = out.data_ptr<std::int32_t>();
    for (std::int64_t i = 0; i < n; ++i) {
      data[i] = static_cast<std::int32_t>(uniform_index(seed, static_cast<std::uint64_t>(i), 0,
                                                        static_cast<std::uint32_t>(step), RngPurpose::evaluation,
                                                        static_cast<std::uint64_t>(actions)));
    }
    return out;
  };
}

}  // namespace mmsim::train
