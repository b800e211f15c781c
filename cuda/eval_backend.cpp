#include "mmsim/gpu/eval_backend.hpp"

#include "mmsim/gpu/env.hpp"
#include "mmsim/gpu/memory.hpp"

namespace mmsim::gpu {

eval::EvalBackend cuda_eval_backend(StreamHandle stream) {
  eval::EvalBackend backend;
  backend.name = "cuda";
  backend.stream = stream;
  backend.make_env = [stream](const EnvData& data, const EnvConfig& config, std::int64_t envs, std::uint64_t seed) {
    return make_cuda_env(data, config, envs, seed, stream);
  };
  backend.allocate = [](std::size_t bytes) {
    auto buffer = std::make_shared<DeviceBytes>(bytes);
    return std::shared_ptr<void>(buffer, buffer->data());
  };
  backend.to_host = [stream](void* host, const void* env_memory, std::size_t bytes) {
    copy_to_host(host, env_memory, bytes, stream);
  };
  backend.to_env = [stream](void* env_memory, const void* host, std::size_t bytes) {
    copy_to_device(env_memory, host, bytes, stream);
  };
  return backend;
}

}  // namespace mmsim::gpu
