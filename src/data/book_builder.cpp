#include "data/book_builder.hpp"

#include <algorithm>

#include "mmsim/core/error.hpp"

namespace mmsim::detail {

BookBuilder::BookBuilder(const Instrument& instrument, int depth, StepOn rule, SameTimestamp same_timestamp,
                         bool with_messages)
    : rule_(rule), with_messages_(with_messages), last_of_timestamp_(same_timestamp == SameTimestamp::last_row) {
  book_.instrument = instrument;
  book_.depth = depth;
  previous_bid_price_.resize(depth);
  previous_ask_price_.resize(depth);
  previous_bid_size_.resize(depth);
  previous_ask_size_.resize(depth);
  held_bid_price_.resize(depth);
  held_ask_price_.resize(depth);
  held_bid_size_.resize(depth);
  held_ask_size_.resize(depth);
  held_.bid_price = held_bid_price_.data();
  held_.ask_price = held_ask_price_.data();
  held_.bid_size = held_bid_size_.data();
  held_.ask_size = held_ask_size_.data();
}

void BookBuilder::release_held_row() {
  if (!holding_) return;
  holding_ = false;
  consider_row(held_);
}

void BookBuilder::begin_session(const std::string& name) {
  release_held_row();
  book_.session_begin.push_back(book_.rows());
  book_.session_names.push_back(name);
  session_has_row_ = false;
  // Messages after the previous session's last kept row stay in that session.
  if (with_messages_) pending_message_begin_ = book_.messages.size_rows();
}

void BookBuilder::add_message(Nanos time_ns, std::int8_t type, std::int64_t order_id, Lots size,
                              std::int64_t price_half_ticks, std::int8_t direction) {
  // A message of a later time ends the held row's timestamp: the row keeps the messages before it.
  if (holding_ && time_ns != held_.time_ns) release_held_row();
  MessageLog& log = book_.messages;
  log.time_ns.push_back(time_ns);
  log.type.push_back(type);
  log.order_id.push_back(order_id);
  log.size.push_back(size);
  log.price_half_ticks.push_back(price_half_ticks);
  log.direction.push_back(direction);
}

bool BookBuilder::same_best(const RowView& row) const {
  return row.bid_price[0] == previous_bid_price_[0] && row.ask_price[0] == previous_ask_price_[0];
}

bool BookBuilder::same_visible(const RowView& row) const {
  const int depth = book_.depth;
  return std::equal(row.bid_price, row.bid_price + depth, previous_bid_price_.begin()) &&
         std::equal(row.ask_price, row.ask_price + depth, previous_ask_price_.begin()) &&
         std::equal(row.bid_size, row.bid_size + depth, previous_bid_size_.begin()) &&
         std::equal(row.ask_size, row.ask_size + depth, previous_ask_size_.begin());
}

void BookBuilder::add_row(const RowView& row) {
  if (!last_of_timestamp_) {
    consider_row(row);
    return;
  }
  if (holding_ && row.time_ns != held_.time_ns) release_held_row();
  const int depth = book_.depth;
  std::copy(row.bid_price, row.bid_price + depth, held_bid_price_.begin());
  std::copy(row.ask_price, row.ask_price + depth, held_ask_price_.begin());
  std::copy(row.bid_size, row.bid_size + depth, held_bid_size_.begin());
  std::copy(row.ask_size, row.ask_size + depth, held_ask_size_.begin());
  held_.time_ns = row.time_ns;
  held_.source_line = row.source_line;
  holding_ = true;
}

void BookBuilder::consider_row(const RowView& row) {
  // Each rule compares with the previous row considered; since a rule keeps every
  // row where its compared fields change, that equals its previous kept row.
  const bool first = !session_has_row_;
  const bool best_changed = first || !same_best(row);
  const bool any_changed = first || !same_visible(row);
  stats_.rows_per_rule[static_cast<int>(StepOn::best_price_change)] += best_changed;
  stats_.rows_per_rule[static_cast<int>(StepOn::any_change)] += any_changed;
  stats_.rows_per_rule[static_cast<int>(StepOn::every_event)] += 1;

  const int depth = book_.depth;
  std::copy(row.bid_price, row.bid_price + depth, previous_bid_price_.begin());
  std::copy(row.ask_price, row.ask_price + depth, previous_ask_price_.begin());
  std::copy(row.bid_size, row.bid_size + depth, previous_bid_size_.begin());
  std::copy(row.ask_size, row.ask_size + depth, previous_ask_size_.begin());
  session_has_row_ = true;

  bool keep = true;
  if (rule_ == StepOn::best_price_change) keep = best_changed;
  if (rule_ == StepOn::any_change) keep = any_changed;
  if (!keep) return;

  book_.time_ns.push_back(row.time_ns);
  book_.bid_price.insert(book_.bid_price.end(), row.bid_price, row.bid_price + depth);
  book_.ask_price.insert(book_.ask_price.end(), row.ask_price, row.ask_price + depth);
  book_.bid_size.insert(book_.bid_size.end(), row.bid_size, row.bid_size + depth);
  book_.ask_size.insert(book_.ask_size.end(), row.ask_size, row.ask_size + depth);
  book_.source_line.push_back(row.source_line);
  if (with_messages_) {
    book_.message_begin.push_back(pending_message_begin_);
    pending_message_begin_ = book_.messages.size_rows();
    book_.message_end.push_back(pending_message_begin_);
  }
}

LoadedBook BookBuilder::finish() {
  release_held_row();
  // Sessions that kept no row (every row dropped) are removed.
  std::vector<std::int64_t> begins;
  std::vector<std::string> names;
  const std::int64_t rows = book_.rows();
  for (std::size_t s = 0; s < book_.session_names.size(); ++s) {
    const std::int64_t end = s + 1 < book_.session_begin.size() ? book_.session_begin[s + 1] : rows;
    if (end > book_.session_begin[s]) {
      begins.push_back(book_.session_begin[s]);
      names.push_back(book_.session_names[s]);
    }
  }
  begins.push_back(rows);
  book_.session_begin = std::move(begins);
  book_.session_names = std::move(names);
  stats_.kept_rows = rows;
  MMSIM_ASSERT(stats_.rows_per_rule[static_cast<int>(rule_)] == rows, "kept rows disagree with the rule's count");
  return {std::move(book_), stats_};
}

}  // namespace mmsim::detail
