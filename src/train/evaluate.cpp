#include "mmsim/train/evaluate.hpp"

#include <algorithm>
#include <cmath>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::train {
namespace {

/// Logits of an algorithm for observations on the CPU, wherever its networks
/// live (an agent trained on CUDA evaluates on CPU envs).
torch::Tensor logits_of(Algorithm& algorithm, const torch::Tensor& cpu_observations) {
  const torch::Device device = algorithm.parameters().front().device();
  return algorithm.logits(cpu_observations.to(device)).to(torch::kCPU);
}

}  // namespace

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

ActionFn greedy_policy(Algorithm& algorithm) {
  return [&algorithm](const torch::Tensor& observations, std::int64_t) {
    return logits_of(algorithm, observations).argmax(1);
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

namespace {

class AgentPolicy final : public eval::Policy {
 public:
  AgentPolicy(std::unique_ptr<Algorithm> algorithm, bool greedy, std::uint64_t seed, std::string name)
      : algorithm_(std::move(algorithm)), greedy_(greedy), seed_(seed), name_(std::move(name)) {}
  std::string name() const override { return name_ + (greedy_ ? " (greedy)" : " (sampled)"); }
  void decide(const eval::PolicyInput& input, const eval::Decision& decision) override {
    torch::NoGradGuard no_grad;
    const std::int64_t n = input.n;
    const torch::Tensor observations = torch::from_blob(const_cast<float*>(input.obs), {n, input.obs_size},
                                                        torch::TensorOptions().dtype(torch::kFloat32));
    const torch::Tensor logits = logits_of(*algorithm_, observations);
    torch::Tensor chosen;
    if (greedy_) {
      chosen = logits.argmax(1).to(torch::kInt32);
    } else {
      torch::Tensor uniforms = torch::empty({n}, torch::kFloat64);
      double* u = uniforms.data_ptr<double>();
      for (std::int64_t i = 0; i < n; ++i) {
        u[i] = uniform01(seed_, static_cast<std::uint64_t>(i), 2, static_cast<std::uint32_t>(input.step),
                         RngPurpose::evaluation);
      }
      chosen = sample_actions(logits, 0.0, uniforms);
    }
    std::copy(chosen.data_ptr<std::int32_t>(), chosen.data_ptr<std::int32_t>() + n, decision.actions);
  }

 private:
  std::unique_ptr<Algorithm> algorithm_;
  bool greedy_;
  std::uint64_t seed_;
  std::string name_;
};

}  // namespace

std::unique_ptr<eval::Policy> agent_policy(std::unique_ptr<Algorithm> algorithm, bool greedy, std::uint64_t seed,
                                           const std::string& name) {
  return std::make_unique<AgentPolicy>(std::move(algorithm), greedy, seed, name);
}

std::vector<std::unique_ptr<eval::Policy>> agent_policies(const std::vector<AgentCheckpoint>& agents,
                                                          const Config& config, const StepParams& params,
                                                          bool greedy) {
  const std::int64_t observation_size = static_cast<std::int64_t>(params.stack) * params.frame_size;
  std::vector<std::unique_ptr<eval::Policy>> policies;
  for (const AgentCheckpoint& agent : agents) {
    policies.push_back(agent_policy(load_agent(agent.checkpoint, config.train, observation_size, params.action_count),
                                    greedy, config.seed, agent.name));
  }
  return policies;
}

}  // namespace mmsim::train
