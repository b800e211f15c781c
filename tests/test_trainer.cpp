// The trainer shell and A2C on the CPU: learning on a book where one action is
// clearly best, bit-exact resume from a checkpoint, refusal of a damaged one,
// and a toy algorithm trained by the shell through the Algorithm interface.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <torch/serialize.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/core/statistics.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/train/a2c.hpp"
#include "mmsim/train/agent_policy.hpp"
#include "mmsim/train/trainer.hpp"
#include "synthetic_trainer.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

/// Every learner (train.algorithm), trained by the shell on the synthetic book.
class EveryLearner : public ::testing::TestWithParam<train::AlgorithmKind> {
 protected:
  Synthetic synthetic() const {
    Synthetic s = make_synthetic();
    s.config.train.algorithm = GetParam();
    // DQN: a buffer of 40 updates, learning from the third, four steps per update.
    train::DqnConfig& dqn = s.config.train.dqn;
    dqn.buffer_size = 5000;
    dqn.batch_size = 64;
    dqn.learning_starts = 256;
    dqn.gradient_steps = 4;
    dqn.target_update_every = 50;
    // A seed whose untrained Q-network's greedy action is not the best one (see the test).
    if (GetParam() == train::AlgorithmKind::dqn) s.config.seed = 4;
    return s;
  }
};

TEST_P(EveryLearner, LearnsTheClearlyBestAction) {
  const Synthetic s = synthetic();
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  EXPECT_EQ(trainer.algorithm().name(), to_string(GetParam()));
  const double before = probability_of(trainer, *env, 1);
  EXPECT_LT(before, 0.5) << "the untrained policy already prefers the best action: the test would show nothing";
  int updates = 0;
  while (updates < 400 && probability_of(trainer, *env, 1) <= 0.9) {
    trainer.update();
    ++updates;
  }
  EXPECT_GT(probability_of(trainer, *env, 1), 0.9) << "after " << updates << " updates, from " << before;
  const train::TrainMetrics m = trainer.read_metrics();
  EXPECT_EQ(m.update, updates);
  EXPECT_EQ(m.frames, updates * 16 * 8);
  EXPECT_GT(m.episodes, 0);
}

TEST_P(EveryLearner, ResumeFromACheckpointReproducesTheNextUpdateBitForBit) {
  expect_resume_repeats_the_next_update(synthetic());
}

INSTANTIATE_TEST_SUITE_P(Trainer, EveryLearner,
                         ::testing::ValuesIn(train::enum_names(train::AlgorithmKind{}).values()),
                         [](const ::testing::TestParamInfo<train::AlgorithmKind>& learner) {
                           return std::string(to_string(learner.param));
                         });

/// A trainer on the synthetic book after one update, its checkpoint saved in a temporary directory.
struct SavedRun {
  Synthetic s = make_synthetic();
  TempDir dir;
  std::unique_ptr<BatchEnv> env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer{s.config, *env};
  std::filesystem::path checkpoint = dir.path() / "checkpoint";
  SavedRun() {
    trainer.update();
    trainer.save_checkpoint(checkpoint);
  }
};

TEST(Trainer, ADamagedCheckpointIsRefusedAndChangesNothing) {
  SavedRun run;
  train::Trainer& trainer = run.trainer;
  const auto& checkpoint = run.checkpoint;
  const auto model = checkpoint / "model.pt";
  std::filesystem::resize_file(model, std::filesystem::file_size(model) / 2);
  trainer.update();
  const auto before = parameters_of(trainer);
  EXPECT_THROW(trainer.load_checkpoint(checkpoint), Error);
  EXPECT_EQ(trainer.updates(), 2);
  expect_identical(parameters_of(trainer), before);
  EXPECT_THROW(trainer.load_checkpoint(run.dir.path() / "missing"), Error);
}

TEST(Trainer, ACheckpointOfAnotherFormatIsRefusedWithItsVersion) {
  SavedRun run;
  train::Trainer& trainer = run.trainer;
  const auto& checkpoint = run.checkpoint;
  // A format-1 checkpoint (before the latency buffers joined the env state).
  std::ofstream(checkpoint / "trainer.txt") << "mmsim-checkpoint-1\n1\n0\n";
  try {
    trainer.load_checkpoint(checkpoint);
    FAIL() << "an old checkpoint was loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another version of mmsim (mmsim-checkpoint-1"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(trainer.updates(), 1);
}

/// Overwrites `count` bytes of `file` at `offset` with `value`.
void overwrite_bytes(const std::filesystem::path& file, std::size_t offset, std::size_t count, char value) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekp(static_cast<std::streamoff>(offset));
  const std::string bytes(count, value);
  stream.write(bytes.data(), static_cast<std::streamsize>(count));
}

