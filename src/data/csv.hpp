#pragma once
// Minimal, allocation-free CSV scanning over an in-memory file.

#include <charconv>
#include <cmath>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mmsim::detail {

/// Yields the lines of a text, without "\n" or "\r\n"; a missing final newline is fine.
class LineReader {
 public:
  /// Skips a UTF-8 byte-order mark and ignores blank lines at the end.
  explicit LineReader(std::string_view text) : text_(text) {
    if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
    while (!text_.empty() && (text_.back() == '\n' || text_.back() == '\r' || text_.back() == ' ' ||
                              text_.back() == '\t')) {
      text_.remove_suffix(1);
    }
  }

  bool next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view found = text_.substr(pos_, end - pos_);
    if (!found.empty() && found.back() == '\r') found.remove_suffix(1);
    pos_ = end + 1;
    ++line_;
    *line = found;
    return true;
  }
  /// 1-based number of the line last returned.
  std::int64_t line_number() const { return line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 0;
};

inline void split_fields(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields->push_back(line.substr(start));
      return;
    }
    fields->push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

inline bool parse_int(std::string_view text, std::int64_t* out) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return false;
  }
  const auto result = std::from_chars(text.data(), text.data() + text.size(), *out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && !text.empty();
}

enum class DoubleParse { ok, malformed, not_finite };

inline DoubleParse parse_double(std::string_view text, double* out) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return DoubleParse::malformed;
  }
  if (text.empty()) return DoubleParse::malformed;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return DoubleParse::malformed;
  return std::isfinite(*out) ? DoubleParse::ok : DoubleParse::not_finite;
}

/// Parses a non-negative "whole[.fraction]" time in units of 10^-ns_digits
/// seconds (9: seconds, 6: milliseconds, 3: microseconds, 0: nanoseconds)
/// into nanoseconds: exactly to the nanosecond, and rounded half up beyond it
/// (official LOBSTER files print some times with more digits than
/// nanoseconds). False for negative or malformed values and for values
/// beyond int64 nanoseconds (about 292 years).
inline bool parse_decimal_time(std::string_view text, int ns_digits, std::int64_t* ns) {
  text = trim(text);
  if (!text.empty() && text.front() == '-') return false;
  const std::size_t dot = text.find('.');
  std::int64_t whole = 0;
  if (!parse_int(text.substr(0, dot), &whole) || whole < 0) return false;
  std::int64_t scale = 1, fraction = 0;
  for (int i = 0; i < ns_digits; ++i) scale *= 10;
  if (dot != std::string_view::npos) {
    const std::string_view digits = text.substr(dot + 1);
    if (digits.empty()) return false;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(ns_digits); ++i) {
      fraction = fraction * 10 + (i < digits.size() ? digits[i] - '0' : 0);
    }
    // A rounding up to a whole unit carries over through whole * scale + fraction.
    if (digits.size() > static_cast<std::size_t>(ns_digits) && digits[ns_digits] >= '5') ++fraction;
  }
  if (whole > (INT64_MAX - fraction) / scale) return false;
  *ns = whole * scale + fraction;
  return true;
}

/// A field as an error message quotes it: the whole field up to
/// kQuotedFieldChars characters, else its beginning and "...".
inline constexpr std::size_t kQuotedFieldChars = 64;
inline std::string quoted_field(std::string_view field) {
  if (field.size() <= kQuotedFieldChars) return "'" + std::string(field) + "'";
  return "'" + std::string(field.substr(0, kQuotedFieldChars)) + "...' (" + std::to_string(field.size()) +
         " characters)";
}

}  // namespace mmsim::detail
