#include "mmsim/train/trainer.hpp"

#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "data/file_io.hpp"
#include "mmsim/core/clock.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/dqn.hpp"
#include "mmsim/train/gaussian.hpp"
#include "mmsim/train/schedule.hpp"
#include "mmsim/train/torch_files.hpp"

namespace mmsim::train {
namespace {

// Format 4: trainer.txt lists every file of the checkpoint with its size and
// checksum, and ends with the checksum of its own lines.
constexpr const char* kCheckpointMagic = "mmsim-checkpoint-4";
constexpr const char* kCheckpointMagicPrefix = "mmsim-checkpoint-";
constexpr const char* kRecordFile = "trainer.txt";

std::string hex(std::uint64_t value) { return format("%016llx", static_cast<unsigned long long>(value)); }

/// trainer.txt of the checkpoint files in `dir`: the format, the record's
/// fields, one line "file <name> <bytes> <checksum>" per file (by name), then
/// "checksum <checksum of every line before>".
std::string checkpoint_record_text(const std::filesystem::path& dir, const CheckpointRecord& record) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::string text = format("%s\n%lld\n%llu\n%s\n", kCheckpointMagic, static_cast<long long>(record.updates),
                            static_cast<unsigned long long>(record.config_hash), record.algorithm.c_str());
  for (const std::string& name : names) {
    const std::string bytes = detail::read_raw_file(dir / name);
    text += "file " + name + " " + std::to_string(bytes.size()) + " " + hex(detail::hash64(bytes)) + "\n";
  }
  return text + "checksum " + hex(detail::hash64(text)) + "\n";
}

/// Throws Error naming `checkpoint` when a weight of `algorithm` is NaN or infinite.
void require_finite_parameters(Algorithm& algorithm, const std::filesystem::path& checkpoint) {
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& parameter : algorithm.parameters()) {
    if (!torch::isfinite(parameter).all().item<bool>()) {
      throw Error("checkpoint " + checkpoint.string() + " holds NaN or infinite weights: the run it saved diverged");
    }
  }
}

}  // namespace

CheckpointRecord verify_checkpoint(const std::filesystem::path& dir) {
  const std::string where = "checkpoint " + dir.string();
  if (!std::filesystem::is_directory(dir)) throw Error(where + " does not exist");
  std::ifstream file(dir / kRecordFile);
  if (!file) throw Error(where + " is missing or damaged (no " + kRecordFile + ")");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream lines(text);
  std::string magic;
  lines >> magic;
  if (magic != kCheckpointMagic && magic.rfind(kCheckpointMagicPrefix, 0) == 0) {
    throw Error(where + " was written by another version of mmsim (" + magic + "; this version reads " +
                kCheckpointMagic + ")");
  }
  const std::size_t checksum_at = text.rfind("checksum ");
  if (magic != kCheckpointMagic || checksum_at == std::string::npos ||
      text.substr(checksum_at) != "checksum " + hex(detail::hash64(text.substr(0, checksum_at))) + "\n") {
    throw Error(where + " is damaged: its " + kRecordFile + " does not match its checksum");
  }
  CheckpointRecord record;
  lines >> record.updates >> record.config_hash >> record.algorithm;
  if (!lines || record.updates < 0) throw Error(where + " is damaged (" + kRecordFile + ")");
  for (std::string label; lines >> label && label == "file";) {
    std::string name, checksum;
    std::size_t size = 0;
    lines >> name >> size >> checksum;
    std::error_code error;
    const std::string bytes = std::filesystem::is_regular_file(dir / name, error) ? detail::read_raw_file(dir / name)
                                                                                  : std::string();
    if (bytes.size() != size || hex(detail::hash64(bytes)) != checksum) {
      throw Error(where + " is damaged: " + name + " is missing or does not match its size and checksum");
    }
  }
  return record;
}

std::vector<std::filesystem::path> checkpoint_leftovers(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  const std::filesystem::path parent = dir.parent_path().empty() ? "." : dir.parent_path();
  // temporary_path_for(dir) names them "<dir>.tmp<pid>_<random>".
  const std::string temporary_prefix = dir.filename().string() + ".tmp";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(parent, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind(temporary_prefix, 0) == 0) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  const std::filesystem::path old = dir.string() + ".old";
  if (std::filesystem::exists(old)) found.push_back(old);
  return found;
}

