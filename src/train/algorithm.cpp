#include "mmsim/train/algorithm.hpp"

#include "mmsim/train/a2c.hpp"

namespace mmsim::train {

AlgorithmFactory algorithm_factory(const TrainConfig& config) {
  return [config](std::int64_t observation_size, std::int64_t actions, const torch::Device& device) {
    return std::make_unique<A2C>(config, observation_size, actions, device);
  };
}

}  // namespace mmsim::train
