#pragma once
// The order book as columnar arrays: the simulator's market input.

#include <cstdint>
#include <string>
#include <vector>

#include "mmsim/core/types.hpp"
#include "mmsim/core/view.hpp"
#include "mmsim/data/book_row.hpp"

namespace mmsim {

/// How prices and sizes of the source map to integer ticks and lots.
struct Instrument {
  double tick_size = 0.01;  ///< price of one tick, in the source's currency units (e.g. USD)
  double lot_size = 1.0;    ///< size of one lot, in the source's size units (shares, BTC, ...)
};

/// Message types of LOBSTER message files.
enum class MessageType : std::int8_t {
  submit = 1,           ///< new limit order
  partial_cancel = 2,   ///< cancellation of part of an order
  full_delete = 3,      ///< deletion of an order
  visible_execution = 4,
  hidden_execution = 5, ///< does not change the visible book
  cross_trade = 6,
  trading_halt = 7,
};

/// Every message of message-based data, in file order, as columns of length M.
struct MessageLog {
  std::vector<Nanos> time_ns;           ///< time of the message, ns since the Unix epoch
  std::vector<std::int8_t> type;        ///< MessageType
  std::vector<std::int64_t> order_id;
  std::vector<Lots> size;               ///< lots
  /// Price in half-ticks (2 x ticks): hidden executions can trade at the
  /// midpoint, off the tick grid. Other off-grid prices round to the nearest half-tick.
  std::vector<std::int64_t> price_half_ticks;
  std::vector<std::int8_t> direction;   ///< +1 buy limit order, -1 sell limit order (for executions: the resting side)

  std::int64_t size_rows() const { return static_cast<std::int64_t>(time_ns.size()); }
};

/// Columnar order book of T kept rows and L levels per side, row-major [T, L].
///
/// Level 0 is the best level. An empty level has size 0 and price
/// kEmptyBidTicks / kEmptyAskTicks; empty levels only follow occupied ones.
/// Level 0 is occupied on both sides of every row and bid < ask there.
/// Rows are grouped into sessions (files or days): session s spans rows
/// [session_begin[s], session_begin[s + 1]); deltas in time restart at each.
struct BookTensor {
  Instrument instrument;
  int depth = 0;                          ///< L
  std::vector<Nanos> time_ns;             ///< [T] ns since the Unix epoch (the source's clock)
  std::vector<Ticks> bid_price;           ///< [T, L]
  std::vector<Ticks> ask_price;           ///< [T, L]
  std::vector<Lots> bid_size;             ///< [T, L]
  std::vector<Lots> ask_size;             ///< [T, L]
  std::vector<std::int64_t> source_line;  ///< [T] 1-based line of the row in its source file
  std::vector<std::int64_t> session_begin;   ///< [S + 1] first row of each session, then T
  std::vector<std::string> session_names;    ///< [S] e.g. the file's base name

  /// Messages of message-based data (LOBSTER); empty for snapshot data.
  MessageLog messages;
  /// [T] when messages exist: row t was reached by messages
  /// [message_begin[t], message_end[t]): every message after the previous
  /// kept row of its session up to and including the one that produced row
  /// t. Within a session, message_end[t] == message_begin[t + 1]; messages
  /// after a session's last kept row belong to no row.
  std::vector<std::int64_t> message_begin;
  std::vector<std::int64_t> message_end;

  std::int64_t rows() const { return static_cast<std::int64_t>(time_ns.size()); }
  int sessions() const { return static_cast<int>(session_names.size()); }
  bool has_messages() const { return !message_begin.empty(); }
  /// Index of the session holding `row`.
  int session_of(std::int64_t row) const;

  View2D<const Ticks> bid_prices() const { return {bid_price.data(), rows(), depth}; }
  View2D<const Ticks> ask_prices() const { return {ask_price.data(), rows(), depth}; }
  View2D<const Lots> bid_sizes() const { return {bid_size.data(), rows(), depth}; }
  View2D<const Lots> ask_sizes() const { return {ask_size.data(), rows(), depth}; }
  /// Both price columns, for the book's rules (mmsim/data/book_row.hpp).
  BookPrices prices() const { return {bid_prices(), ask_prices()}; }
  /// session_begin as a view, for session_start_of / session_end_of.
  View<const std::int64_t> session_bounds() const {
    return {session_begin.data(), static_cast<std::int64_t>(session_begin.size())};
  }
};

}  // namespace mmsim