/// Expects loading `checkpoint` to throw an Error whose message holds `reason`, leaving `trainer` as it was.
void expect_refused(train::Trainer& trainer, const std::filesystem::path& checkpoint, const std::string& reason) {
  const std::int64_t updates = trainer.updates();
  const auto before = parameters_of(trainer);
  try {
    trainer.load_checkpoint(checkpoint);
    ADD_FAILURE() << "loaded a checkpoint that should be refused for: " << reason;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
  EXPECT_EQ(trainer.updates(), updates);
  expect_identical(parameters_of(trainer), before);
}

TEST(Trainer, EveryByteOfACheckpointIsVerifiedBeforeItIsUsed) {
  SavedRun run;
  train::Trainer& trainer = run.trainer;
  const std::filesystem::path& saved = run.checkpoint;
  auto damaged_copy = [&](const std::string& name) {
    const std::filesystem::path copy = run.dir.path() / name;
    std::filesystem::copy(saved, copy);
    return copy;
  };
  // One flipped bit in the env state (a bad size or offset there could crash the load).
  const auto env_flip = damaged_copy("env_flip");
  {
    std::fstream stream(env_flip / "env.bin", std::ios::in | std::ios::out | std::ios::binary);
    stream.seekg(100);
    char byte = 0;
    stream.read(&byte, 1);
    stream.seekp(100);
    byte = static_cast<char>(byte ^ 0x10);
    stream.write(&byte, 1);
  }
  expect_refused(trainer, env_flip, "env.bin is missing or does not match its size and checksum");
  // A block of 0xFF bytes in the weights and in the optimiser's moments: torch would load both.
  const auto model_block = damaged_copy("model_block");
  overwrite_bytes(model_block / "model.pt", std::filesystem::file_size(model_block / "model.pt") - 200, 16, '\xFF');
  expect_refused(trainer, model_block, "model.pt is missing");
  const auto optimizer_block = damaged_copy("optimizer_block");
  overwrite_bytes(optimizer_block / "optimizer.pt", std::filesystem::file_size(optimizer_block / "optimizer.pt") - 200,
                  16, '\xFF');
  expect_refused(trainer, optimizer_block, "optimizer.pt is missing");
  // An absurd update count written into the record.
  const auto absurd = damaged_copy("absurd");
  {
    std::string text = read_text(absurd / "trainer.txt");
    text.replace(text.find("\n1\n"), 3, "\n9223372036854775807\n");
    std::ofstream(absurd / "trainer.txt") << text;
  }
  expect_refused(trainer, absurd, "trainer.txt does not match its checksum");
  // A file the record lists is gone.
  const auto missing = damaged_copy("missing");
  std::filesystem::remove(missing / "optimizer.pt");
  expect_refused(trainer, missing, "optimizer.pt is missing");
  // The untouched checkpoint still loads.
  trainer.load_checkpoint(saved);
  EXPECT_EQ(trainer.updates(), 1);
}

TEST(Trainer, ACheckpointOfDivergedWeightsIsRefused) {
  SavedRun run;
  {
    torch::NoGradGuard no_grad;
    run.trainer.algorithm().parameters().front().view(-1)[0].fill_(std::numeric_limits<float>::quiet_NaN());
  }
  const std::filesystem::path diverged = run.dir.path() / "diverged";
  run.trainer.save_checkpoint(diverged);
  const Synthetic s = make_synthetic();
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer fresh(s.config, *env);
  expect_refused(fresh, diverged, "NaN or infinite weights");
  try {
    train::load_agent(diverged, s.config.train, env->observation_size(), env->action_count());
    ADD_FAILURE() << "loaded an agent of NaN weights";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("NaN or infinite weights"), std::string::npos) << e.what();
  }
}