void recover_checkpoint(const std::filesystem::path& dir, const std::function<void(const std::string&)>& say) {
  std::vector<std::filesystem::path> candidates = checkpoint_leftovers(dir);
  if (std::filesystem::exists(dir)) candidates.insert(candidates.begin(), dir);
  if (candidates.empty()) throw Error("checkpoint " + dir.string() + " does not exist: there is nothing to resume");
  std::filesystem::path newest;
  std::int64_t newest_updates = -1;
  std::string problems;
  for (const std::filesystem::path& candidate : candidates) {
    try {
      const CheckpointRecord record = verify_checkpoint(candidate);
      if (record.updates > newest_updates) {
        newest = candidate;
        newest_updates = record.updates;
      }
    } catch (const Error& e) {
      problems += std::string("\n  ") + e.what();
    }
  }
  if (newest.empty()) throw Error("no whole checkpoint to resume at " + dir.string() + ":" + problems);
  if (newest != dir) {
    std::filesystem::remove_all(dir);
    std::filesystem::rename(newest, dir);
    say("recovered the checkpoint of update " + std::to_string(newest_updates) + " from " + newest.string() +
        " (a save was interrupted)\n");
  }
  for (const std::filesystem::path& candidate : candidates) {
    if (candidate == dir || candidate == newest) continue;
    std::filesystem::remove_all(candidate);
    say("removed " + candidate.string() + ", left by an interrupted save\n");
  }
}

double TrainMetrics::at(const std::string& name) const {
  for (const auto& list : {&algorithm, &settings}) {
    for (const auto& [metric, value] : *list) {
      if (metric == name) return value;
    }
  }
  throw Error("no training metric named " + name);
}

std::string TrainMetrics::csv_row() const {
  std::string row = format("%lld,%lld,%.1f,%lld,%s,%s,%.6g", static_cast<long long>(update),
                           static_cast<long long>(frames), frames_per_second, static_cast<long long>(episodes),
                           format_or_dash("%.6g", episode_pnl).c_str(), format_or_dash("%.1f", episode_length).c_str(),
                           reward);
  for (const auto& [name, value] : algorithm) row += format(",%.6g", value);
  row += format(",%.6g,%.6g,%.6g,%.6g", gradient_l2, gradient_max, gradient_variance, learning_rate);
  for (const auto& [name, value] : settings) row += format(",%.6g", value);
  return row;
}

Trainer::Trainer(const Config& config, BatchEnv& env) : Trainer(config, env, algorithm_factory(config.train)) {}

namespace {

/// `config`, once its train section is checked (before the trainer's members use it).
const Config& validated(const Config& config) {
  validate(config.train);
  return config;
}

}  // namespace

Trainer::Trainer(const Config& config, BatchEnv& env, AlgorithmFactory make)
    : config_(validated(config)),
      env_(env),
      make_(std::move(make)),
      frames_per_update_(config.train.num_envs * config.train.rollout_steps),
      device_(device_of(env)),
      stream_(device_.is_cuda() ? current_stream() : StreamHandle{}),
      clock_(device_) {
  if (env.num_envs() != config.train.num_envs) {
    throw ConfigError("train.num_envs", "the env batch has " + std::to_string(env.num_envs()) + " envs, the config " +
                                            std::to_string(config.train.num_envs));
  }
  // Deterministic initial weights for the run's seed.
  torch::manual_seed(config.seed);
  algorithm_ = make_(env_.observation_size(), env_.action_count(), device_);
  optimizer_ = make_optimizer(*algorithm_);
  parameters_ = algorithm_->parameters();
  collector_ = std::make_unique<Collector>(env, config.train.rollout_steps, config.seed, device_, *algorithm_);
  reset_sums();
  seconds_at_read_ = steady_seconds();
}

std::unique_ptr<torch::optim::Adam> Trainer::make_optimizer(Algorithm& algorithm) const {
  return std::make_unique<torch::optim::Adam>(algorithm.parameters(),
                                              torch::optim::AdamOptions(config_.train.learning_rate));
}

