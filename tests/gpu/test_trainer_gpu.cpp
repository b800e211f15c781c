// The A2C trainer on the CUDA backend: device uniforms equal to the host's,
// updates that match the CPU trainer, and the proof that the update loop never
// synchronises with the host (torch's sync debug mode, and capture of a whole
// rollout + update in a CUDA graph, which fails on any synchronising call,
// the env's included); seeds trained side by side on their own streams.

#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cmath>

#include "gpu_fixture.hpp"
#include "mmsim/config/config.hpp"
#include "mmsim/gpu/device.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/ppo.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/trainer.hpp"
#include "seed_group.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

class TrainerGpu : public GpuTest {};

/// A learner: train.algorithm and train.policy.
struct Learner {
  train::AlgorithmKind algorithm = train::AlgorithmKind::a2c;
  train::PolicyKind policy = train::PolicyKind::categorical;
  std::string name() const {
    return std::string(to_string(algorithm)) + (policy == train::PolicyKind::gaussian ? " (gaussian)" : "");
  }
};

/// The quickstart config on the shipped sample, small enough for a test, with
/// episodes of 5 steps so that rollouts cross episode ends (and resets).
Config small_config(bool liquidate_at_end = true, const Learner& learner = {}) {
  Config c = load_config(std::string(MMSIM_CONFIG_DIR) + "/quickstart.yaml");
  c.train.algorithm = learner.algorithm;
  c.train.policy = learner.policy;
  c.train.gaussian.size = 100;  // the quickstart's quotes
  c.env.episode_length = 5;
  c.env.liquidate_at_end = liquidate_at_end;
  c.train.num_envs = 256;
  c.train.rollout_steps = 8;
  c.train.learning_rate = 1e-3;
  return c;
}

/// Sets c10's sync debug mode for its lifetime: torch's synchronising calls throw.
class SyncDebugErrors {
 public:
  SyncDebugErrors() { c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_ERROR); }
  ~SyncDebugErrors() { c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_DISABLED); }
  SyncDebugErrors(const SyncDebugErrors&) = delete;
  SyncDebugErrors& operator=(const SyncDebugErrors&) = delete;
};

std::vector<torch::Tensor> parameters_on_cpu(train::Trainer& trainer) {
  std::vector<torch::Tensor> out;
  for (const auto& p : trainer.algorithm().parameters()) out.push_back(p.detach().to(torch::kCPU).clone());
  return out;
}

TEST_F(TrainerGpu, DeviceUniformsEqualTheHostsBitForBit) {
  torch::Tensor on_device = torch::zeros({1000}, torch::TensorOptions().dtype(torch::kFloat64).device(torch::kCUDA));
  train::fill_counter_uniforms(on_device, 77, 12, 5, RngPurpose::action);
  EXPECT_TRUE(torch::equal(on_device.cpu(), train::counter_uniforms(77, 12, 5, RngPurpose::action, 1000)));
}

/// Every learner train.algorithm names, and those that also quote continuously.
std::vector<Learner> every_learner() {
  std::vector<Learner> learners;
  for (const train::AlgorithmKind algorithm : train::enum_names(train::AlgorithmKind{}).values()) {
    learners.push_back({algorithm, train::PolicyKind::categorical});
    if (algorithm != train::AlgorithmKind::dqn) learners.push_back({algorithm, train::PolicyKind::gaussian});
  }
  return learners;
}

TEST_F(TrainerGpu, DeviceMinibatchOrderEqualsTheHostsBitForBit) {
  const torch::Tensor on_device = train::minibatch_order(77, 12, 3, 5000, torch::kCUDA);
  EXPECT_TRUE(torch::equal(on_device.cpu(), train::minibatch_order(77, 12, 3, 5000, torch::kCPU)));
}

