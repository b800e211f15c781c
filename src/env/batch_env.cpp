// The market-making env batch on any backend: its memory holds the buffers
// of the field tables, its launcher runs the step core over them.

#include <cstring>

#include "env/backend.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim::detail {
namespace {

/// Leads the bytes of save_state: the layout of this version (format 3 of
/// the checkpoints). Bytes of an older layout do not start with it.
constexpr char kStateTag[16] = "mmsim-env-3";

class Env final : public BatchEnv {
 public:
  Env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs, std::uint64_t seed,
      std::unique_ptr<BufferMemory> memory, std::unique_ptr<EnvLauncher> launcher, StreamHandle stream)
      : BatchEnv(num_envs, make_step_params(config, data, seed, &capped_)),
        memory_(std::move(memory)),
        launcher_(std::move(launcher)),
        ranges_(range_columns(episode_split(config.split, *data.splits))),
        outputs_set_(output_fields(), num_envs, params_, *memory_),
        state_set_(state_fields(), num_envs, params_, *memory_) {
    if (capped_) log_length_cap(params_, config);
    views_.params = params_;
    views_.market = place_market(data, params_.fill_model == FillModel::trades, *memory_);
    views_.windows = place_windows(ranges_, *memory_);
    views_.state = state_set_.views();
    views_.outputs = outputs_set_.views();
    views_.num_envs = num_envs;
    outputs_ = views_.outputs;
    reset(stream);
  }

  Backend backend() const override { return memory_->device(); }

  void reset(StreamHandle stream) override {
    clear_buffers(state_set_.buffers(), *memory_, stream);
    clear_buffers(outputs_set_.buffers(), *memory_, stream);
    clear_fault(outputs_.fault, *memory_, stream);
    launcher_->begin(views_, stream);
  }

  void step(const std::int32_t* actions, StreamHandle stream) override { launcher_->step(views_, actions, stream); }

  void step_quotes(const ActionRow* quotes, StreamHandle stream) override {
    launcher_->step_quotes(views_, quotes, stream);
  }

  void step_offsets(const ActionRow* quotes, StreamHandle stream) override {
    launcher_->step_offsets(views_, quotes, stream);
  }

  std::vector<BufferDesc> describe_outputs() const override { return outputs_set_.buffers(); }

  void check_faults(StreamHandle stream) override { check_fault(outputs_.fault, *memory_, stream); }

  std::vector<std::int64_t> finished_episodes(StreamHandle stream) const override {
    std::vector<std::int64_t> per_env(static_cast<std::size_t>(num_envs_));
    memory_->to_host(per_env.data(), views_.state.finished, per_env.size() * sizeof(std::int64_t), stream);
    memory_->synchronize(stream);
    return per_env;
  }

  std::int64_t finished_total(StreamHandle stream) const override {
    std::uint64_t total = 0;
    memory_->to_host(&total, views_.state.finished_total, sizeof total, stream);
    memory_->synchronize(stream);
    return static_cast<std::int64_t>(total);
  }

  void set_finished_episodes(const std::vector<std::int64_t>& per_env, std::int64_t total,
                             StreamHandle stream) override {
    if (static_cast<std::int64_t>(per_env.size()) != num_envs_) {
      throw Error("curriculum state has " + std::to_string(per_env.size()) + " envs, this env batch has " +
                  std::to_string(num_envs_));
    }
    const std::uint64_t totals[2] = {static_cast<std::uint64_t>(total), static_cast<std::uint64_t>(total)};
    memory_->from_host(views_.state.finished, per_env.data(), per_env.size() * sizeof(std::int64_t), stream);
    memory_->from_host(views_.state.finished_total, totals, sizeof totals, stream);
    memory_->synchronize(stream);  // the host arrays go out of scope
  }

  std::vector<std::uint8_t> save_state(StreamHandle stream) const override {
    std::vector<std::uint8_t> bytes(kStateTag, kStateTag + sizeof kStateTag);
    save_buffers(state_set_.buffers(), *memory_, &bytes, stream);
    save_buffers(outputs_set_.buffers(), *memory_, &bytes, stream);
    memory_->synchronize(stream);
    return bytes;
  }

  void load_state(const std::vector<std::uint8_t>& bytes, StreamHandle stream) override {
    if (bytes.size() < sizeof kStateTag || std::memcmp(bytes.data(), kStateTag, sizeof kStateTag) != 0) {
      throw Error("env state was written by another version of mmsim (an older layout of the env's buffers)");
    }
    const std::size_t expected = sizeof kStateTag + static_cast<std::size_t>(total_bytes(state_set_.buffers()) +
                                                                              total_bytes(outputs_set_.buffers()));
    if (bytes.size() != expected) {
      throw Error("env state of " + std::to_string(bytes.size()) + " bytes does not fit this env (" +
                  std::to_string(expected) + " bytes): another number of envs or another config");
    }
    std::size_t at = sizeof kStateTag;
    at += load_buffers(state_set_.buffers(), *memory_, bytes.data() + at, stream);
    load_buffers(outputs_set_.buffers(), *memory_, bytes.data() + at, stream);
    memory_->synchronize(stream);  // `bytes` may go out of scope
  }

 private:
  bool capped_ = false;
  std::unique_ptr<BufferMemory> memory_;
  std::unique_ptr<EnvLauncher> launcher_;
  RangeColumns ranges_;
  BufferSet<EnvOutputViews, StepParams> outputs_set_;
  BufferSet<EnvState, StepParams> state_set_;
  EnvViews views_;
};

}  // namespace

std::unique_ptr<BatchEnv> make_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                   std::uint64_t seed, std::unique_ptr<BufferMemory> memory,
                                   std::unique_ptr<EnvLauncher> launcher, StreamHandle stream) {
  if (num_envs < 1) throw ConfigError("env.num_envs", std::to_string(num_envs) + " must be >= 1");
  return std::make_unique<Env>(data, config, num_envs, seed, std::move(memory), std::move(launcher), stream);
}

}  // namespace mmsim::detail