StreamHandle Trainer::env_stream() const {
  if (!device_.is_cuda()) return {};
  // Work on another stream would not be ordered with the env's (its memory
  // was allocated and reset on the stream current when it was made).
  MMSIM_ASSERT(current_stream().handle == stream_.handle,
               "a CUDA trainer must be used with the CUDA stream it was made on as torch's current stream");
  return stream_;
}

void Trainer::reset_sums() {
  for (torch::Tensor* t : {&sum_reward_, &sum_grad_l2_, &sum_grad_max_, &sum_grad_var_}) *t = zero_sum(device_);
  sum_algorithm_.assign(algorithm_->metric_names().size(), torch::Tensor());
  for (torch::Tensor& t : sum_algorithm_) t = zero_sum(device_);
  collector_->reset_episode_sums();
  updates_since_read_ = 0;
  gradient_steps_since_read_ = 0;
}

void Trainer::update() {
  const double frame = static_cast<double>(frames());
  clock_.mark(nullptr);
  const Rollout& rollout = collector_->collect(*algorithm_, updates_, frame, env_stream(), clock_);
  const std::vector<torch::Tensor> metrics =
      algorithm_->update(rollout, {config_.seed, updates_, frame},
                         [this](const torch::Tensor& loss) { gradient_step(loss); });
  MMSIM_ASSERT(metrics.size() == sum_algorithm_.size(), "an algorithm returns one value per metric name");
  sum_reward_ += rollout.rewards.to(torch::kFloat64).mean();
  for (std::size_t k = 0; k < metrics.size(); ++k) sum_algorithm_[k] += metrics[k];
  clock_.mark(&UpdatePhaseSeconds::optimiser);
  clock_.count_update();
  ++updates_;
  ++updates_since_read_;
}

void Trainer::gradient_step(const torch::Tensor& loss) {
  const TrainConfig& tc = config_.train;
  optimizer_->zero_grad();
  clock_.mark(&UpdatePhaseSeconds::loss);
  loss.backward();
  clock_.mark(&UpdatePhaseSeconds::backward);

  // The gradient hook. Statistics and clipping as tensor work (clip_grad_norm_
  // would read the norm on the host).
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters_) {
    if (p.grad().defined()) grads.push_back(p.grad().reshape({-1}));
  }
  const torch::Tensor all = torch::cat(grads);
  const torch::Tensor l2 = all.norm();
  sum_grad_l2_ += l2.to(torch::kFloat64);
  sum_grad_max_ += all.abs().max().to(torch::kFloat64);
  sum_grad_var_ += all.var().to(torch::kFloat64);
  if (tc.clip == ClipKind::norm) {
    const torch::Tensor scale = (tc.clip_max / (l2 + 1e-6)).clamp_max(1.0);
    for (const auto& p : parameters_) {
      if (p.grad().defined()) p.grad().mul_(scale);
    }
  } else {
    for (const auto& p : parameters_) {
      if (p.grad().defined()) p.grad().clamp_(-tc.clip_max, tc.clip_max);
    }
  }
  clock_.mark(&UpdatePhaseSeconds::clipping);
  const double lr = decayed_learning_rate(tc.learning_rate, tc.learning_rate_decay, tc.min_learning_rate, updates_);
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  optimizer_->step();
  ++gradient_steps_since_read_;
  clock_.mark(&UpdatePhaseSeconds::optimiser);
}

