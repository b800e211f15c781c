#pragma once
// Train / validation / test splits of a BookTensor's rows.

#include <cstdint>
#include <string>
#include <vector>

#include "mmsim/config/enum_table.hpp"
#include "mmsim/data/book_tensor.hpp"

namespace mmsim {

/// Half-open row range [begin, end) inside one session.
struct RowRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const { return end - begin; }
};

/// The rows of one split, as ranges that never cross a session boundary.
struct Split {
  std::vector<RowRange> ranges;
  std::int64_t rows() const;
  bool contains(std::int64_t row) const;
  /// Rows of the longest range: the longest window an episode can use.
  std::int64_t longest_range() const;
};

enum class SplitBy {
  fraction,  ///< consecutive fractions of the eligible rows, in time order
  time,      ///< rows before validation_start / test_start
  session,   ///< whole sessions, by name
};

struct SplitConfig {
  SplitBy by = SplitBy::fraction;
  double train_fraction = 0.7;
  double validation_fraction = 0.15;
  double test_fraction = 0.15;
  std::string validation_start;  ///< by time: "YYYY-MM-DD HH:MM:SS[.fff]" in the data's clock
  std::string test_start;
  std::vector<std::string> train_sessions, validation_sessions, test_sessions;
  /// Rows at the start of every session in no split; 0 = the features' warm-up
  /// (their longest window), which is also the least accepted.
  std::int64_t warmup_rows = 0;
  std::int64_t end_rows = 0;  ///< rows at the end of every session in no split
};

/// Throws ConfigError naming the `split.*` key of a value outside its range,
/// or `split` when the fractions sum to more than 1 (by fraction), or a
/// start that is not a timestamp (by time).
void validate(const SplitConfig& config);

struct Splits {
  Split train, validation, test;
  std::int64_t warmup_rows_per_session = 0;
};

/// Splits the rows of `book`. The first `config.warmup_rows` rows of every
/// session (`feature_warmup_rows`, the features' warm-up, when 0) and its
/// last `config.end_rows` rows belong to no split. Throws ConfigError for
/// impossible settings, naming split.warmup_rows when it is set below the
/// features' warm-up.
Splits make_splits(const BookTensor& book, std::int64_t feature_warmup_rows, const SplitConfig& config);

/// Parses "YYYY-MM-DD[ T]HH:MM:SS[.fraction]" into ns since the Unix epoch.
/// Returns false when the text is not such a timestamp.
bool parse_timestamp(const std::string& text, Nanos* out);

/// The names config files give the ways to split (config/enum_table.hpp).
constexpr auto enum_names(SplitBy) {
  return enum_table<SplitBy>({{SplitBy::fraction, "fraction"}, {SplitBy::time, "time"}, {SplitBy::session, "session"}});
}
inline const char* to_string(SplitBy by) { return enum_names(by).name(by); }

}  // namespace mmsim
