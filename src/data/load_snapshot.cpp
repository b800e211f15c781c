#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/csv.hpp"
#include "data/file_io.hpp"
#include "data/loaders.hpp"
#include "data/row_check.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim::detail {
namespace {

std::string level_name(const std::string& pattern, int level) {
  const std::string marker = "{level}";
  std::string name = pattern;
  const std::size_t at = name.find(marker);
  if (at != std::string::npos) name.replace(at, marker.size(), std::to_string(level));
  return name;
}

struct Header {
  std::vector<std::string> names;
  std::unordered_map<std::string, std::size_t> index;
};

Header read_header(std::string_view line) {
  Header header;
  std::vector<std::string_view> fields;
  split_fields(line, &fields);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name(trim(fields[i]));
    header.index.emplace(name, i);
    header.names.push_back(std::move(name));
  }
  return header;
}

/// Column indices of each level's four fields, for levels 1..depth.
struct LevelColumns {
  std::vector<std::size_t> bid_price, bid_size, ask_price, ask_size;
};

int present_depth(const Header& header, const SnapshotColumns& columns) {
  int depth = 0;
  while (true) {
    const int level = depth + 1;
    for (const std::string* pattern : {&columns.bid_price, &columns.bid_size, &columns.ask_price, &columns.ask_size}) {
      if (header.index.count(level_name(*pattern, level)) == 0) return depth;
    }
    ++depth;
    if (columns.bid_price.find("{level}") == std::string::npos) return depth;
  }
}

std::string session_name(const std::filesystem::path& file) {
  std::string name = file.filename().string();
  for (const char* suffix : {".zst", ".csv"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.substr(name.size() - s.size()) == s) name.resize(name.size() - s.size());
  }
  return name;
}

}  // namespace

int snapshot_file_depth(const std::string& text, const std::filesystem::path& file, const LoadOptions& options) {
  LineReader lines(text);
  std::string_view line;
  if (!lines.next(&line) || trim(line).empty()) throw InputError({file.string(), 1}, "the file is empty (expected a header row)");
  const int depth = present_depth(read_header(line), options.columns);
  if (depth == 0) {
    const SnapshotColumns& c = options.columns;
    throw InputError({file.string(), 1}, "the header has no level 1 columns; expected '" + level_name(c.bid_price, 1) +
                                             "', '" + level_name(c.bid_size, 1) + "', '" + level_name(c.ask_price, 1) +
                                             "' and '" + level_name(c.ask_size, 1) +
                                             "' (set data.columns.* to map other names)");
  }
  return depth;
}