TrainMetrics Trainer::read_metrics() {
  env_.check_faults(env_stream());
  TrainMetrics m;
  m.update = updates_;
  m.frames = frames();
  const double now = steady_seconds();
  m.frames_per_second = static_cast<double>(m.frames - frames_at_read_) / std::max(now - seconds_at_read_, 1e-9);
  const double u = static_cast<double>(std::max<std::int64_t>(updates_since_read_, 1));
  const double g = static_cast<double>(std::max<std::int64_t>(gradient_steps_since_read_, 1));
  const EpisodeSums& episodes = collector_->episode_sums();
  m.episodes = static_cast<std::int64_t>(episodes.episodes.item<double>());
  const double finished = static_cast<double>(m.episodes);
  m.episode_pnl = m.episodes > 0 ? episodes.pnl.item<double>() / finished : std::nan("");
  m.episode_length = m.episodes > 0 ? episodes.length.item<double>() / finished : std::nan("");
  m.reward = sum_reward_.item<double>() / u;
  const std::vector<std::string> names = algorithm_->metric_names();
  for (std::size_t k = 0; k < names.size(); ++k) {
    m.algorithm.emplace_back(names[k], sum_algorithm_[k].item<double>() / u);
  }
  m.gradient_l2 = sum_grad_l2_.item<double>() / g;
  m.gradient_max = sum_grad_max_.item<double>() / g;
  m.gradient_variance = sum_grad_var_.item<double>() / g;
  const TrainConfig& tc = config_.train;
  m.learning_rate = decayed_learning_rate(tc.learning_rate, tc.learning_rate_decay, tc.min_learning_rate, updates_);
  m.settings = algorithm_->settings(static_cast<double>(m.frames));
  reset_sums();
  seconds_at_read_ = now;
  frames_at_read_ = m.frames;
  return m;
}

std::string Trainer::describe(const TrainMetrics& m) const {
  std::vector<double> values;
  for (const auto& [name, value] : m.algorithm) values.push_back(value);
  return format("update %7lld  frames %10lld  %9.0f frames/s  episodes %5lld  pnl %9s  len %6s  reward %9.4g  %s  "
                "lr %.2e  %s",
                static_cast<long long>(m.update), static_cast<long long>(m.frames), m.frames_per_second,
                static_cast<long long>(m.episodes), format_or_dash("%.2f", m.episode_pnl).c_str(),
                format_or_dash("%.0f", m.episode_length).c_str(), m.reward, algorithm_->describe_metrics(values).c_str(),
                m.learning_rate, algorithm_->describe_settings(m.settings).c_str());
}

std::string Trainer::metrics_header() const {
  std::string header = "update,frames,frames_per_second,episodes,episode_pnl,episode_length,reward";
  for (const std::string& name : algorithm_->metric_names()) header += "," + name;
  header += ",gradient_l2,gradient_max,gradient_variance,learning_rate";
  for (const auto& [name, value] : algorithm_->settings(0)) header += "," + name;
  return header;
}

void Trainer::save_checkpoint(const std::filesystem::path& dir) {
  const std::filesystem::path temporary = temporary_path_for(dir);
  // A save that fails (a full disk) leaves the last checkpoint as it was and no partial directory.
  const auto fail = [&](const std::string& reason) {
    std::error_code ignored;
    std::filesystem::remove_all(temporary, ignored);
    throw Error("cannot write checkpoint " + dir.string() + " (" + reason + "); the last checkpoint there stays");
  };
  try {
    std::filesystem::create_directories(temporary);
    algorithm_->save(temporary);
    save_torch(*optimizer_, temporary / "optimizer.pt");
    const std::vector<std::uint8_t> state = env_.save_state(env_stream());
    write_file(temporary / "env.bin", std::string_view(reinterpret_cast<const char*>(state.data()), state.size()));
    // The record last: a directory with a valid record is a whole checkpoint.
    write_file(temporary / kRecordFile,
               checkpoint_record_text(temporary, {updates_, config_hash(config_), algorithm_->name()}));
  } catch (const c10::Error& e) {
    fail(e.what_without_backtrace());
  } catch (const std::filesystem::filesystem_error& e) {
    fail(e.what());
  } catch (const Error& e) {
    fail(e.what());
  }
  replace_directory(temporary, dir);
}

