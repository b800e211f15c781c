#include "mmsim/train/tabular.hpp"

#include <algorithm>
#include <thread>

#include "env/worker_pool.hpp"
#include "mmsim/core/error.hpp"
#include "train/tabular_backend.hpp"

namespace mmsim {

std::vector<TabularLearner> tabular_grid(const TabularConfig& config) {
  std::vector<TabularLearner> learners;
  for (const TabularAlgorithm algorithm : tabular_algorithms(config)) {
    for (const double step_size : config.step_sizes) {
      for (const double epsilon : config.epsilons) {
        for (const double decay : config.epsilon_decays) {
          for (std::int64_t seed = 0; seed < config.seeds; ++seed) {
            learners.push_back({algorithm, step_size, epsilon, decay, static_cast<std::uint64_t>(seed)});
          }
        }
      }
    }
  }
  return learners;
}

TabularParams make_tabular_params(const TabularConfig& config) {
  validate(config);
  TabularParams params;
  params.gamma = config.gamma;
  params.epsilon_every = static_cast<std::int32_t>(config.epsilon_every);
  params.actions = config.actions;
  params.learns = 1;
  params.episodes = static_cast<std::int32_t>(config.episodes);
  return params;
}

namespace {

Shape per_learner(std::int64_t n, const TabularParams&) { return {n}; }
Shape per_table(std::int64_t n, const TabularParams&) { return {n, kTabularStates, kTabularActions}; }
Shape per_episode(std::int64_t n, const TabularParams& p) { return {n, p.episodes}; }

}  // namespace

const FieldTable<TabularLearnerViews, TabularParams>& tabular_learner_fields() {
  using L = TabularLearnerViews;
  static const FieldTable<TabularLearnerViews, TabularParams> fields = {
      buffer_field<&L::algorithm>("algorithm", per_learner),
      buffer_field<&L::step_size>("step_size", per_learner),
      buffer_field<&L::epsilon>("epsilon", per_learner),
      buffer_field<&L::epsilon_decay>("epsilon_decay", per_learner),
      buffer_field<&L::stream>("stream", per_learner),
      buffer_field<&L::q>("q", per_table),
      buffer_field<&L::action>("action", per_learner),
      buffer_field<&L::epsilon_now>("epsilon_now", per_learner),
      buffer_field<&L::episode_reward>("episode_reward", per_learner),
      buffer_field<&L::curves>("curves", per_episode),
  };
  return fields;
}

namespace detail {
namespace {

template <class T>
void upload(BufferMemory& memory, T* device, const std::vector<T>& values, StreamHandle stream) {
  memory.from_host(device, values.data(), values.size() * sizeof(T), stream);
}

class Batch final : public TabularBatch {
 public:
  Batch(const TabularBatchSpec& spec, std::unique_ptr<BufferMemory> memory, std::unique_ptr<TabularLauncher> launcher,
        StreamHandle stream)
      : TabularBatch(static_cast<std::int64_t>(spec.learners.size()), spec.params,
                     make_fill_prob_params(spec.env, spec.data, spec.seed)),
        memory_(std::move(memory)),
        launcher_(std::move(launcher)),
        ranges_(range_columns(episode_split(spec.env.split, *spec.data.splits))),
        outputs_set_(fill_prob_output_fields(), num_learners_, env_params_, *memory_),
        state_set_(fill_prob_state_fields(), num_learners_, env_params_, *memory_),
        learner_set_(tabular_learner_fields(), num_learners_, params_, *memory_) {
    views_.params = params_;
    views_.env = env_params_;
    views_.market = place_market(EnvData{spec.data.book, nullptr, spec.data.splits}, false, *memory_);
    views_.windows = place_windows(ranges_, *memory_);
    views_.state = state_set_.views();
    views_.outputs = outputs_set_.views();
    views_.learners = learner_set_.views();
    views_.num_learners = num_learners_;

    clear_buffers(learner_set_.buffers(), *memory_, stream);
    std::vector<std::int32_t> algorithm;
    std::vector<double> step_size, epsilon, decay;
    std::vector<std::uint64_t> seed_index;
    for (const TabularLearner& learner : spec.learners) {
      algorithm.push_back(static_cast<std::int32_t>(learner.algorithm));
      step_size.push_back(learner.step_size);
      epsilon.push_back(learner.epsilon);
      decay.push_back(learner.epsilon_decay);
      seed_index.push_back(learner.seed_index);
    }
    const TabularLearnerViews& l = views_.learners;
    upload(*memory_, l.algorithm, algorithm, stream);
    upload(*memory_, l.step_size, step_size, stream);
    upload(*memory_, l.epsilon, epsilon, stream);
    upload(*memory_, l.epsilon_decay, decay, stream);
    upload(*memory_, l.stream, seed_index, stream);
    begin(stream);
    memory_->synchronize(stream);
  }

  Backend backend() const override { return memory_->device(); }

  void run(std::int64_t steps, StreamHandle stream) override {
    if (steps > 0) launcher_->run(views_, steps, stream);
  }

  void load_tables(const std::vector<double>& q, StreamHandle stream) override {
    MMSIM_ASSERT(static_cast<std::int64_t>(q.size()) == num_learners_ * kTabularTable, "Q tables of another batch");
    upload(*memory_, views_.learners.q, q, stream);
    begin(stream);
    memory_->synchronize(stream);
  }