void read_snapshot_session(const std::filesystem::path& file, const std::string& text, const LoadOptions& options,
                           BookBuilder* builder) {
  const std::string name = file.string();
  LineReader lines(text);
  std::string_view line;
  if (!lines.next(&line) || trim(line).empty()) throw InputError({name, 1}, "the file is empty (expected a header row)");
  const Header header = read_header(line);
  const int file_depth = snapshot_file_depth(text, file, options);
  const int depth = options.depth > 0 ? options.depth : file_depth;
  const SnapshotColumns& names = options.columns;

  LevelColumns columns;
  for (int level = 1; level <= depth; ++level) {
    columns.bid_price.push_back(header.index.at(level_name(names.bid_price, level)));
    columns.bid_size.push_back(header.index.at(level_name(names.bid_size, level)));
    columns.ask_price.push_back(header.index.at(level_name(names.ask_price, level)));
    columns.ask_size.push_back(header.index.at(level_name(names.ask_size, level)));
  }
  const bool has_time = options.timestamp_format != TimestampFormat::row_number;
  std::size_t time_column = 0;
  if (has_time) {
    const auto found = header.index.find(names.timestamp);
    if (found == header.index.end()) {
      throw InputError({name, 1}, "no timestamp column '" + names.timestamp +
                                      "' in the header (set data.columns.timestamp, or data.timestamp_format: "
                                      "row_number for files without times)");
    }
    time_column = found->second;
  }

  const double tick = options.instrument.tick_size;
  const double lot = options.instrument.lot_size;
  const bool drop = options.bad_rows == BadRowPolicy::drop;
  builder->begin_session(session_name(file));
  std::vector<std::string_view> fields;
  std::vector<Ticks> bid_price(depth), ask_price(depth);
  std::vector<Lots> bid_size(depth), ask_size(depth);
  Nanos previous_time = -1;
  std::int64_t row_number = 0;

  while (lines.next(&line)) {
    const std::int64_t line_no = lines.line_number();
    builder->count_source_row();
    bool row_ok = true;
    auto bad = [&](std::size_t column, const std::string& problem) {
      if (!drop) {
        throw InputError({name, line_no, static_cast<std::int64_t>(column) + 1,
                          column < header.names.size() ? header.names[column] : std::string()},
                         problem);
      }
      row_ok = false;
    };
    split_fields(line, &fields);
    if (fields.size() != header.names.size()) {
      if (!drop) {
        throw InputError({name, line_no}, "expected " + std::to_string(header.names.size()) +
                                              " fields as in the header, got " + std::to_string(fields.size()));
      }
      builder->count_dropped_row();
      continue;
    }

    Nanos time_ns = row_number * 1000000000LL;
    if (has_time) {
      const std::string_view field = fields[time_column];
      bool ok = false;
      switch (options.timestamp_format) {
        case TimestampFormat::seconds: ok = parse_decimal_time(field, 9, &time_ns); break;
        case TimestampFormat::milliseconds: ok = parse_decimal_time(field, 6, &time_ns); break;
        case TimestampFormat::microseconds: ok = parse_decimal_time(field, 3, &time_ns); break;
        case TimestampFormat::nanoseconds: ok = parse_decimal_time(field, 0, &time_ns); break;
        case TimestampFormat::iso8601: ok = parse_timestamp(std::string(trim(field)), &time_ns); break;
        case TimestampFormat::row_number: ok = true; break;
      }
      if (!ok) {
        bad(time_column, std::string("expected a timestamp in format '") + to_string(options.timestamp_format) +
                             "' (data.timestamp_format), got " + quoted_field(field));
      } else if (time_ns < previous_time) {
        bad(time_column, "time goes backwards: '" + std::string(trim(field)) + "' is earlier than the previous row");
      }
    }

    auto read_price = [&](std::size_t column, bool ask, Ticks* out, bool* empty) {
      const std::string_view field = trim(fields[column]);
      *empty = field.empty();
      if (*empty) {
        *out = ask ? kEmptyAskTicks : kEmptyBidTicks;
        return;
      }
      double value = 0;
      const DoubleParse parsed = parse_double(field, &value);
      if (parsed == DoubleParse::not_finite) return bad(column, "NaN or infinite price " + quoted_field(field));
      if (parsed != DoubleParse::ok) return bad(column, "expected a number, got " + quoted_field(field));
      if (value <= 0) return bad(column, "price must be > 0, got " + quoted_field(field));
      const double ticks = value / tick;
      // Checked before rounding: the row check sees only what a double held exactly.
      if (ticks >= static_cast<double>(kMaxBookTicks)) {
        return bad(column, "price " + quoted_field(field) + " is " + std::to_string(ticks) +
                               " ticks, beyond what a book holds (below 2^53 ticks)");
      }
      const double rounded = std::nearbyint(ticks);
      if (std::fabs(ticks - rounded) > 1e-6 * std::max(1.0, std::fabs(ticks))) {
        return bad(column,
                   "price " + quoted_field(field) + " is not a multiple of the tick size " + std::to_string(tick));
      }
      *out = static_cast<Ticks>(rounded);
    };
    auto read_size = [&](std::size_t column, bool empty_level, Lots* out) {
      const std::string_view field = trim(fields[column]);
      if (empty_level && field.empty()) {
        *out = 0;
        return;
      }
      double value = 0;
      const DoubleParse parsed = parse_double(field, &value);
      if (parsed == DoubleParse::not_finite) return bad(column, "NaN or infinite size " + quoted_field(field));
      if (parsed != DoubleParse::ok) return bad(column, "expected a number, got " + quoted_field(field));
      const double lots = value / lot;
      if (lots >= static_cast<double>(kMaxBookLots)) {
        return bad(column, "size " + quoted_field(field) + " is beyond what a book holds (below 2^40 lots)");
      }
      const double rounded = std::nearbyint(lots);
      if (value < 0 || std::fabs(lots - rounded) > 1e-6 * std::max(1.0, std::fabs(lots))) {
        return bad(column, "size must be a non-negative multiple of the lot size " + std::to_string(lot) + ", got " +
                               quoted_field(field));
      }
      *out = static_cast<Lots>(rounded);
    };

    for (int level = 0; level < depth && row_ok; ++level) {
      bool bid_empty = false, ask_empty = false;
      read_price(columns.bid_price[level], false, &bid_price[level], &bid_empty);
      if (row_ok) read_size(columns.bid_size[level], bid_empty, &bid_size[level]);
      if (row_ok) read_price(columns.ask_price[level], true, &ask_price[level], &ask_empty);
      if (row_ok) read_size(columns.ask_size[level], ask_empty, &ask_size[level]);
    }
    if (row_ok) {
      RowProblem problem;
      if (!check_row(bid_price.data(), bid_size.data(), ask_price.data(), ask_size.data(), depth, &problem)) {
        std::size_t column = 0;
        switch (problem.field) {
          case Field::bid_price: column = columns.bid_price[problem.level]; break;
          case Field::bid_size: column = columns.bid_size[problem.level]; break;
          case Field::ask_price: column = columns.ask_price[problem.level]; break;
          case Field::ask_size: column = columns.ask_size[problem.level]; break;
        }
        bad(column, problem.message);
      }
    }
    if (!row_ok) {
      builder->count_dropped_row();
      continue;
    }
    previous_time = time_ns;
    ++row_number;
    builder->add_row({time_ns, bid_price.data(), bid_size.data(), ask_price.data(), ask_size.data(), line_no});
  }
}

}  // namespace mmsim::detail
