#include "env/backend.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "mmsim/core/error.hpp"

namespace mmsim::detail {
namespace {

constexpr std::size_t kAlignment = 64;

class HostMemory final : public BufferMemory {
 public:
  HostMemory() : BufferMemory(Backend::cpu, 0) {}

  void* allocate(std::size_t bytes) override {
    // Blocks of doubles are 8-byte aligned; the slack aligns them to 64.
    blocks_.emplace_back((bytes + kAlignment) / sizeof(double) + 1);
    const auto address = reinterpret_cast<std::uintptr_t>(blocks_.back().data());
    return reinterpret_cast<void*>((address + kAlignment - 1) & ~std::uintptr_t{kAlignment - 1});
  }

  void fill(void* data, std::uint8_t byte, std::size_t bytes, StreamHandle) override {
    std::memset(data, byte, bytes);
  }
  void to_host(void* host, const void* data, std::size_t bytes, StreamHandle) override {
    std::memcpy(host, data, bytes);
  }
  void from_host(void* data, const void* host, std::size_t bytes, StreamHandle) override {
    std::memcpy(data, host, bytes);
  }
  void synchronize(StreamHandle) override {}

 protected:
  const void* place_bytes(const void* host, std::size_t) override { return host; }

 private:
  std::vector<std::vector<double>> blocks_;
};

}  // namespace

std::unique_ptr<BufferMemory> host_memory() { return std::make_unique<HostMemory>(); }

void clear_buffers(const std::vector<BufferDesc>& buffers, BufferMemory& memory, StreamHandle stream) {
  for (const BufferDesc& d : buffers) memory.fill(d.data, 0, static_cast<std::size_t>(buffer_bytes(d)), stream);
}

void save_buffers(const std::vector<BufferDesc>& buffers, BufferMemory& memory, std::vector<std::uint8_t>* bytes,
                  StreamHandle stream) {
  std::size_t at = bytes->size();
  bytes->resize(at + static_cast<std::size_t>(total_bytes(buffers)));
  for (const BufferDesc& d : buffers) {
    const auto size = static_cast<std::size_t>(buffer_bytes(d));
    memory.to_host(bytes->data() + at, d.data, size, stream);
    at += size;
  }
}

std::size_t load_buffers(const std::vector<BufferDesc>& buffers, BufferMemory& memory, const std::uint8_t* bytes,
                         StreamHandle stream) {
  std::size_t at = 0;
  for (const BufferDesc& d : buffers) {
    const auto size = static_cast<std::size_t>(buffer_bytes(d));
    memory.from_host(d.data, bytes + at, size, stream);
    at += size;
  }
  return at;
}

MarketView place_market(const EnvData& data, bool with_messages, BufferMemory& memory) {
  const BookTensor& book = *data.book;
  const std::int64_t rows = book.rows();
  MarketView m;
  m.bid_price = {memory.place(book.bid_price), rows, book.depth};
  m.ask_price = {memory.place(book.ask_price), rows, book.depth};
  m.bid_size = {memory.place(book.bid_size), rows, book.depth};
  m.ask_size = {memory.place(book.ask_size), rows, book.depth};
  // Envs without market features in their observations may pass no table.
  if (data.features != nullptr) m.features = {memory.place(data.features->values), rows, data.features->columns()};
  m.tick_size = book.instrument.tick_size;
  m.lot_size = book.instrument.lot_size;
  if (with_messages && book.has_messages()) {
    m.message_begin = memory.place(book.message_begin);
    m.message_end = memory.place(book.message_end);
    m.message_type = memory.place(book.messages.type);
    m.message_size = memory.place(book.messages.size);
    m.message_price_half_ticks = memory.place(book.messages.price_half_ticks);
    m.message_direction = memory.place(book.messages.direction);
  }
  return m;
}

MarketView host_market(const EnvData& data) {
  // Host memory places in place: the view outlives the memory object.
  return place_market(data, true, *host_memory());
}

RangeColumns range_columns(const Split& split) {
  RangeColumns columns;
  for (const RowRange& r : split.ranges) {
    columns.begin.push_back(r.begin);
    columns.end.push_back(r.end);
  }
  columns.longest = split.longest_range();
  return columns;
}

std::int64_t episode_rows(const Split& split, bool from_split_start) {
  if (!from_split_start) return split.longest_range();
  return split.ranges.empty() ? 0 : split.ranges.front().size();
}

WindowRanges place_windows(const RangeColumns& ranges, BufferMemory& memory) {
  return {memory.place(ranges.begin), memory.place(ranges.end), static_cast<int>(ranges.begin.size()),
          ranges.longest};
}

void merge_thread_faults(const std::vector<std::int64_t>& thread_faults, std::int64_t* fault) {
  if (fault[0] >= 0) return;
  const auto record = static_cast<std::size_t>(kFaultRecord);
  for (std::size_t t = 0; t + record <= thread_faults.size(); t += record) {
    if (thread_faults[t] >= 0 && (fault[0] < 0 || thread_faults[t] < fault[0])) {
      std::copy(thread_faults.begin() + static_cast<std::ptrdiff_t>(t),
                thread_faults.begin() + static_cast<std::ptrdiff_t>(t + record), fault);
    }
  }
}

void clear_fault(std::int64_t* fault, BufferMemory& memory, StreamHandle stream) {
  memory.fill(fault, 0xFF, kFaultRecord * sizeof(std::int64_t), stream);  // every byte 0xFF: -1
}

void check_fault(std::int64_t* fault, BufferMemory& memory, StreamHandle stream) {
  std::int64_t copy[kFaultRecord];
  memory.to_host(copy, fault, sizeof copy, stream);
  memory.synchronize(stream);
  if (copy[0] >= 0) clear_fault(fault, memory, stream);
  throw_if_fault(copy);
}

void log_length_cap(const StepParams& params, const EnvConfig& config) {
  static std::atomic<bool> logged{false};
  if (logged.exchange(true)) return;
  spdlog::warn("episode length capped at {} steps: the longest range of the {} split has {} rows "
               "(asked for {} steps{})",
               params.cap, to_string(config.split), params.cap + 1, config.episode_length,
               config.curriculum.enabled ? ", curriculum up to " + std::to_string(config.curriculum.max_length) : "");
}

}  // namespace mmsim::detail
