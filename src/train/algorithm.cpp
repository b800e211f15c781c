#include "mmsim/train/algorithm.hpp"

#include "mmsim/core/error.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/dqn.hpp"
#include "mmsim/train/ppo.hpp"

namespace mmsim::train {

torch::Tensor Algorithm::quotes(const torch::Tensor&, const torch::Tensor&) {
  fail_assert("quotes() of a continuous policy", __FILE__, __LINE__,
              name() + " chooses rows of the action table: evaluate it through logits()");
}

AlgorithmFactory algorithm_factory(const TrainConfig& config) {
  switch (config.algorithm) {
    case AlgorithmKind::a2c:
      return [config](std::int64_t observation_size, std::int64_t actions, const torch::Device& device) {
        return std::make_unique<A2C>(config, observation_size, actions, device);
      };
    case AlgorithmKind::dqn:
      return [config](std::int64_t observation_size, std::int64_t actions, const torch::Device& device) {
        return std::make_unique<Dqn>(config, observation_size, actions, device);
      };
    case AlgorithmKind::ppo:
      return [config](std::int64_t observation_size, std::int64_t actions, const torch::Device& device) {
        return std::make_unique<Ppo>(config, observation_size, actions, device);
      };
  }
  fail_assert("a factory for every train.algorithm", __FILE__, __LINE__,
              "no factory for " + std::string(to_string(config.algorithm)));
}

}  // namespace mmsim::train