TEST_F(TrainerGpu, UpdatesMatchTheCpuTrainer) {
  const GoogSample& s = goog_sample();
  // With liquidation episodes terminate; without, they are truncated and
  // bootstrapped from the final observation.
  for (const Learner& learner : every_learner()) {
    for (const bool liquidate : {true, false}) {
      SCOPED_TRACE(learner.name() + (liquidate ? ", terminated episodes" : ", truncated episodes"));
      const Config config = small_config(liquidate, learner);
      auto cpu_env = train::make_training_env(s.data(), config, false);
      auto gpu_env = train::make_training_env(s.data(), config, true);
      train::Trainer cpu(config, *cpu_env);
      train::Trainer gpu(config, *gpu_env);
      ASSERT_TRUE(gpu.device().is_cuda());
      // Same seed, same initial weights.
      const auto initial_cpu = parameters_on_cpu(cpu), initial_gpu = parameters_on_cpu(gpu);
      for (std::size_t k = 0; k < initial_cpu.size(); ++k) EXPECT_TRUE(torch::equal(initial_cpu[k], initial_gpu[k]));
      for (int update = 0; update < 3; ++update) {
        cpu.update();
        gpu.update();
      }
      const train::TrainMetrics a = cpu.read_metrics(), b = gpu.read_metrics();
      // The rollouts agree (matrix products round differently on the device, so
      // floats within tolerances; a sampled action at a rounding boundary is rare).
      EXPECT_EQ(a.frames, b.frames);
      EXPECT_GT(a.episodes, 256);  // every env finished episodes within the 24 steps
      EXPECT_EQ(a.episodes, b.episodes);
      EXPECT_NEAR(a.episode_pnl, b.episode_pnl, kCrossDeviceEpisodePnl * (1 + std::fabs(a.episode_pnl)));
      EXPECT_NEAR(a.reward, b.reward, kCrossDeviceRollout * (1 + std::fabs(a.reward)));
      // Every metric of the learner (losses, values, entropy, KL, buffer size...).
      ASSERT_EQ(a.algorithm.size(), b.algorithm.size());
      for (std::size_t k = 0; k < a.algorithm.size(); ++k) {
        const auto& [name, value] = a.algorithm[k];
        EXPECT_NEAR(value, b.algorithm[k].second, kCrossDeviceGradient * (1 + std::fabs(value))) << name;
      }
      EXPECT_NEAR(a.gradient_l2, b.gradient_l2, kCrossDeviceGradient * (1 + a.gradient_l2));
      const auto after_cpu = parameters_on_cpu(cpu), after_gpu = parameters_on_cpu(gpu);
      for (std::size_t k = 0; k < after_cpu.size(); ++k) {
        EXPECT_TRUE(torch::allclose(after_cpu[k], after_gpu[k], kCrossDeviceFloat32Relative, kCrossDeviceFloat32Absolute)) << "parameter " << k;
        EXPECT_FALSE(torch::equal(after_cpu[k], initial_cpu[k])) << "parameter " << k << " did not move";
      }
    }
  }
}

/// Action (env index + step) modulo the action count, whatever the
/// observation: the same actions on both devices; asks for next observations.
class CyclingActions final : public train::Actor {
 public:
  explicit CyclingActions(std::int64_t actions) : actions_(actions) {}
  train::ActorStep act(const torch::Tensor& observations, const torch::Tensor&, double) override {
    const auto options = torch::TensorOptions().device(observations.device());
    const torch::Tensor actions =
        ((torch::arange(observations.size(0), options.dtype(torch::kInt64)) + step_++) % actions_).to(torch::kInt32);
    return {actions, torch::zeros({observations.size(0)}, options), value(observations), {}};
  }
  /// The observation's last element (the time left in the episode): a "value" both devices compute exactly.
  torch::Tensor value(const torch::Tensor& observations) override {
    return observations.select(1, observations.size(1) - 1).contiguous();
  }
  bool needs_next_observations() const override { return true; }

 private:
  std::int64_t actions_;
  std::int64_t step_ = 0;
};

