#include "mmsim/data/splits.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "data/csv.hpp"
#include "data/loaders.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim {

std::int64_t Split::rows() const {
  std::int64_t total = 0;
  for (const RowRange& r : ranges) total += r.size();
  return total;
}

bool Split::contains(std::int64_t row) const {
  return std::any_of(ranges.begin(), ranges.end(), [row](const RowRange& r) { return row >= r.begin && row < r.end; });
}

std::int64_t Split::longest_range() const {
  std::int64_t longest = 0;
  for (const RowRange& r : ranges) longest = std::max(longest, r.size());
  return longest;
}

bool parse_timestamp(const std::string& text, Nanos* out) {
  // YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z]
  std::string s = text;
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.pop_back();
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
      s[16] != ':') {
    return false;
  }
  auto number = [&](std::size_t at, std::size_t length, std::int64_t* value) {
    for (std::size_t i = at; i < at + length; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
    return detail::parse_int(std::string_view(s).substr(at, length), value);
  };
  std::int64_t year, month, day, hour, minute, second;
  if (!number(0, 4, &year) || !number(5, 2, &month) || !number(8, 2, &day) || !number(11, 2, &hour) ||
      !number(14, 2, &minute) || !number(17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  static constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
  std::int64_t fraction_ns = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20 || s.size() > 29) return false;
    const std::size_t digits = s.size() - 20;
    if (!number(20, digits, &fraction_ns)) return false;
    for (std::size_t i = digits; i < 9; ++i) fraction_ns *= 10;
  }
  const std::int64_t days = detail::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  *out = ((days * 24 + hour) * 60 + minute) * 60 * 1000000000LL + second * 1000000000LL + fraction_ns;
  return true;
}

namespace {

/// Rows of session `s` after its warm-up and before its end rows (empty when none).
RowRange eligible_range(const BookTensor& book, int s, std::int64_t warmup_rows, std::int64_t end_rows) {
  const std::int64_t begin = book.session_begin[s] + warmup_rows;
  const std::int64_t end = book.session_begin[s + 1] - end_rows;
  return begin < end ? RowRange{begin, end} : RowRange{begin, begin};
}

std::vector<RowRange> eligible_ranges(const BookTensor& book, std::int64_t warmup_rows, std::int64_t end_rows) {
  std::vector<RowRange> ranges;
  for (int s = 0; s < book.sessions(); ++s) {
    const RowRange range = eligible_range(book, s, warmup_rows, end_rows);
    if (range.size() > 0) ranges.push_back(range);
  }
  return ranges;
}

void append(Split* split, std::int64_t begin, std::int64_t end) {
  // Never merged with the previous range: that may belong to another session.
  if (begin < end) split->ranges.push_back({begin, end});
}

}  // namespace

Splits make_splits(const BookTensor& book, std::int64_t feature_warmup_rows, const SplitConfig& config) {
  validate(config);
  if (config.warmup_rows > 0 && config.warmup_rows < feature_warmup_rows) {
    throw ConfigError("split.warmup_rows", "expected 0 (the features' warm-up) or at least the features' warm-up of " +
                                               std::to_string(feature_warmup_rows) +
                                               " rows (their longest window), got " +
                                               std::to_string(config.warmup_rows));
  }
  const std::int64_t warmup_rows = config.warmup_rows > 0 ? config.warmup_rows : feature_warmup_rows;
  Splits splits;
  splits.warmup_rows_per_session = warmup_rows;
  const std::vector<RowRange> eligible = eligible_ranges(book, warmup_rows, config.end_rows);
  Split* const targets[3] = {&splits.train, &splits.validation, &splits.test};

  switch (config.by) {
    case SplitBy::fraction: {
      const double fractions[3] = {config.train_fraction, config.validation_fraction, config.test_fraction};
      std::int64_t total = 0;
      for (const RowRange& r : eligible) total += r.size();
      // Cut points in the sequence of eligible rows; a fraction that fills the rest gets it exactly.
      std::int64_t cut[4] = {0, 0, 0, 0};
      double cumulative = 0;
      for (int i = 0; i < 3; ++i) {
        cumulative += fractions[i];
        cut[i + 1] = cumulative >= 1 - 1e-9 ? total : static_cast<std::int64_t>(std::floor(cumulative * total));
      }
      std::int64_t position = 0;
      for (const RowRange& r : eligible) {
        for (int i = 0; i < 3; ++i) {
          const std::int64_t lo = std::max(cut[i], position), hi = std::min(cut[i + 1], position + r.size());
          if (lo < hi) append(targets[i], r.begin + (lo - position), r.begin + (hi - position));
        }
        position += r.size();
      }
      break;
    }
    case SplitBy::time: {
      // validate() checked that both starts are timestamps, in order.
      Nanos validation_start = 0, test_start = 0;
      const bool parsed = parse_timestamp(config.validation_start, &validation_start) &&
                          parse_timestamp(config.test_start, &test_start);
      MMSIM_ASSERT(parsed, "split starts that validate() accepted");
      for (const RowRange& r : eligible) {
        const auto first = book.time_ns.begin() + r.begin, last = book.time_ns.begin() + r.end;
        const std::int64_t v = std::lower_bound(first, last, validation_start) - book.time_ns.begin();
        const std::int64_t t = std::lower_bound(first, last, test_start) - book.time_ns.begin();
        append(&splits.train, r.begin, v);
        append(&splits.validation, v, t);
        append(&splits.test, t, r.end);
      }
      break;
    }
    case SplitBy::session: {
      const std::vector<std::string>* lists[3] = {&config.train_sessions, &config.validation_sessions,
                                                  &config.test_sessions};
      const char* keys[3] = {"split.train_sessions", "split.validation_sessions", "split.test_sessions"};
      std::set<std::string> used;
      for (int i = 0; i < 3; ++i) {
        for (const std::string& name : *lists[i]) {
          const auto found = std::find(book.session_names.begin(), book.session_names.end(), name);
          if (found == book.session_names.end()) {
            std::string known;
            for (const auto& n : book.session_names) known += (known.empty() ? "" : ", ") + n;
            throw ConfigError(keys[i], "no session named '" + name + "'; the sessions are: " + known);
          }
          if (!used.insert(name).second) {
            throw ConfigError(keys[i], "session '" + name + "' is listed in more than one split");
          }
          const RowRange range = eligible_range(book, static_cast<int>(found - book.session_names.begin()),
                                                warmup_rows, config.end_rows);
          append(targets[i], range.begin, range.end);
        }
      }
      break;
    }
  }
  if (splits.train.rows() == 0) {
    throw ConfigError("split", "the training split has no rows (" + std::to_string(book.rows()) + " rows, " +
                                   std::to_string(warmup_rows) + " warm-up rows and " +
                                   std::to_string(config.end_rows) + " end rows per session)");
  }
  return splits;
}

}  // namespace mmsim