  std::vector<double> q_tables(StreamHandle stream) override {
    return read<double>(views_.learners.q, num_learners_ * kTabularTable, stream);
  }

  std::vector<double> curves(StreamHandle stream) override {
    return read<double>(views_.learners.curves, num_learners_ * params_.episodes, stream);
  }

  std::vector<HostBuffer> read_buffers(StreamHandle stream) override {
    std::vector<HostBuffer> host;
    const struct {
      const char* prefix;
      const std::vector<BufferDesc>& buffers;
    } sets[] = {{"learner.", learner_set_.buffers()},
                {"env_state.", state_set_.buffers()},
                {"env_outputs.", outputs_set_.buffers()}};
    for (const auto& set : sets) {
      for (const BufferDesc& desc : set.buffers) {
        HostBuffer buffer{set.prefix + desc.name, std::vector<std::uint8_t>(static_cast<std::size_t>(buffer_bytes(desc)))};
        memory_->to_host(buffer.bytes.data(), desc.data, buffer.bytes.size(), stream);
        host.push_back(std::move(buffer));
      }
    }
    memory_->synchronize(stream);
    return host;
  }

  void check_faults(StreamHandle stream) override { check_fault(views_.outputs.fault, *memory_, stream); }

 private:
  /// Clears the envs and the learners' episode state (not their settings,
  /// tables or curves) and begins episode 0.
  void begin(StreamHandle stream) {
    clear_buffers(state_set_.buffers(), *memory_, stream);
    clear_buffers(outputs_set_.buffers(), *memory_, stream);
    clear_fault(views_.outputs.fault, *memory_, stream);
    launcher_->begin(views_, stream);
  }

  template <class T>
  std::vector<T> read(const T* data, std::int64_t count, StreamHandle stream) {
    std::vector<T> host(static_cast<std::size_t>(count));
    memory_->to_host(host.data(), data, host.size() * sizeof(T), stream);
    memory_->synchronize(stream);
    return host;
  }

  std::unique_ptr<BufferMemory> memory_;
  std::unique_ptr<TabularLauncher> launcher_;
  RangeColumns ranges_;
  BufferSet<FillProbOutputs, FillProbParams> outputs_set_;
  BufferSet<FillProbState, FillProbParams> state_set_;
  BufferSet<TabularLearnerViews, TabularParams> learner_set_;
  TabularViews views_;
};

/// Learners split into contiguous chunks over the pool's threads, each
/// learner running all its steps at once (its table stays in the core's
/// cache). Chunks hold whole blocks of 16 learners so that two threads never
/// write one cache line of a buffer of 4- or 8-byte elements (only a line of
/// each one-byte flag buffer at a chunk's edge is shared).
class CpuTabularLauncher final : public TabularLauncher {
 public:
  explicit CpuTabularLauncher(int threads)
      : pool_(threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        thread_faults_(static_cast<std::size_t>(pool_.threads() * kFaultRecord)) {}

  void begin(const TabularViews& batch, StreamHandle) override {
    for (std::int64_t i = 0; i < batch.num_learners; ++i) {
      tabular_begin(batch.params, batch.env, batch.market, batch.windows, batch.state, batch.outputs, batch.learners,
                    i);
    }
  }

  void run(const TabularViews& batch, std::int64_t steps, StreamHandle) override {
    std::fill(thread_faults_.begin(), thread_faults_.end(), -1);
    constexpr std::int64_t kBlock = 16;
    const std::int64_t learners = batch.num_learners;
    const std::int64_t blocks = (learners + kBlock - 1) / kBlock;
    const std::int64_t chunks = std::min<std::int64_t>(blocks, pool_.threads());
    pool_.run(chunks, [&](std::int64_t chunk, int slot) {
      FillProbOutputs outputs = batch.outputs;
      outputs.fault = thread_faults_.data() + kFaultRecord * slot;
      const std::int64_t end = std::min(learners, (chunk + 1) * blocks / chunks * kBlock);
      for (std::int64_t i = chunk * blocks / chunks * kBlock; i < end; ++i) {
        for (std::int64_t k = 0; k < steps; ++k) {
          tabular_step(batch.params, batch.env, batch.market, batch.windows, batch.state, outputs, batch.learners, i);
        }
      }
    });
    merge_thread_faults(thread_faults_, batch.outputs.fault);
  }

 private:
  WorkerPool pool_;
  std::vector<std::int64_t> thread_faults_;
};

}  // namespace

std::unique_ptr<TabularBatch> make_tabular_batch(const TabularBatchSpec& spec, std::unique_ptr<BufferMemory> memory,
                                                 std::unique_ptr<TabularLauncher> launcher, StreamHandle stream) {
  if (spec.learners.empty()) throw ConfigError("tabular.seeds", "a batch needs at least one learner");
  return std::make_unique<Batch>(spec, std::move(memory), std::move(launcher), stream);
}

}  // namespace detail

std::unique_ptr<TabularBatch> make_tabular_cpu_batch(const TabularBatchSpec& spec, int threads) {
  return detail::make_tabular_batch(spec, detail::host_memory(), std::make_unique<detail::CpuTabularLauncher>(threads),
                                    {});
}

}  // namespace mmsim