TEST(Trainer, TheNewestWholeCheckpointIsRecoveredAfterAnInterruptedSave) {
  SavedRun run;
  const std::filesystem::path& checkpoint = run.checkpoint;
  const std::filesystem::path newer = run.dir.path() / "newer";
  run.trainer.update();
  run.trainer.save_checkpoint(newer);
  std::vector<std::string> said;
  const auto say = [&](const std::string& line) { said.push_back(line); };

  // Killed between the two renames of a save: the old checkpoint aside, the
  // new one whole in its temporary directory, nothing at `checkpoint`.
  std::filesystem::rename(checkpoint, checkpoint.string() + ".old");
  const std::filesystem::path temporary = checkpoint.string() + ".tmp123_456";
  std::filesystem::rename(newer, temporary);
  EXPECT_EQ(train::checkpoint_leftovers(checkpoint).size(), 2u);
  train::recover_checkpoint(checkpoint, say);
  EXPECT_EQ(train::verify_checkpoint(checkpoint).updates, 2);
  EXPECT_TRUE(train::checkpoint_leftovers(checkpoint).empty());
  ASSERT_EQ(said.size(), 2u);
  EXPECT_NE(said[0].find("recovered the checkpoint of update 2 from " + temporary.string()), std::string::npos)
      << said[0];

  // Killed while writing a save: its temporary directory has no record yet;
  // the checkpoint in place stays and the leftover goes.
  said.clear();
  const std::filesystem::path partial = checkpoint.string() + ".tmp789_1";
  std::filesystem::create_directories(partial);
  std::ofstream(partial / "model.pt") << "half";
  train::recover_checkpoint(checkpoint, say);
  EXPECT_EQ(train::verify_checkpoint(checkpoint).updates, 2);
  EXPECT_FALSE(std::filesystem::exists(partial));
  ASSERT_EQ(said.size(), 1u);
  EXPECT_NE(said[0].find("removed " + partial.string()), std::string::npos) << said[0];

  // Nothing whole: every candidate's problem is named.
  std::filesystem::remove(checkpoint / "env.bin");
  try {
    train::recover_checkpoint(checkpoint, say);
    ADD_FAILURE() << "recovered a damaged checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("env.bin is missing"), std::string::npos) << e.what();
  }
  EXPECT_THROW(train::recover_checkpoint(run.dir.path() / "none", say), Error);
}

/// A small tmpfs mounted for a test's lifetime (needs root: mounted() says whether it is there).
class SmallFilesystem {
 public:
  SmallFilesystem(const std::filesystem::path& at, const std::string& size) : at_(at) {
    std::filesystem::create_directories(at);
    mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount(at_.c_str());
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;
  bool mounted() const { return mounted_; }

  /// Writes `file` until the filesystem is full.
  static void fill(const std::filesystem::path& file) {
    std::ofstream out(file, std::ios::binary);
    const std::string block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())) && out.flush()) {
    }
  }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
};

TEST(Trainer, ACheckpointSaveOnAFullDiskFailsClearlyAndKeepsTheLastCheckpoint) {
  const Synthetic s = make_synthetic();
  TempDir dir;
  const SmallFilesystem disk(dir.path() / "disk", "4m");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root; the full disk is not simulated";
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  const std::filesystem::path checkpoint = dir.path() / "disk" / "checkpoint";
  trainer.update();
  trainer.save_checkpoint(checkpoint);
  SmallFilesystem::fill(dir.path() / "disk" / "filler");
  trainer.update();
  try {
    trainer.save_checkpoint(checkpoint);
    ADD_FAILURE() << "a checkpoint was saved onto a full disk";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot write checkpoint " + checkpoint.string()), std::string::npos) << what;
    EXPECT_NE(what.find("the last checkpoint there stays"), std::string::npos) << what;
  }
  EXPECT_EQ(train::verify_checkpoint(checkpoint).updates, 1);
  EXPECT_TRUE(train::checkpoint_leftovers(checkpoint).empty());
}

