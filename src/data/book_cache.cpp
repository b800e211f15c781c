// The binary cache of loaded books: the payload's layout, the keys that name
// and validate a cache file, and its atomic read and write around loading.

#include "mmsim/data/load.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "data/file_io.hpp"
#include "data/loaders.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"

namespace mmsim {
namespace {

/// Bump when parsing or validation changes what a source turns into.
constexpr std::uint32_t kLoaderVersion = 1;
/// Bump when the cache file layout changes.
constexpr std::uint32_t kCacheFormatVersion = 1;
constexpr char kCacheMagic[8] = {'M', 'M', 'S', 'I', 'M', 'B', 'K', '\0'};

struct CacheHeader {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t loader_version;
  std::uint64_t key;
  std::uint64_t payload_bytes;
  std::uint64_t payload_hash;
};

class PayloadWriter {
 public:
  template <class T>
  void scalar(const T& value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  template <class T>
  void array(const std::vector<T>& values) {
    scalar<std::uint64_t>(values.size());
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  }
  void text(const std::string& s) {
    scalar<std::uint64_t>(s.size());
    bytes_ += s;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class PayloadReader {
 public:
  PayloadReader(const char* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  bool scalar(T* value) {
    if (size_ - pos_ < sizeof(T)) return false;
    std::memcpy(value, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  template <class T>
  bool array(std::vector<T>* values) {
    std::uint64_t count = 0;
    if (!scalar(&count) || count > (size_ - pos_) / sizeof(T)) return false;
    values->resize(count);
    std::memcpy(values->data(), data_ + pos_, count * sizeof(T));
    pos_ += count * sizeof(T);
    return true;
  }
  bool text(std::string* s) {
    std::uint64_t count = 0;
    if (!scalar(&count) || count > size_ - pos_) return false;
    s->assign(data_ + pos_, count);
    pos_ += count;
    return true;
  }
  bool at_end() const { return pos_ == size_; }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

std::string serialise(const LoadedBook& loaded) {
  const BookTensor& b = loaded.book;
  const LoadStats& s = loaded.stats;
  PayloadWriter w;
  w.scalar(b.instrument.tick_size);
  w.scalar(b.instrument.lot_size);
  w.scalar<std::int32_t>(b.depth);
  w.array(b.time_ns);
  w.array(b.bid_price);
  w.array(b.ask_price);
  w.array(b.bid_size);
  w.array(b.ask_size);
  w.array(b.source_line);
  w.array(b.session_begin);
  w.scalar<std::uint64_t>(b.session_names.size());
  for (const auto& name : b.session_names) w.text(name);
  w.array(b.messages.time_ns);
  w.array(b.messages.type);
  w.array(b.messages.order_id);
  w.array(b.messages.size);
  w.array(b.messages.price_half_ticks);
  w.array(b.messages.direction);
  w.array(b.message_begin);
  w.array(b.message_end);
  w.scalar(s.source_rows);
  w.scalar(s.dropped_rows);
  w.scalar(s.kept_rows);
  w.scalar(s.rows_per_rule);
  w.scalar<std::int32_t>(s.file_depth);
  return w.bytes();
}

bool deserialise(const char* data, std::size_t size, LoadedBook* loaded) {
  BookTensor& b = loaded->book;
  LoadStats& s = loaded->stats;
  PayloadReader r(data, size);
  std::int32_t depth = 0, file_depth = 0;
  std::uint64_t sessions = 0;
  bool ok = r.scalar(&b.instrument.tick_size) && r.scalar(&b.instrument.lot_size) && r.scalar(&depth) &&
            r.array(&b.time_ns) && r.array(&b.bid_price) && r.array(&b.ask_price) && r.array(&b.bid_size) &&
            r.array(&b.ask_size) && r.array(&b.source_line) && r.array(&b.session_begin) && r.scalar(&sessions);
  if (!ok || sessions > size) return false;
  b.session_names.resize(sessions);
  for (auto& name : b.session_names) {
    if (!r.text(&name)) return false;
  }
  ok = r.array(&b.messages.time_ns) && r.array(&b.messages.type) && r.array(&b.messages.order_id) &&
       r.array(&b.messages.size) && r.array(&b.messages.price_half_ticks) && r.array(&b.messages.direction) &&
       r.array(&b.message_begin) && r.array(&b.message_end) && r.scalar(&s.source_rows) && r.scalar(&s.dropped_rows) &&
       r.scalar(&s.kept_rows);
  ok = ok && r.scalar(&s.rows_per_rule) && r.scalar(&file_depth) && r.at_end();
  b.depth = depth;
  s.file_depth = file_depth;
  if (!ok || depth <= 0) return false;
  const std::size_t rows = b.time_ns.size();
  const std::size_t cells = rows * static_cast<std::size_t>(depth);
  if (b.bid_price.size() != cells || b.ask_price.size() != cells || b.bid_size.size() != cells ||
      b.ask_size.size() != cells || b.source_line.size() != rows || b.session_begin.size() != sessions + 1 ||
      b.session_begin.front() != 0 || b.session_begin.back() != static_cast<std::int64_t>(rows) ||
      !std::is_sorted(b.session_begin.begin(), b.session_begin.end())) {
    return false;
  }
  const MessageLog& m = b.messages;
  const std::size_t messages = m.time_ns.size();
  if (m.type.size() != messages || m.order_id.size() != messages || m.size.size() != messages ||
      m.price_half_ticks.size() != messages || m.direction.size() != messages) {
    return false;
  }
  if (b.message_begin.empty()) return b.message_end.empty();
  if (b.message_begin.size() != rows || b.message_end.size() != rows) return false;
  for (std::size_t t = 0; t < rows; ++t) {
    if (b.message_begin[t] < 0 || b.message_begin[t] > b.message_end[t] ||
        b.message_end[t] > static_cast<std::int64_t>(messages)) {
      return false;
    }
  }
  return true;
}

std::string options_text(const LoadOptions& options) {
  std::ostringstream text;
  text << "loader " << kLoaderVersion << " format " << to_string(options.format) << " depth " << options.depth
       << " step_on " << to_string(options.step_on) << " same_timestamp " << to_string(options.same_timestamp)
       << " bad_rows " << to_string(options.bad_rows) << " time "
       << to_string(options.timestamp_format) << " columns " << options.columns.timestamp << '|'
       << options.columns.bid_price << '|' << options.columns.bid_size << '|' << options.columns.ask_price << '|'
       << options.columns.ask_size;
  std::uint64_t tick_bits = 0, lot_bits = 0;
  std::memcpy(&tick_bits, &options.instrument.tick_size, 8);
  std::memcpy(&lot_bits, &options.instrument.lot_size, 8);
  text << " tick " << tick_bits << " lot " << lot_bits;
  return text.str();
}

/// Names the cache file: the options and where the sources are. A changed
/// source keeps the name, so its stale file is detected and replaced.
std::uint64_t cache_name_key(const LoadOptions& options) {
  std::uint64_t key = detail::hash64(options_text(options));
  for (const auto& file : options.files) {
    key = detail::hash64(std::filesystem::absolute(file).lexically_normal().string(), key);
  }
  return key;
}

/// What the cached content depends on: the options and every source byte.
std::uint64_t cache_content_key(const LoadOptions& options) {
  std::uint64_t key = detail::hash64(options_text(options));
  for (const auto& file : options.files) {
    key = detail::hash64(detail::read_raw_file(file), key);
    // The session name comes from the file name, so it is part of the key.
    key = detail::hash64(file.filename().string(), key);
    if (options.format == DataFormat::lobster) {
      key = detail::hash64(detail::read_raw_file(detail::lobster_message_file(file)), key);
    }
  }
  return key;
}

/// Reads a cache file through a read-only memory map; returns the reason it
/// cannot be used, or an empty string on success.
std::string read_cache(const std::filesystem::path& path, std::uint64_t key, LoadedBook* loaded) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return "no cache file yet";
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return "cannot stat the cache file";
  }
  const auto file_size = static_cast<std::size_t>(info.st_size);
  if (file_size < sizeof(CacheHeader)) {
    ::close(fd);
    return "the cache file is truncated";
  }
  void* mapped = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) return "cannot map the cache file";
  const char* bytes = static_cast<const char*>(mapped);
  CacheHeader header{};
  std::memcpy(&header, bytes, sizeof header);
  std::string reason;
  if (std::memcmp(header.magic, kCacheMagic, sizeof kCacheMagic) != 0) {
    reason = "not an mmsim cache file";
  } else if (header.format_version != kCacheFormatVersion || header.loader_version != kLoaderVersion) {
    reason = "written by another mmsim version";
  } else if (header.key != key) {
    reason = "stale (a source file changed since it was cached)";
  } else if (header.payload_bytes != file_size - sizeof(CacheHeader)) {
    reason = "the cache file is truncated";
  } else if (detail::hash64(bytes + sizeof(CacheHeader), header.payload_bytes) != header.payload_hash) {
    reason = "checksum mismatch (the cache file is corrupt)";
  } else if (!deserialise(bytes + sizeof(CacheHeader), header.payload_bytes, loaded)) {
    reason = "the cache file's layout is inconsistent";
  }
  ::munmap(mapped, file_size);
  return reason;
}

/// Writes the cache file atomically (write_file_atomically). Returns an
/// empty string or why it failed.
std::string write_cache(const std::filesystem::path& path, std::uint64_t key, const LoadedBook& loaded) {
  const std::string payload = serialise(loaded);
  CacheHeader header{};
  std::memcpy(header.magic, kCacheMagic, sizeof kCacheMagic);
  header.format_version = kCacheFormatVersion;
  header.loader_version = kLoaderVersion;
  header.key = key;
  header.payload_bytes = payload.size();
  header.payload_hash = detail::hash64(payload.data(), payload.size());
  try {
    write_file_atomically(path, {std::string_view(reinterpret_cast<const char*>(&header), sizeof header), payload});
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

std::filesystem::path default_cache_dir() {
  if (const char* dir = std::getenv("MMSIM_CACHE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "mmsim";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".cache" / "mmsim";
  }
  return std::filesystem::temp_directory_path() / "mmsim-cache";
}

LoadedBook load_book(const LoadOptions& requested, const std::filesystem::path& cache_dir, CacheOutcome* outcome) {
  const LoadOptions options = detail::resolve_load_options(requested);
  const std::uint64_t key = cache_content_key(options);
  char name[64];
  std::snprintf(name, sizeof name, "book-%016llx.mmbook", static_cast<unsigned long long>(cache_name_key(options)));
  const std::filesystem::path path = cache_dir / name;
  CacheOutcome result;
  result.file = path;
  LoadedBook loaded;
  result.rebuild_reason = read_cache(path, key, &loaded);
  if (result.rebuild_reason.empty()) {
    result.hit = true;
  } else {
    loaded = load_book_uncached(options);
    // A cache that cannot be written costs time, not correctness: go on without it.
    result.write_error = write_cache(path, key, loaded);
    if (!result.write_error.empty()) {
      spdlog::warn("data.cache_dir: {}; continuing without the cache", result.write_error);
    }
  }
  if (outcome != nullptr) *outcome = result;
  return loaded;
}

}  // namespace mmsim