void Trainer::load_checkpoint(const std::filesystem::path& dir) {
  const CheckpointRecord record = verify_checkpoint(dir);
  if (record.updates > std::numeric_limits<std::int64_t>::max() / frames_per_update_) {
    throw Error("checkpoint " + dir.string() + " is damaged: " + std::to_string(record.updates) +
                " updates of " + std::to_string(frames_per_update_) + " frames do not fit in 64 bits");
  }
  std::ifstream env_file(dir / "env.bin", std::ios::binary);
  const std::vector<std::uint8_t> state((std::istreambuf_iterator<char>(env_file)), std::istreambuf_iterator<char>());
  // Load into fresh objects first, so a damaged checkpoint leaves the trainer unchanged.
  std::unique_ptr<Algorithm> algorithm = make_(env_.observation_size(), env_.action_count(), device_);
  if (record.algorithm != algorithm->name()) {
    throw Error("checkpoint " + dir.string() + " was written by " + record.algorithm + ", not " + algorithm->name());
  }
  std::unique_ptr<torch::optim::Adam> optimizer;
  try {
    // Onto this trainer's device, whichever device saved them.
    algorithm->load(dir, device_);
    optimizer = make_optimizer(*algorithm);
    torch::load(*optimizer, (dir / "optimizer.pt").string(), device_);
  } catch (const c10::Error& e) {
    throw Error("checkpoint " + dir.string() + " is damaged or made with another network: " +
                e.what_without_backtrace());
  }
  require_finite_parameters(*algorithm, dir);
  env_.load_state(state, env_stream());
  algorithm_ = std::move(algorithm);
  optimizer_ = std::move(optimizer);
  parameters_ = algorithm_->parameters();
  updates_ = record.updates;
  frames_at_read_ = frames();
  reset_sums();
}

namespace {

/// training_bytes in doubles: absurd settings must not overflow.
double needed_bytes(const EnvData& data, const Config& config) {
  return static_cast<double>(training_bytes_per_env(data, config)) * static_cast<double>(config.train.num_envs) +
         static_cast<double>(training_bytes_per_run(data, config));
}

/// Outputs of the network's policy head (DQN's advantage head): the action table's rows, or the quote offsets.
std::int64_t policy_outputs(const Config& config, const StepParams& p) {
  return config.train.policy == PolicyKind::gaussian ? kQuoteDims : p.action_count;
}

}  // namespace

std::int64_t training_bytes_per_env(const EnvData& data, const Config& config) {
  const StepParams p = make_step_params(config.env, data, config.seed);
  const std::int64_t env_bytes = total_bytes(state_layout(1, p)) + total_bytes(output_layout(1, p));
  const std::int64_t observation = p.observation_size();
  const std::int64_t n = config.train.rollout_steps;
  // Per step: observation (float32), action (int32, or two float32 for
  // continuous quotes), log-probability, value, reward, two flags, truncation
  // value; and the uniforms (float64) and quotes (4 float64) of one step.
  const bool continuous = config.train.policy == PolicyKind::gaussian;
  const std::int64_t action = continuous ? 4 * kQuoteDims : 4;
  const std::int64_t draws = continuous ? 8 * kQuoteDims + static_cast<std::int64_t>(sizeof(ActionRow)) : 8;
  const std::int64_t rollout = n * (observation * 4 + action + 4 + 4 + 4 + 2 + 4) + draws;
  // The update's forward and backward over n observations: the input and every
  // layer's output (float32), each with its gradient.
  const NetworkConfig& net = config.train.network;
  const std::int64_t widths =
      net.shared + net.policy_hidden + net.value_hidden + 2 * policy_outputs(config, p) + 2;
  const std::int64_t update = n * (observation + 2 * widths) * 4 * 2;
  // DQN: the rollout's final observations, and its n-step transitions'
  // observations, next observations and their gathered copy before they are stored.
  const std::int64_t transitions = config.train.algorithm == AlgorithmKind::dqn ? n * observation * 4 * 4 : 0;
  return env_bytes + rollout + update + transitions;
}