TEST(Trainer, PhaseTimingCoversTheUpdateAndChangesNothing) {
  const Synthetic s = make_synthetic();
  Config config = s.config;
  config.env.liquidate_at_end = false;  // truncation values: the rollout's second forward pass
  auto timed_env = make_cpu_env(s.data(), config.env, config.train.num_envs, config.seed);
  auto plain_env = make_cpu_env(s.data(), config.env, config.train.num_envs, config.seed);
  train::Trainer timed(config, *timed_env), plain(config, *plain_env);
  timed.update();
  EXPECT_EQ(timed.phase_seconds().updates, 0);
  timed.set_phase_timing(true);
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < 3; ++k) timed.update();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const train::UpdatePhaseSeconds phases = timed.phase_seconds();
  EXPECT_EQ(phases.updates, 3);
  for (const double part : {phases.forward, phases.env, phases.copies, phases.loss, phases.backward, phases.clipping,
                            phases.optimiser}) {
    EXPECT_GT(part, 0);
  }
  // The parts tile the updates: only a few statements at each end are outside them.
  EXPECT_LE(phases.total(), wall);
  EXPECT_GE(phases.total(), 0.9 * wall);
  timed.set_phase_timing(false);
  timed.update();
  EXPECT_EQ(timed.phase_seconds().updates, 3);
  for (int k = 0; k < 5; ++k) plain.update();
  expect_identical(parameters_of(timed), parameters_of(plain));
}

TEST(Trainer, A2CMetricsKeepTheirColumnsAndProgressLine) {
  const Synthetic s = make_synthetic();
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env);
  EXPECT_EQ(trainer.metrics_header(),
            "update,frames,frames_per_second,episodes,episode_pnl,episode_length,reward,advantage,value,policy_loss,"
            "value_loss,entropy,total_loss,gradient_l2,gradient_max,gradient_variance,learning_rate,epsilon,beta");
  for (int k = 0; k < 3; ++k) trainer.update();
  const train::TrainMetrics m = trainer.read_metrics();
  EXPECT_EQ(m.csv_row().substr(0, 6), "3,384,") << m.csv_row();
  EXPECT_DOUBLE_EQ(m.at("epsilon"), 0.05);
  EXPECT_DOUBLE_EQ(m.at("beta"), 0.001);
  EXPECT_THROW(m.at("no_such_metric"), Error);
  const std::string expected = format(
      "update %7lld  frames %10lld  %9.0f frames/s  episodes %5lld  pnl %9s  len %6s  reward %9.4g  "
      "loss %9.4g (pi %.3g, v %.3g)  entropy %.3f  lr %.2e  eps %.3f  beta %.4f",
      3LL, 384LL, m.frames_per_second, static_cast<long long>(m.episodes), format_or_dash("%.2f", m.episode_pnl).c_str(),
      format_or_dash("%.0f", m.episode_length).c_str(), m.reward, m.at("total_loss"), m.at("policy_loss"),
      m.at("value_loss"), m.at("entropy"), m.learning_rate, 0.05, 0.001);
  EXPECT_EQ(trainer.describe(m), expected);
}

TEST(Collector, RolloutsHoldTheActingPolicysLogProbabilitiesAndValues) {
  const Synthetic s = make_synthetic();
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  torch::manual_seed(1);
  train::A2C a2c(s.config.train, env->observation_size(), env->action_count(), torch::kCPU);
  train::Collector collector(*env, s.config.train.rollout_steps, s.config.seed, torch::kCPU, a2c);
  train::PhaseClock clock(torch::kCPU);
  const train::Rollout& r = collector.collect(a2c, 4, 0, {}, clock);
  EXPECT_FALSE(r.final_obs.defined());
  torch::NoGradGuard no_grad;
  for (std::int64_t t = 0; t < r.steps(); ++t) {
    const torch::Tensor logits = a2c.logits(r.obs[t]);
    const train::SampledActions expected = train::sample_actions_with_log_probs(
        logits, 0.05, train::counter_uniforms(s.config.seed, 4, static_cast<std::uint32_t>(t), RngPurpose::action, r.envs()));
    EXPECT_TRUE(torch::equal(r.actions[t], expected.actions)) << "step " << t;
    EXPECT_TRUE(torch::equal(r.log_probs[t], expected.log_probs)) << "step " << t;
    EXPECT_TRUE(torch::equal(r.values[t], a2c.value(r.obs[t]))) << "step " << t;
  }
}

