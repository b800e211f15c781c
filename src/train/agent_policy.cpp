#include "mmsim/train/agent_policy.hpp"

#include <algorithm>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::train {
namespace {

/// The device of an algorithm's networks: observations go there and
/// decisions come back (an agent trained on CUDA evaluates on CPU envs).
torch::Device device_of(Algorithm& algorithm) { return algorithm.parameters().front().device(); }

class AgentPolicy final : public eval::Policy {
 public:
  AgentPolicy(Algorithm& algorithm, std::unique_ptr<Algorithm> owned, bool greedy, std::uint64_t seed,
              std::string name)
      : algorithm_(algorithm), owned_(std::move(owned)), greedy_(greedy), seed_(seed), name_(std::move(name)) {}
  std::string name() const override { return name_ + (greedy_ ? " (greedy)" : " (sampled)"); }
  bool quotes_explicitly() const override { return algorithm_.action_dims() > 0; }
  bool quotes_in_offset_unit() const override { return quotes_explicitly(); }

  void decide(const eval::PolicyInput& input, const eval::Decision& decision) override {
    torch::NoGradGuard no_grad;
    const std::int64_t n = input.n;
    const torch::Device device = device_of(algorithm_);
    const torch::Tensor observations = torch::from_blob(const_cast<float*>(input.obs), {n, input.obs_size},
                                                        torch::TensorOptions().dtype(torch::kFloat32))
                                           .to(device);
    if (quotes_explicitly()) {
      // Greedy: the mean action.
      const torch::Tensor uniforms = greedy_ ? torch::Tensor() : draws(input, algorithm_.uniforms_per_env());
      const torch::Tensor quotes = algorithm_.quotes(observations, uniforms).to(torch::kCPU);
      const auto rows = quotes.accessor<double, 2>();
      for (std::int64_t i = 0; i < n; ++i) decision.quotes[i] = {rows[i][0], rows[i][1], rows[i][2], rows[i][3]};
      return;
    }
    const torch::Tensor logits = algorithm_.logits(observations).to(torch::kCPU);
    const torch::Tensor chosen =
        greedy_ ? logits.argmax(1).to(torch::kInt32) : sample_actions(logits, 0.0, draws(input, 1));
    std::copy(chosen.data_ptr<std::int32_t>(), chosen.data_ptr<std::int32_t>() + n, decision.actions);
  }

 private:
  /// `per_env` counter-based uniforms per env at the input's step: [n], or
  /// [n, per_env]; element j of env i is uniform number i x per_env + j.
  torch::Tensor draws(const eval::PolicyInput& input, std::int64_t per_env) const {
    const torch::Tensor uniforms = counter_uniforms(seed_, 0, static_cast<std::uint32_t>(input.step),
                                                    RngPurpose::agent_sampling, input.n * per_env);
    return per_env == 1 ? uniforms : uniforms.view({input.n, per_env});
  }

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
  std::vector<std::unique_ptr<eval::Policy>> policies;
  for (const AgentCheckpoint& agent : agents) {
    policies.push_back(agent_policy(load_agent(agent.checkpoint, config.train, params.observation_size(), params.action_count),
                                    greedy, config.seed, agent.name));
  }
  return policies;
}

}  // namespace mmsim::train
