#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "data/file_io.hpp"
#include "data/loaders.hpp"
#include "data/row_check.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim::detail {
namespace {

constexpr std::int64_t kLobsterPriceScale = 10000;  // prices are currency units x 10000
constexpr std::int64_t kLobsterEmptyAsk = 9999999999LL;
constexpr std::int64_t kLobsterEmptyBid = -9999999999LL;
constexpr int kMessageFields = 6;

const char* const kLevelFieldNames[4] = {"AskPrice", "AskSize", "BidPrice", "BidSize"};

std::string level_column_name(int column_index) {
  return std::string(kLevelFieldNames[column_index % 4]) + std::to_string(column_index / 4 + 1);
}

const char* const kMessageColumnNames[kMessageFields] = {"Time", "Type", "OrderID", "Size", "Price", "Direction"};

/// Midnight of the date in the file name (`TICKER_YYYY-MM-DD_...`), in ns since the epoch; 0 if none.
Nanos session_date_ns(const std::filesystem::path& file) {
  static const std::regex kDate(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch match;
  const std::string name = file.filename().string();
  if (!std::regex_search(name, match, kDate)) return 0;
  Nanos midnight = 0;
  if (!parse_timestamp(match.str(0) + " 00:00:00", &midnight)) {
    throw InputError({file.string()}, "the date '" + match.str(0) + "' in the file name is not a calendar date");
  }
  return midnight;
}

std::string session_name(const std::filesystem::path& orderbook_file) {
  std::string name = orderbook_file.filename().string();
  if (name.size() > 4 && name.substr(name.size() - 4) == ".zst") name.resize(name.size() - 4);
  if (name.size() > 4 && name.substr(name.size() - 4) == ".csv") name.resize(name.size() - 4);
  const std::size_t marker = name.find("_orderbook_");
  if (marker != std::string::npos) name.resize(marker);
  return name;
}

struct Converter {
  std::int64_t tick_raw = 0;  // LOBSTER price units per tick
  std::int64_t lot = 1;       // shares per lot
};

Converter make_converter(const Instrument& instrument) {
  Converter c;
  const double raw = instrument.tick_size * kLobsterPriceScale;
  c.tick_raw = std::llround(raw);
  if (c.tick_raw <= 0 || std::fabs(raw - static_cast<double>(c.tick_raw)) > 1e-9 * std::max(1.0, raw)) {
    throw ConfigError("data.tick_size", "LOBSTER prices are in units of 1/10000; tick_size " +
                                            std::to_string(instrument.tick_size) +
                                            " must be a positive multiple of 0.0001");
  }
  c.lot = std::llround(instrument.lot_size);
  if (c.lot <= 0 || std::fabs(instrument.lot_size - static_cast<double>(c.lot)) > 1e-12) {
    throw ConfigError("data.lot_size", "LOBSTER sizes are whole shares; lot_size " +
                                           std::to_string(instrument.lot_size) + " must be a positive integer");
  }
  return c;
}

}  // namespace

std::filesystem::path lobster_message_file(const std::filesystem::path& orderbook_file) {
  std::string name = orderbook_file.filename().string();
  const std::size_t marker = name.find("_orderbook_");
  if (marker == std::string::npos) {
    throw InputError({orderbook_file.string()},
                     "not a LOBSTER orderbook file name: expected <TICKER>_<date>_<start>_<end>_orderbook_<N>.csv");
  }
  name.replace(marker, 11, "_message_");
  return orderbook_file.parent_path() / name;
}

int lobster_file_depth(const std::string& text, const std::filesystem::path& orderbook_file) {
  LineReader lines(text);
  std::string_view line;
  if (!lines.next(&line) || line.empty()) throw InputError({orderbook_file.string(), 1}, "the file is empty");
  std::vector<std::string_view> fields;
  split_fields(line, &fields);
  if (fields.size() % 4 != 0) {
    throw InputError({orderbook_file.string(), 1},
                     "a LOBSTER orderbook row has 4 fields per level (AskPrice, AskSize, BidPrice, BidSize), got " +
                         std::to_string(fields.size()) + " fields");
  }
  return static_cast<int>(fields.size() / 4);
}

void read_lobster_session(const std::filesystem::path& orderbook_file, const std::string& book_text,
                          const LoadOptions& options, BookBuilder* builder) {
  const Converter convert = make_converter(options.instrument);
  const std::filesystem::path message_file = lobster_message_file(orderbook_file);
  const std::string book_name = orderbook_file.string();
  const std::string message_name = message_file.string();
  const std::string message_text = read_text_file(message_file);
  const Nanos date_ns = session_date_ns(orderbook_file);
  const int file_depth = lobster_file_depth(book_text, orderbook_file);
  const std::size_t book_fields = static_cast<std::size_t>(4 * file_depth);
  const bool drop = options.bad_rows == BadRowPolicy::drop;

  builder->begin_session(session_name(orderbook_file));
  LineReader book_lines(book_text), message_lines(message_text);
  std::vector<std::string_view> fields, message_fields;
  std::vector<Ticks> bid_price(file_depth), ask_price(file_depth);
  std::vector<Lots> bid_size(file_depth), ask_size(file_depth);
  Nanos previous_time = -1;
  std::string_view line, message_line;

  while (true) {
    const bool has_book = book_lines.next(&line);
    const bool has_message = message_lines.next(&message_line);
    if (!has_book && !has_message) break;
    if (has_book != has_message) {
      const bool book_short = !has_book;
      throw InputError({book_short ? book_name : message_name,
                        book_short ? book_lines.line_number() + 1 : message_lines.line_number() + 1},
                       std::string("the orderbook and message files must have the same number of rows; the ") +
                           (book_short ? "orderbook" : "message") + " file ends first");
    }
    const std::int64_t line_no = book_lines.line_number();
    builder->count_source_row();

    auto bad_message = [&](int column, const std::string& problem) {
      throw InputError({message_name, line_no, column + 1, kMessageColumnNames[column]}, problem);
    };
    // A malformed message makes the row's context unknowable, so it is always an error.
    split_fields(message_line, &message_fields);
    if (message_fields.size() != kMessageFields) {
      throw InputError({message_name, line_no},
                       "expected 6 fields (Time,Type,OrderID,Size,Price,Direction), got " +
                           std::to_string(message_fields.size()));
    }
    std::int64_t time_in_day = 0, type = 0, order_id = 0, size = 0, price = 0, direction = 0;
    if (!parse_decimal_time(message_fields[0], 9, &time_in_day) || time_in_day > 7 * 86400000000000LL)
      bad_message(0, "expected seconds after midnight such as 34200.015105074, got " +
                         quoted_field(message_fields[0]));
    if (!parse_int(message_fields[1], &type) || type < 1 || type > 7)
      bad_message(1, "expected a message type 1..7, got " + quoted_field(message_fields[1]));
    if (!parse_int(message_fields[2], &order_id))
      bad_message(2, "expected an integer order id, got " + quoted_field(message_fields[2]));
    if (!parse_int(message_fields[3], &size) || size < 0)
      bad_message(3, "expected a non-negative integer size, got " + quoted_field(message_fields[3]));
    if (!parse_int(message_fields[4], &price))
      bad_message(4, "expected an integer price (currency x 10000), got " + quoted_field(message_fields[4]));
    if (!parse_int(message_fields[5], &direction) || (direction != 1 && direction != -1))
      bad_message(5, "expected direction 1 or -1, got " + quoted_field(message_fields[5]));

    const Nanos time_ns = date_ns + time_in_day;
    if (time_ns < previous_time) {
      if (!drop) {
        throw InputError({message_name, line_no, 1, "Time"},
                         "time goes backwards: " + quoted_field(message_fields[0]) +
                             " s is earlier than the previous message");
      }
      builder->count_dropped_row();
      continue;
    }
    previous_time = time_ns;
    // Halts carry a code (-1/0/1) in the price field, not a price.
    const std::int64_t half_ticks = type == static_cast<int>(MessageType::trading_halt)
                                        ? 0
                                        : static_cast<std::int64_t>(std::llround(2.0 * static_cast<double>(price) /
                                                                                  static_cast<double>(convert.tick_raw)));
    builder->add_message(time_ns, static_cast<std::int8_t>(type), order_id, size / convert.lot, half_ticks,
                         static_cast<std::int8_t>(direction));

    // Orderbook row: a violation is an error or, with bad_rows: drop, a skipped row.
    bool row_ok = true;
    auto bad_row = [&](std::int64_t column, const std::string& problem) {
      if (!drop) throw InputError({book_name, line_no, column + 1, level_column_name(static_cast<int>(column))}, problem);
      row_ok = false;
    };
    split_fields(line, &fields);
    if (fields.size() != book_fields) {
      if (!drop) {
        throw InputError({book_name, line_no}, "expected " + std::to_string(book_fields) + " fields (" +
                                                   std::to_string(file_depth) + " levels x 4), got " +
                                                   std::to_string(fields.size()));
      }
      builder->count_dropped_row();
      continue;
    }
    for (std::size_t column = 0; column < book_fields && row_ok; ++column) {
      std::int64_t value = 0;
      if (!parse_int(fields[column], &value)) {
        bad_row(static_cast<std::int64_t>(column),
                "expected an integer, got " + quoted_field(fields[column]));
        break;
      }
      const int level = static_cast<int>(column / 4);
      switch (column % 4) {
        case 0:
        case 2: {
          const bool ask = column % 4 == 0;
          if (value == (ask ? kLobsterEmptyAsk : kLobsterEmptyBid)) {
            (ask ? ask_price : bid_price)[level] = ask ? kEmptyAskTicks : kEmptyBidTicks;
          } else if (value % convert.tick_raw != 0) {
            bad_row(static_cast<std::int64_t>(column),
                    "price " + std::to_string(value) + " is not a multiple of the tick (" +
                        std::to_string(convert.tick_raw) + " units of 1/10000)");
          } else if (value <= 0) {
            bad_row(static_cast<std::int64_t>(column), "price must be > 0, got " + std::to_string(value));
          } else {
            (ask ? ask_price : bid_price)[level] = value / convert.tick_raw;
          }
          break;
        }
        default: {
          const bool ask = column % 4 == 1;
          if (value < 0 || value % convert.lot != 0) {
            bad_row(static_cast<std::int64_t>(column), "size must be a non-negative multiple of the lot (" +
                                                           std::to_string(convert.lot) + "), got " +
                                                           std::to_string(value));
          } else {
            (ask ? ask_size : bid_size)[level] = value / convert.lot;
          }
        }
      }
    }
    if (row_ok) {
      RowProblem problem;
      if (!check_row(bid_price.data(), bid_size.data(), ask_price.data(), ask_size.data(), file_depth, &problem)) {
        static constexpr int kFieldOffset[4] = {2, 3, 0, 1};  // bid_price, bid_size, ask_price, ask_size
        bad_row(4 * problem.level + kFieldOffset[static_cast<int>(problem.field)], problem.message);
      }
    }
    if (!row_ok) {
      builder->count_dropped_row();
      continue;
    }
    builder->add_row({time_ns, bid_price.data(), bid_size.data(), ask_price.data(), ask_size.data(), line_no});
  }
}

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's algorithm for the proleptic Gregorian calendar.
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

}  // namespace mmsim::detail