/// Always action 2 (never filled on the synthetic book), asking for next observations.
class StandStill final : public train::Actor {
 public:
  train::ActorStep act(const torch::Tensor& observations, const torch::Tensor&, double) override {
    const std::int64_t n = observations.size(0);
    return {torch::full({n}, 2, torch::kInt32), torch::zeros({n}), torch::zeros({n}), {}};
  }
  torch::Tensor value(const torch::Tensor& observations) override { return torch::zeros({observations.size(0)}); }
  bool needs_next_observations() const override { return true; }
};

TEST(Collector, NextObservationsFollowEachStepAcrossEpisodeEnds) {
  // One frame per observation; its last agent feature is the episode's time
  // left, (L - step) / L: the observation after a step has 1 / L less, down to
  // 0 in the final observation of an episode, whose envs restart at 1.
  const Synthetic s = make_synthetic();
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  StandStill actor;
  train::Collector collector(*env, s.config.train.rollout_steps, s.config.seed, torch::kCPU, actor);
  train::PhaseClock clock(torch::kCPU);
  const std::int64_t time_left = env->observation_size() - 1;
  const double step = 1.0 / static_cast<double>(s.config.env.episode_length);
  std::int64_t ends = 0;
  for (int update = 0; update < 3; ++update) {  // 24 steps: every env crosses the end of its 20-step episode
    const train::Rollout& r = collector.collect(actor, update, 0, {}, clock);
    const torch::Tensor next = train::next_observations(r).select(2, time_left).to(torch::kFloat64);
    const torch::Tensor now = r.obs.select(2, time_left).to(torch::kFloat64);
    EXPECT_LT((next - (now - step)).abs().max().item<double>(), kFloat32Rounding);
    const torch::Tensor ended = torch::logical_or(r.terminated, r.truncated);
    ends += ended.sum().item<std::int64_t>();
    EXPECT_TRUE(torch::equal(next.masked_select(ended), torch::zeros({ended.sum().item<std::int64_t>()},
                                                                      torch::kFloat64)));
  }
  EXPECT_EQ(ends, s.config.train.num_envs);
}

/// A toy off-policy learner written against the Algorithm interface only: a
/// softmax over learnable action preferences that ignores the observation,
/// fitted to a replay buffer (its own state) of every action taken and its
/// reward, two gradient steps per update.
class ReplayBandit final : public train::Algorithm {
 public:
  ReplayBandit(std::int64_t actions, const torch::Device& device)
      : preferences_(torch::zeros({actions}, torch::TensorOptions().device(device)).requires_grad_()),
        replay_actions_(torch::zeros({0}, torch::TensorOptions().dtype(torch::kLong).device(device))),
        replay_rewards_(torch::zeros({0}, torch::TensorOptions().device(device))) {}

  train::ActorStep act(const torch::Tensor& observations, const torch::Tensor& uniforms, double) override {
    const torch::Tensor logits = preferences_.detach().unsqueeze(0).expand({observations.size(0), -1});
    const train::SampledActions sampled = train::sample_actions_with_log_probs(logits, 0.0, uniforms);
    return {sampled.actions, sampled.log_probs, torch::zeros({observations.size(0)}, observations.options()), {}};
  }
  torch::Tensor value(const torch::Tensor& observations) override {
    return torch::zeros({observations.size(0)}, observations.options());
  }
  std::string name() const override { return "replay_bandit"; }
  std::vector<std::string> metric_names() const override { return {"replay_size", "replay_loss"}; }
  std::vector<train::Setting> settings(double frame) const override { return {{"toy_frame", frame}}; }
  std::vector<torch::Tensor> parameters() override { return {preferences_}; }

  std::vector<torch::Tensor> update(const train::Rollout& rollout, const train::UpdateContext&,
                                    const train::GradientStep& step) override {
    replay_actions_ = torch::cat({replay_actions_, rollout.actions.reshape({-1}).to(torch::kLong)});
    replay_rewards_ = torch::cat({replay_rewards_, rollout.rewards.reshape({-1})});
    torch::Tensor loss;
    for (int k = 0; k < 2; ++k) {
      // Raise the log-probability of actions by how much better than average they paid.
      const torch::Tensor advantage = replay_rewards_ - replay_rewards_.mean();
      loss = -(advantage * torch::log_softmax(preferences_, 0).index_select(0, replay_actions_)).mean();
      step(loss);
    }
    const auto options = torch::TensorOptions().dtype(torch::kFloat64).device(preferences_.device());
    return {torch::full({}, static_cast<double>(replay_actions_.size(0)), options),
            loss.detach().to(torch::kFloat64)};
  }