TEST_F(TrainerGpu, RolloutsOnTheDeviceMatchTheCpus) {
  const GoogSample& s = goog_sample();
  // Truncated episodes: the rollouts hold bootstrap values of final observations.
  const Config config = small_config(false);
  auto cpu_env = train::make_training_env(s.data(), config, false);
  auto gpu_env = train::make_training_env(s.data(), config, true);
  const torch::Device device = train::device_of(*gpu_env);
  CyclingActions cpu_actor(cpu_env->action_count()), gpu_actor(gpu_env->action_count());
  train::Collector cpu(*cpu_env, config.train.rollout_steps, config.seed, torch::kCPU, cpu_actor);
  train::Collector gpu(*gpu_env, config.train.rollout_steps, config.seed, device, gpu_actor);
  train::PhaseClock cpu_clock(torch::kCPU), gpu_clock(device);
  const auto close = [](const torch::Tensor& a, const torch::Tensor& b) {
    return torch::allclose(a.to(torch::kCPU), b.to(torch::kCPU), kBackendTolerance, kBackendTolerance);
  };
  for (int update = 0; update < 2; ++update) {
    SCOPED_TRACE("update " + std::to_string(update));
    const train::Rollout& a = cpu.collect(cpu_actor, update, 0, {}, cpu_clock);
    const train::Rollout& b = gpu.collect(gpu_actor, update, 0, train::current_stream(), gpu_clock);
    EXPECT_TRUE(torch::equal(a.actions, b.actions.cpu()));
    EXPECT_TRUE(torch::equal(a.terminated, b.terminated.cpu()));
    EXPECT_TRUE(torch::equal(a.truncated, b.truncated.cpu()));
    EXPECT_GT(a.truncated.sum().item<std::int64_t>(), 0) << "episodes of 5 steps end within 8";
    EXPECT_TRUE(close(a.rewards, b.rewards));
    EXPECT_TRUE(close(a.obs, b.obs));
    EXPECT_TRUE(close(train::next_observations(a), train::next_observations(b)));
    EXPECT_TRUE(close(a.truncation_values, b.truncation_values));
    EXPECT_TRUE(close(a.last_values, b.last_values));
  }
  const train::EpisodeSums& x = cpu.episode_sums();
  const train::EpisodeSums& y = gpu.episode_sums();
  EXPECT_EQ(x.episodes.item<double>(), y.episodes.item<double>());
  EXPECT_NEAR(x.pnl.item<double>(), y.pnl.item<double>(), kBackendTolerance * (1 + std::fabs(x.pnl.item<double>())));
}

TEST_F(TrainerGpu, TheUpdateLoopMakesNoSynchronisingTorchCall) {
  const GoogSample& s = goog_sample();
  for (const Learner& learner : every_learner()) {
    SCOPED_TRACE(learner.name());
    const Config config = small_config(false, learner);
    auto env = train::make_training_env(s.data(), config, true);
    train::Trainer trainer(config, *env);
    trainer.update();  // first use: library handles are created
    {
      const SyncDebugErrors errors;
      EXPECT_NO_THROW(for (int k = 0; k < 3; ++k) trainer.update());
    }
    EXPECT_EQ(trainer.read_metrics().update, 4);
  }
}

