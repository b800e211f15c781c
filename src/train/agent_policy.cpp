#include "mmsim/train/agent_policy.hpp"

#include <algorithm>

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

class AgentPolicy final : public eval::Policy {
 public:
  AgentPolicy(Algorithm& algorithm, std::unique_ptr<Algorithm> owned, bool greedy, std::uint64_t seed,
              std::string name)
      : algorithm_(algorithm), owned_(std::move(owned)), greedy_(greedy), seed_(seed), name_(std::move(name)) {}
  std::string name() const override { return name_ + (greedy_ ? " (greedy)" : " (sampled)"); }
  void decide(const eval::PolicyInput& input, const eval::Decision& decision) override {
    torch::NoGradGuard no_grad;
    const std::int64_t n = input.n;
    const torch::Tensor observations = torch::from_blob(const_cast<float*>(input.obs), {n, input.obs_size},
                                                        torch::TensorOptions().dtype(torch::kFloat32));
    const torch::Tensor logits = logits_of(algorithm_, observations);
    torch::Tensor chosen;
    if (greedy_) {
      chosen = logits.argmax(1).to(torch::kInt32);
    } else {
      torch::Tensor uniforms = torch::empty({n}, torch::kFloat64);
      double* u = uniforms.data_ptr<double>();
      for (std::int64_t i = 0; i < n; ++i) {
        u[i] = uniform01(seed_, static_cast<std::uint64_t>(i), 0, static_cast<std::uint32_t>(input.step),
                         RngPurpose::agent_sampling);
      }
      chosen = sample_actions(logits, 0.0, uniforms);
    }
    std::copy(chosen.data_ptr<std::int32_t>(), chosen.data_ptr<std::int32_t>() + n, decision.actions);
  }

 private:
  Algorithm& algorithm_;
  std::unique_ptr<Algorithm> owned_;  ///< empty when the algorithm is borrowed
  bool greedy_;
  std::uint64_t seed_;
  std::string name_;
};

}  // namespace

std::unique_ptr<eval::Policy> agent_policy(Algorithm& algorithm, bool greedy, std::uint64_t seed,
                                           const std::string& name) {
  return std::make_unique<AgentPolicy>(algorithm, nullptr, greedy, seed, name);
}

std::unique_ptr<eval::Policy> agent_policy(std::unique_ptr<Algorithm> algorithm, bool greedy, std::uint64_t seed,
                                           const std::string& name) {
  MMSIM_ASSERT(algorithm != nullptr, "an agent policy of no algorithm");
  Algorithm& borrowed = *algorithm;
  return std::make_unique<AgentPolicy>(borrowed, std::move(algorithm), greedy, seed, name);
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