  torch::Tensor logits(const torch::Tensor& observations) override {
    return preferences_.detach().unsqueeze(0).expand({observations.size(0), -1});
  }
  /// The action whose rewards in the replay buffer are highest on average.
  std::int64_t best_replayed_action() const {
    const std::int64_t actions = preferences_.size(0);
    const torch::Tensor counts = torch::bincount(replay_actions_, {}, actions).to(torch::kFloat64);
    const torch::Tensor sums = torch::bincount(replay_actions_, replay_rewards_.to(torch::kFloat64), actions);
    return (sums / counts).argmax().item<std::int64_t>();
  }
  std::int64_t preferred_action() const { return preferences_.argmax().item<std::int64_t>(); }
  std::string describe_metrics(const std::vector<double>& metrics) const override {
    return "replay " + std::to_string(static_cast<long long>(metrics[0]));
  }
  std::string describe_settings(const std::vector<train::Setting>&) const override { return "toy"; }

  void save(const std::filesystem::path& dir) const override {
    torch::serialize::OutputArchive archive;
    archive.write("preferences", preferences_);
    archive.write("replay_actions", replay_actions_);
    archive.write("replay_rewards", replay_rewards_);
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_file(dir / "bandit.pt", bytes.str());
  }
  void load(const std::filesystem::path& dir, const torch::Device& device) override {
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "bandit.pt").string(), device);
    torch::Tensor preferences;
    archive.read("preferences", preferences);
    preferences_.detach().copy_(preferences);
    archive.read("replay_actions", replay_actions_);
    archive.read("replay_rewards", replay_rewards_);
  }

 private:
  torch::Tensor preferences_;
  torch::Tensor replay_actions_, replay_rewards_;
};

train::AlgorithmFactory replay_bandit() {
  return [](std::int64_t, std::int64_t actions, const torch::Device& device) {
    return std::make_unique<ReplayBandit>(actions, device);
  };
}

TEST(EvaluationDraws, EachPolicyAndTheBootstrapDrawFromTheirOwnPurpose) {
  const std::vector<RngPurpose> purposes = {RngPurpose::episode_start, RngPurpose::fill,
                                            RngPurpose::action,        RngPurpose::latency,
                                            RngPurpose::random_policy, RngPurpose::agent_sampling,
                                            RngPurpose::bootstrap};
  for (std::size_t a = 0; a < purposes.size(); ++a) {
    for (std::size_t b = a + 1; b < purposes.size(); ++b) {
      EXPECT_NE(static_cast<std::uint32_t>(purposes[a]), static_cast<std::uint32_t>(purposes[b])) << a << ", " << b;
    }
  }

  constexpr std::uint64_t kSeed = 11;
  constexpr std::int64_t kEnvs = 32, kActions = 4, kStep = 5;
  const std::vector<float> observations(kEnvs, 0.0f);
  eval::PolicyInput input;
  input.obs = observations.data();
  input.n = kEnvs;
  input.obs_size = 1;
  input.step = kStep;
  input.steps = 10;
  std::vector<std::int32_t> actions(kEnvs);
  const eval::Decision decision{actions.data(), nullptr};

  eval::random_policy(kSeed, kActions)->decide(input, decision);
  for (std::int64_t i = 0; i < kEnvs; ++i) {
    EXPECT_EQ(actions[i], static_cast<std::int32_t>(uniform_index(kSeed, i, 0, kStep, RngPurpose::random_policy,
                                                                  kActions)))
        << "env " << i;
  }

  // The bandit's preferences start at 0: the sampled agent inverts a uniform distribution at its draws.
  ReplayBandit bandit(kActions, torch::kCPU);
  train::agent_policy(bandit, false, kSeed)->decide(input, decision);
  torch::Tensor uniforms = torch::empty({kEnvs}, torch::kFloat64);
  for (std::int64_t i = 0; i < kEnvs; ++i) {
    uniforms[i] = uniform01(kSeed, i, 0, kStep, RngPurpose::agent_sampling);
  }
  const torch::Tensor expected = train::sample_actions(torch::zeros({kEnvs, kActions}), 0.0, uniforms);
  for (std::int64_t i = 0; i < kEnvs; ++i) EXPECT_EQ(actions[i], expected[i].item<std::int32_t>()) << "env " << i;

  // One resample of the differences 0..7: its mean is the interval's both ends.
  const std::vector<double> a = {0, 1, 2, 3, 4, 5, 6, 7}, b(8, 0.0);
  double resampled = 0;
  for (std::uint64_t k = 0; k < a.size(); ++k) resampled += a[uniform_index(kSeed, k, 0, 0, RngPurpose::bootstrap, 8)];
  const stats::PairedDifference d = stats::paired_difference(a, b, kSeed, 1);
  EXPECT_DOUBLE_EQ(d.low, resampled / 8);
  EXPECT_DOUBLE_EQ(d.high, resampled / 8);
  EXPECT_DOUBLE_EQ(d.mean, 3.5);
}

