#pragma once
// What every env backend shares. A backend is an allocator (BufferMemory: the
// host's or the device's) plus a launcher (how the step core runs over the
// envs); the rest is written once here and in the generic envs: placing the
// market and the window ranges, the buffer sets of the field tables
// (mmsim/env/layout.hpp), reset, faults, the curriculum counters, save/load.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mmsim/core/stream.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/layout.hpp"
#include "mmsim/env/spread_env.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim::detail {

/// Memory that an env's buffers live in, and copies between it and the host
/// in the order of a stream. Two implementations: host_memory() and the
/// CUDA backend's device memory.
class BufferMemory {
 public:
  BufferMemory(Backend device, int device_id) : device_(device), device_id_(device_id) {}
  virtual ~BufferMemory() = default;
  BufferMemory(const BufferMemory&) = delete;
  BufferMemory& operator=(const BufferMemory&) = delete;

  Backend device() const { return device_; }
  int device_id() const { return device_id_; }

  /// `bytes` of memory, 64-byte aligned, owned by this object until it is destroyed.
  virtual void* allocate(std::size_t bytes) = 0;
  /// `values` where the envs read them: the host memory uses them in place
  /// (they must outlive the env), the device memory uploads a copy it owns.
  template <class T>
  const T* place(const std::vector<T>& values) {
    return static_cast<const T*>(place_bytes(values.data(), values.size() * sizeof(T)));
  }
  /// Sets `bytes` bytes at `data` to `byte`, in the order of `stream`.
  virtual void fill(void* data, std::uint8_t byte, std::size_t bytes, StreamHandle stream) = 0;
  /// Copies `bytes` from this memory to the host, in the order of `stream`:
  /// call synchronize() before reading `host`.
  virtual void to_host(void* host, const void* data, std::size_t bytes, StreamHandle stream) = 0;
  /// Copies `bytes` from the host into this memory, in the order of `stream`:
  /// call synchronize() before `host` goes out of scope.
  virtual void from_host(void* data, const void* host, std::size_t bytes, StreamHandle stream) = 0;
  /// Waits for the work on `stream` (nothing to wait for on the host).
  virtual void synchronize(StreamHandle stream) = 0;

 protected:
  virtual const void* place_bytes(const void* host, std::size_t bytes) = 0;

 private:
  Backend device_;
  int device_id_;
};

/// Host memory: the CPU backend's, and host copies of another backend's buffers.
std::unique_ptr<BufferMemory> host_memory();

/// The buffers of one field table for `num_envs` envs, allocated in `memory`
/// (which must outlive the set), with the views bound to them.
template <class Views, class Params>
class BufferSet {
 public:
  BufferSet(const FieldTable<Views, Params>& fields, std::int64_t num_envs, const Params& params,
            BufferMemory& memory)
      : buffers_(describe_buffers(fields, num_envs, params)) {
    for (BufferDesc& desc : buffers_) {
      desc.data = memory.allocate(static_cast<std::size_t>(buffer_bytes(desc)));
      desc.device = memory.device();
      desc.device_id = memory.device_id();
    }
    bind_buffers(fields, buffers_, &views_);
  }

  const Views& views() const { return views_; }
  const std::vector<BufferDesc>& buffers() const { return buffers_; }

 private:
  std::vector<BufferDesc> buffers_;
  Views views_;
};

/// Sets every byte of `buffers` to 0, in the order of `stream`.
void clear_buffers(const std::vector<BufferDesc>& buffers, BufferMemory& memory, StreamHandle stream);
/// Appends the bytes of `buffers` to `bytes` (synchronize before reading them).
void save_buffers(const std::vector<BufferDesc>& buffers, BufferMemory& memory, std::vector<std::uint8_t>* bytes,
                  StreamHandle stream);
/// Fills `buffers` from `bytes` (synchronize before freeing them); returns the bytes read.
std::size_t load_buffers(const std::vector<BufferDesc>& buffers, BufferMemory& memory, const std::uint8_t* bytes,
                         StreamHandle stream);