TEST_F(TrainerGpu, ARolloutAndUpdateCaptureInACudaGraph) {
  for (const Learner& learner : every_learner()) {
    SCOPED_TRACE(learner.name());
    const GoogSample& s = goog_sample();
    const Config config = small_config(false, learner);
    // Capture needs a stream other than the default one: the env is made on it
    // and steps on it, as torch's current stream.
    const c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
    const c10::cuda::CUDAStreamGuard guard(stream);
    auto env = train::make_training_env(s.data(), config, true);
    train::Trainer trainer(config, *env);
    for (int k = 0; k < 2; ++k) trainer.update();  // warm-up: optimiser state and library handles
    stream.synchronize();
    at::cuda::CUDAGraph graph;
    // Any synchronising call between begin and end (a host copy, a stream or
    // device synchronisation, an allocation outside the graph's pool) makes the
    // capture fail.
    graph.capture_begin();
    try {
      trainer.update();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "update() failed under capture: " << e.what();
    }
    ASSERT_NO_THROW(graph.capture_end());
    // Replaying the graph is one more rollout + update on the device: the
    // parameters move and the env's outputs (its state) change.
    const auto before = parameters_on_cpu(trainer);
    const torch::Tensor obs_before =
        torch::from_blob(env->outputs().obs, {env->num_envs(), env->observation_size()},
                         torch::TensorOptions().dtype(torch::kFloat32).device(trainer.device()))
            .clone();
    ASSERT_NO_THROW(graph.replay());
    stream.synchronize();
    const auto after = parameters_on_cpu(trainer);
    bool moved = false;
    for (std::size_t k = 0; k < before.size(); ++k) moved = moved || !torch::equal(before[k], after[k]);
    EXPECT_TRUE(moved) << "the replayed update changed no parameter";
    const torch::Tensor obs_after = torch::from_blob(env->outputs().obs, {env->num_envs(), env->observation_size()},
                                                     torch::TensorOptions().dtype(torch::kFloat32).device(trainer.device()));
    EXPECT_FALSE(torch::equal(obs_before, obs_after)) << "the replayed rollout did not step the envs";
    EXPECT_NO_THROW(trainer.read_metrics());
  }
}

TEST_F(TrainerGpu, PhaseTimingOnTheDeviceChangesNothing) {
  const GoogSample& s = goog_sample();
  const Config config = small_config(false);
  auto timed_env = train::make_training_env(s.data(), config, true);
  auto plain_env = train::make_training_env(s.data(), config, true);
  train::Trainer timed(config, *timed_env), plain(config, *plain_env);
  timed.set_phase_timing(true);
  for (int k = 0; k < 2; ++k) {
    timed.update();
    plain.update();
  }
  const train::UpdatePhaseSeconds phases = timed.phase_seconds();
  EXPECT_EQ(phases.updates, 2);
  for (const double part : {phases.forward, phases.env, phases.copies, phases.loss, phases.backward, phases.clipping,
                            phases.optimiser}) {
    EXPECT_GT(part, 0);
  }
  const auto a = parameters_on_cpu(timed), b = parameters_on_cpu(plain);
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_TRUE(torch::equal(a[k], b[k])) << "parameter " << k;
}

TEST_F(TrainerGpu, SeedsSideBySideOnTheirOwnStreamsTrainAsTheyWouldAlone) {
  const TempDir dir;
  // Concurrent streams may let cuBLAS pick other kernels: equal within float rounding.
  const std::string output =
      expect_group_seed_trains_as_alone(small_seed_group_config(dir.path()), "cuda", kCrossDeviceRollout);
  EXPECT_NE(output.find("training the 2 runs side by side, one update of each in turn, each on its own CUDA stream"),
            std::string::npos)
      << output;
}

TEST_F(TrainerGpu, RunsSideBySideAreAsManyAsTheFreeMemoryHolds) {
  const GoogSample& s = goog_sample();
  const Config small = small_config();
  EXPECT_EQ(train::side_by_side_groups(s.data(), {small, small, small, small}, true), std::vector<std::int64_t>{4});
  // Runs of 40% of the free memory each: two fit with the tenth kept back.
  Config large = small;
  const double free = static_cast<double>(gpu::memory_info().free);
  large.train.num_envs =
      static_cast<std::int64_t>(0.4 * free / static_cast<double>(train::training_bytes_per_env(s.data(), large)));
  EXPECT_EQ(train::side_by_side_groups(s.data(), {large, large, large, large, large}, true),
            (std::vector<std::int64_t>{2, 2, 1}));
  EXPECT_EQ(train::side_by_side_groups(s.data(), {large, small, large, small, large}, true),
            (std::vector<std::int64_t>{4, 1}));
  // A run larger than the device still gets its try (and its out-of-memory message), alone.
  Config huge = large;
  huge.train.num_envs *= 4;
  EXPECT_EQ(train::side_by_side_groups(s.data(), {small, huge, small}, true), (std::vector<std::int64_t>{1, 1, 1}));
}

}  // namespace
}  // namespace mmsim::test