double bandit_probability(train::Trainer& trainer, BatchEnv& env, int action) {
  torch::NoGradGuard no_grad;
  const torch::Tensor obs =
      torch::from_blob(env.outputs().obs, {env.num_envs(), env.observation_size()}, torch::kFloat32);
  return torch::softmax(trainer.algorithm().logits(obs), 1).select(1, action).mean().item<double>();
}

TEST(TrainerShell, AToyReplayAlgorithmLearnsChecksPointsResumesAndReportsItsMetrics) {
  Synthetic s = make_synthetic();
  s.config.train.learning_rate = 0.05;  // a few preferences, not a network: larger Adam steps
  TempDir dir;
  auto env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer trainer(s.config, *env, replay_bandit());
  EXPECT_NEAR(bandit_probability(trainer, *env, 1), 1.0 / 3.0, kFloat32Rounding);
  for (int k = 0; k < 30; ++k) trainer.update();
  // The shell's gradient steps climbed towards the action that paid best in the toy's replay buffer.
  const auto& bandit = dynamic_cast<const ReplayBandit&>(trainer.algorithm());
  EXPECT_EQ(bandit.preferred_action(), bandit.best_replayed_action());
  EXPECT_GT(bandit_probability(trainer, *env, static_cast<int>(bandit.preferred_action())), 0.5);

  const train::TrainMetrics m = trainer.read_metrics();
  const std::int64_t frames_per_update = s.config.train.num_envs * s.config.train.rollout_steps;
  // The buffer held k rollouts after update k: their mean over updates 1..30 is 15.5 rollouts.
  EXPECT_EQ(m.at("replay_size"), 15.5 * static_cast<double>(frames_per_update));
  EXPECT_EQ(m.at("toy_frame"), 30.0 * static_cast<double>(frames_per_update));
  EXPECT_EQ(trainer.metrics_header(), "update,frames,frames_per_second,episodes,episode_pnl,episode_length,reward,"
                                      "replay_size,replay_loss,gradient_l2,gradient_max,gradient_variance,"
                                      "learning_rate,toy_frame");
  EXPECT_NE(trainer.describe(m).find("replay "), std::string::npos);
  EXPECT_GT(m.gradient_l2, 0);

  // Resume: the replay buffer is the algorithm's state and comes back with it.
  trainer.save_checkpoint(dir.path() / "checkpoint");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "checkpoint" / "bandit.pt"));
  trainer.update();
  const torch::Tensor expected = trainer.algorithm().parameters().front().detach().clone();
  auto fresh_env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer resumed(s.config, *fresh_env, replay_bandit());
  resumed.load_checkpoint(dir.path() / "checkpoint");
  EXPECT_EQ(resumed.updates(), 30);
  resumed.update();
  EXPECT_TRUE(torch::equal(resumed.algorithm().parameters().front(), expected));
  EXPECT_EQ(resumed.read_metrics().at("replay_size"), 31.0 * static_cast<double>(frames_per_update));
  // A2C does not resume the toy's checkpoint.
  auto other_env = make_cpu_env(s.data(), s.config.env, s.config.train.num_envs, s.config.seed);
  train::Trainer a2c(s.config, *other_env);
  try {
    a2c.load_checkpoint(dir.path() / "checkpoint");
    ADD_FAILURE() << "another algorithm's checkpoint was loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("written by replay_bandit, not a2c"), std::string::npos) << e.what();
  }
  EXPECT_EQ(a2c.updates(), 0);
}

}  // namespace
}  // namespace mmsim::test
