// Builds without CUDA training: everything runs on the CPU.

#include "mmsim/core/error.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/device.hpp"

namespace mmsim::train {

bool cuda_training_available(std::string* reason) {
  *reason = "this build has no CUDA training (it needs the CUDA toolkit and a CUDA build of libtorch; "
            "see docs/building.md)";
  return false;
}

torch::Device device_of(const BatchEnv& env) {
  if (env.backend() != Backend::cpu) {
    std::string reason;
    cuda_training_available(&reason);
    throw Error("cannot train on the CUDA env: " + reason);
  }
  return torch::kCPU;
}

StreamHandle current_stream() { return {}; }

void synchronize_current_stream(const torch::Device&) {}

std::unique_ptr<BatchEnv> make_training_env(const EnvData& data, const Config& config, bool cuda) {
  if (cuda) {
    std::string reason;
    cuda_training_available(&reason);
    throw Error("CUDA training: " + reason);
  }
  return make_cpu_env(data, config.env, config.train.num_envs, config.seed);
}

std::string out_of_memory_message(const EnvData&, const Config& config, bool) {
  return "out of memory with train.num_envs = " + std::to_string(config.train.num_envs);
}

std::vector<std::int64_t> side_by_side_groups(const EnvData&, const std::vector<Config>& runs, bool) {
  return {static_cast<std::int64_t>(runs.size())};
}

RunStream::RunStream(bool cuda) {
  if (cuda) {
    std::string reason;
    cuda_training_available(&reason);
    throw Error("CUDA training: " + reason);
  }
}

void RunStream::run(const std::function<void()>& work) const { work(); }

void fill_counter_uniforms(torch::Tensor& out, std::uint64_t seed, std::uint64_t episode, std::uint32_t step,
                           RngPurpose purpose) {
  out.copy_(counter_uniforms(seed, episode, step, purpose, out.size(0)));
}

}  // namespace mmsim::train