std::int64_t training_bytes_per_run(const EnvData& data, const Config& config) {
  const BookTensor& book = *data.book;
  const auto bytes = [](const auto& values) {
    return static_cast<std::int64_t>(values.size() * sizeof(values[0]));
  };
  std::int64_t market = bytes(book.bid_price) + bytes(book.ask_price) + bytes(book.bid_size) +
                        bytes(book.ask_size) + bytes(data.features->values);
  if (config.env.fill_model == FillModel::trades) {
    market += bytes(book.message_begin) + bytes(book.message_end) + bytes(book.messages.type) +
              bytes(book.messages.size) + bytes(book.messages.price_half_ticks) + bytes(book.messages.direction);
  }
  const StepParams p = make_step_params(config.env, data, config.seed);
  const std::int64_t observation = p.observation_size();
  const NetworkConfig& net = config.train.network;
  const std::int64_t weights = (observation + 1) * net.shared + (net.shared + 1) * net.policy_hidden +
                               (net.policy_hidden + 1) * policy_outputs(config, p) + (net.shared + 1) * net.value_hidden +
                               net.value_hidden + 1;
  // float32 weights, their gradients and Adam's two moments; DQN's target network.
  const bool target = config.train.algorithm == AlgorithmKind::dqn && config.train.dqn.target_network;
  return market + weights * 4 * (target ? 5 : 4) + replay_buffer_bytes(data, config);
}

std::int64_t replay_buffer_bytes(const EnvData& data, const Config& config) {
  if (config.train.algorithm != AlgorithmKind::dqn) return 0;
  return config.train.dqn.buffer_size *
         Dqn::bytes_per_transition(make_step_params(config.env, data, config.seed).observation_size());
}

std::int64_t training_bytes(const EnvData& data, const Config& config) {
  return training_bytes_per_env(data, config) * config.train.num_envs + training_bytes_per_run(data, config);
}

std::int64_t available_host_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string label;
  std::int64_t kibibytes = 0;
  std::string unit;
  while (meminfo >> label >> kibibytes >> unit) {
    if (label == "MemAvailable:") return kibibytes * 1024;
  }
  return -1;
}

ConfigError host_memory_error(const EnvData& data, const Config& config, std::int64_t available) {
  // In doubles: absurd settings must not overflow the estimate.
  const double per_env = static_cast<double>(training_bytes_per_env(data, config));
  const double per_run = static_cast<double>(training_bytes_per_run(data, config));
  const double needed = needed_bytes(data, config);
  const double budget = static_cast<double>(available);
  const auto fit = static_cast<long long>(std::max(0.0, (0.9 * budget - per_run) / per_env));
  const double replay = static_cast<double>(replay_buffer_bytes(data, config));
  // The part of the run that does not fit alone, else the envs.
  const char* key = per_run > budget   ? (2 * replay >= per_run ? "train.dqn.buffer_size" : "train.network")
                    : per_env > budget ? "train.rollout_steps"
                                       : "train.num_envs";
  return ConfigError(key, format("%lld envs need about %.1f GiB of host memory (%.1f KiB per env: env state and "
                                 "outputs, %lld rollout steps, the update; %.1f MiB for the data, the network and "
                                 "any replay buffer (%.1f MiB)), and %.1f GiB are available, so about %lld envs fit",
                                 static_cast<long long>(config.train.num_envs), needed / 1073741824.0,
                                 per_env / 1024.0, static_cast<long long>(config.train.rollout_steps),
                                 per_run / 1048576.0, replay / 1048576.0, budget / 1073741824.0, fit));
}

void check_host_memory(const EnvData& data, const Config& config, std::int64_t available) {
  if (available >= 0 && needed_bytes(data, config) > static_cast<double>(available)) {
    throw host_memory_error(data, config, available);
  }
}

std::unique_ptr<Algorithm> load_agent(const std::filesystem::path& checkpoint, const TrainConfig& config,
                                      std::int64_t observation_size, std::int64_t actions) {
  const CheckpointRecord record = verify_checkpoint(checkpoint);
  std::unique_ptr<Algorithm> algorithm = algorithm_factory(config)(observation_size, actions, torch::kCPU);
  if (record.algorithm != algorithm->name()) {
    throw Error("checkpoint " + checkpoint.string() + " was written by " + record.algorithm + ", not " +
                algorithm->name());
  }
  try {
    algorithm->load(checkpoint, torch::kCPU);
  } catch (const c10::Error& e) {
    throw Error("checkpoint " + checkpoint.string() + " was made with another network: " + e.what_without_backtrace());
  }
  require_finite_parameters(*algorithm, checkpoint);
  return algorithm;
}

}  // namespace mmsim::train