/// The book, the feature table when `data` has one and the message log when
/// `with_messages`, where the envs read them (BufferMemory::place).
MarketView place_market(const EnvData& data, bool with_messages, BufferMemory& memory);
/// The book and features of `data` read in place on the host.
MarketView host_market(const EnvData& data);

/// Begin and end rows of the episode split's ranges.
struct RangeColumns {
  std::vector<std::int64_t> begin, end;
  std::int64_t longest = 0;
};

RangeColumns range_columns(const Split& split);

/// Rows an episode can use: the split's first range for episodes that all
/// start at the split's start, else its longest range (where a window fits).
std::int64_t episode_rows(const Split& split, bool from_split_start);

/// The ranges where the envs read them; `ranges` must outlive the env.
WindowRanges place_windows(const RangeColumns& ranges, BufferMemory& memory);

/// Keeps the first fault until it is checked: when `fault` [kFaultRecord] is clear,
/// takes the lowest env among the threads' faults of this step.
void merge_thread_faults(const std::vector<std::int64_t>& thread_faults, std::int64_t* fault);

/// Marks the record `fault` [kFaultRecord] clear, on `stream`.
void clear_fault(std::int64_t* fault, BufferMemory& memory, StreamHandle stream);
/// Reads `fault` [kFaultRecord] (synchronising `stream`), clears it if it held a fault
/// and throws Error describing it.
void check_fault(std::int64_t* fault, BufferMemory& memory, StreamHandle stream);

/// Logs once per process that the episode length was capped to fit the split.
void log_length_cap(const StepParams& params, const EnvConfig& config);

/// Everything the step core reads and writes for a batch of market-making
/// envs, in the backend's memory.
struct EnvViews {
  StepParams params;
  MarketView market;
  WindowRanges windows;
  EnvState state;
  EnvOutputViews outputs;
  std::int64_t num_envs = 0;
};

/// How a backend runs the market-making step core over every env. Neither
/// call allocates or synchronises; a device launcher only enqueues work on
/// `stream`.
class EnvLauncher {
 public:
  virtual ~EnvLauncher() = default;
  /// Begins episode 0 of every env and writes the first observations.
  virtual void begin(const EnvViews& env, StreamHandle stream) = 0;
  /// Steps every env on its action (`actions` [N]) or explicit quote
  /// (`quotes` [N], offsets in ticks or, for step_offsets, in the config's
  /// offset unit), in the launcher's memory; counts the episodes that ended
  /// in state.finished_total and writes the observations.
  virtual void step(const EnvViews& env, const std::int32_t* actions, StreamHandle stream) = 0;
  virtual void step_quotes(const EnvViews& env, const ActionRow* quotes, StreamHandle stream) = 0;
  virtual void step_offsets(const EnvViews& env, const ActionRow* quotes, StreamHandle stream) = 0;
};

/// A market-making env batch in `memory`, stepped by `launcher`, reset on `stream`.
std::unique_ptr<BatchEnv> make_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                   std::uint64_t seed, std::unique_ptr<BufferMemory> memory,
                                   std::unique_ptr<EnvLauncher> launcher, StreamHandle stream);

/// Everything a top-of-book env's step (fill-probability, spread-trading)
/// reads and writes, in the backend's memory.
template <class Params, class State, class Outputs>
struct TopOfBookViews {
  Params params;
  MarketView market;
  WindowRanges windows;
  State state;
  Outputs outputs;
  std::int64_t num_envs = 0;
};

/// How a backend runs a top-of-book env's step over every env (as EnvLauncher).
template <class Views>
class TopOfBookLauncher {
 public:
  virtual ~TopOfBookLauncher() = default;
  /// Begins every env's first episode and writes the first observations.
  virtual void begin(const Views& env, StreamHandle stream) = 0;
  /// Steps every env on its action (`actions` [N], in the launcher's memory).
  virtual void step(const Views& env, const std::int32_t* actions, StreamHandle stream) = 0;
};

