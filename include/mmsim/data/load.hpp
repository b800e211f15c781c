#pragma once
// Loading order-book files into a BookTensor: validation, conversion to ticks
// and lots, the choice of rows that become env steps, and the on-disk cache.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/config/enum_table.hpp"
#include "mmsim/data/book_tensor.hpp"

namespace mmsim {

enum class DataFormat {
  lobster,   ///< LOBSTER orderbook + message CSV pairs (no header)
  snapshot,  ///< depth-N snapshot CSV with a header row
  l1,        ///< top-of-book CSV: AskPrice1, AskVolume1, BidPrice1, BidVolume1
};

/// Which source rows become env steps.
enum class StepOn {
  best_price_change,  ///< the best bid or best ask price changed since the previous kept row
  any_change,         ///< any visible price or size (of the kept depth) changed
  every_event,        ///< every valid row
};
inline constexpr int kStepOnRules = 3;

/// Which of the rows that share one timestamp the step_on rule considers.
enum class SameTimestamp {
  each_row,  ///< every row, as the file lists them
  last_row,  ///< only the last: the book after every event of that timestamp
};

/// What to do with a row that fails validation.
enum class BadRowPolicy {
  error,  ///< throw InputError naming file, line and column
  drop,   ///< skip the row and count it in LoadStats::dropped_rows
};

/// Units of a snapshot file's timestamp column.
enum class TimestampFormat { seconds, milliseconds, microseconds, nanoseconds, iso8601, row_number };

/// Header names of a snapshot file. `{level}` is replaced by 1..L.
struct SnapshotColumns {
  std::string timestamp = "time";  ///< ignored when the format is row_number
  std::string bid_price = "bid{level}";
  std::string bid_size = "bidSize{level}";
  std::string ask_price = "ask{level}";
  std::string ask_size = "askSize{level}";
};

/// Header names of l1 files: the defaults of a config with `format: l1`.
inline const SnapshotColumns kL1Columns{"time", "BidPrice{level}", "BidVolume{level}", "AskPrice{level}",
                                        "AskVolume{level}"};

struct LoadOptions {
  DataFormat format = DataFormat::lobster;
  /// One file per session, in time order. LOBSTER: the orderbook files (the
  /// message file is found by replacing "_orderbook_" with "_message_").
  /// Plain or zstd-compressed (".zst" or zstd magic bytes).
  std::vector<std::filesystem::path> files;
  Instrument instrument;
  int depth = 0;  ///< levels kept per side; 0 keeps every level of the file
  StepOn step_on = StepOn::best_price_change;
  SameTimestamp same_timestamp = SameTimestamp::each_row;
  BadRowPolicy bad_rows = BadRowPolicy::error;
  SnapshotColumns columns;  ///< snapshot and l1 formats
  /// Snapshot and l1 formats. Config files default it to row_number for l1;
  /// C++ callers loading an l1 file without a time column set row_number.
  TimestampFormat timestamp_format = TimestampFormat::seconds;
};

/// Throws ConfigError naming the `data.*` key of a value outside its range
/// (docs/configuration.md), or data.files when no file is given.
void validate(const LoadOptions& options);

/// Counts reported by the loader.
struct LoadStats {
  std::int64_t source_rows = 0;   ///< data rows in the files
  std::int64_t dropped_rows = 0;  ///< rows dropped by BadRowPolicy::drop
  std::int64_t kept_rows = 0;     ///< rows of the tensor (under the chosen step_on rule)
  /// Rows each step_on rule would keep, indexed by StepOn (of the rows
  /// same_timestamp lets it consider).
  std::array<std::int64_t, kStepOnRules> rows_per_rule{};
  int file_depth = 0;             ///< levels per side in the files
};

struct LoadedBook {
  BookTensor book;
  LoadStats stats;
};

/// Reads and validates the files, without the cache. Throws InputError.
LoadedBook load_book_uncached(const LoadOptions& options);

/// Where a cached book came from.
struct CacheOutcome {
  std::filesystem::path file;
  bool hit = false;
  std::string rebuild_reason;  ///< why the cache was (re)built; empty on a hit
  std::string write_error;     ///< why the rebuilt cache could not be saved; empty when saved
};

/// The cache directory: $MMSIM_CACHE_DIR, else $XDG_CACHE_HOME/mmsim, else ~/.cache/mmsim.
std::filesystem::path default_cache_dir();

/// Loads through the binary cache in `cache_dir`. The file is named by the
/// options and the sources' paths; its header holds a hash of the loader
/// version, the options and every source byte. A missing, stale, truncated or
/// corrupt cache file is rebuilt (written atomically, replacing the old one),
/// never read. A cache that cannot be written is reported in the outcome and
/// the log, and the book is returned all the same.
LoadedBook load_book(const LoadOptions& options, const std::filesystem::path& cache_dir,
                     CacheOutcome* outcome = nullptr);

// The names config files give the values of each choice (config/enum_table.hpp).
constexpr auto enum_names(DataFormat) {
  return enum_table<DataFormat>(
      {{DataFormat::lobster, "lobster"}, {DataFormat::snapshot, "snapshot"}, {DataFormat::l1, "l1"}});
}
constexpr auto enum_names(SameTimestamp) {
  return enum_table<SameTimestamp>({{SameTimestamp::each_row, "each_row"}, {SameTimestamp::last_row, "last_row"}});
}
constexpr auto enum_names(StepOn) {
  return enum_table<StepOn>({{StepOn::best_price_change, "best_price_change"},
                             {StepOn::any_change, "any_change"},
                             {StepOn::every_event, "every_event"}});
}
constexpr auto enum_names(BadRowPolicy) {
  return enum_table<BadRowPolicy>({{BadRowPolicy::error, "error"}, {BadRowPolicy::drop, "drop"}});
}
constexpr auto enum_names(TimestampFormat) {
  return enum_table<TimestampFormat>({{TimestampFormat::seconds, "seconds"},
                                      {TimestampFormat::milliseconds, "milliseconds"},
                                      {TimestampFormat::microseconds, "microseconds"},
                                      {TimestampFormat::nanoseconds, "nanoseconds"},
                                      {TimestampFormat::iso8601, "iso8601"},
                                      {TimestampFormat::row_number, "row_number"}});
}

inline const char* to_string(DataFormat format) { return enum_names(format).name(format); }
inline const char* to_string(StepOn rule) { return enum_names(rule).name(rule); }
inline const char* to_string(SameTimestamp rows) { return enum_names(rows).name(rows); }
inline const char* to_string(BadRowPolicy policy) { return enum_names(policy).name(policy); }
inline const char* to_string(TimestampFormat format) { return enum_names(format).name(format); }

}  // namespace mmsim