using FillProbViews = TopOfBookViews<FillProbParams, FillProbState, FillProbOutputs>;
using FillProbLauncher = TopOfBookLauncher<FillProbViews>;
using SpreadViews = TopOfBookViews<SpreadParams, SpreadState, SpreadOutputs>;
using SpreadLauncher = TopOfBookLauncher<SpreadViews>;

/// A fill-probability env batch in `memory`, stepped by `launcher`, reset on `stream`.
std::unique_ptr<FillProbEnv> make_fill_prob_env(const EnvData& data, const FillProbConfig& config,
                                                std::int64_t num_envs, std::uint64_t seed,
                                                std::unique_ptr<BufferMemory> memory,
                                                std::unique_ptr<FillProbLauncher> launcher, StreamHandle stream);

/// A spread-trading env batch in `memory`, stepped by `launcher`, reset on `stream`.
std::unique_ptr<SpreadEnv> make_spread_env(const EnvData& data, const SpreadConfig& config, std::int64_t num_envs,
                                           std::uint64_t seed, std::unique_ptr<BufferMemory> memory,
                                           std::unique_ptr<SpreadLauncher> launcher, StreamHandle stream);

/// A batch of one of the top-of-book envs (fill-probability, spread-trading:
/// `Base`) on any backend: its state and output buffers from their field
/// tables in `memory`, the book's best level and the split's ranges placed
/// there, stepped by a TopOfBookLauncher over `Views`.
template <class Base, class Views>
class TopOfBookEnv final : public Base {
 public:
  using Params = decltype(Views::params);
  using State = decltype(Views::state);
  using Outputs = decltype(Views::outputs);
  using Launcher = TopOfBookLauncher<Views>;

  TopOfBookEnv(const EnvData& data, EpisodeSplit split, const Params& params,
               const FieldTable<Outputs, Params>& output_fields, const FieldTable<State, Params>& state_fields,
               std::int64_t num_envs, std::unique_ptr<BufferMemory> memory, std::unique_ptr<Launcher> launcher,
               StreamHandle stream)
      : Base(num_envs, params),
        memory_(std::move(memory)),
        launcher_(std::move(launcher)),
        ranges_(range_columns(episode_split(split, *data.splits))),
        outputs_set_(output_fields, num_envs, params, *memory_),
        state_set_(state_fields, num_envs, params, *memory_) {
    views_.params = params;
    // The best level of the book is all these envs read.
    views_.market = place_market(EnvData{data.book, nullptr, data.splits}, false, *memory_);
    views_.windows = place_windows(ranges_, *memory_);
    views_.state = state_set_.views();
    views_.outputs = outputs_set_.views();
    views_.num_envs = num_envs;
    this->outputs_ = views_.outputs;
    reset(stream);
  }

  Backend backend() const override { return memory_->device(); }

  void reset(StreamHandle stream) override {
    clear_buffers(state_set_.buffers(), *memory_, stream);
    clear_buffers(outputs_set_.buffers(), *memory_, stream);
    clear_fault(views_.outputs.fault, *memory_, stream);
    launcher_->begin(views_, stream);
  }

  void step(const std::int32_t* actions, StreamHandle stream) override { launcher_->step(views_, actions, stream); }

  std::vector<BufferDesc> describe_outputs() const override { return outputs_set_.buffers(); }

  void check_faults(StreamHandle stream) override { check_fault(views_.outputs.fault, *memory_, stream); }

 private:
  std::unique_ptr<BufferMemory> memory_;
  std::unique_ptr<Launcher> launcher_;
  RangeColumns ranges_;
  BufferSet<Outputs, Params> outputs_set_;
  BufferSet<State, Params> state_set_;
  Views views_;
};

}  // namespace mmsim::detail
