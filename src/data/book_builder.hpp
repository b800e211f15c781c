#pragma once
// Accumulates validated rows of one or more sessions into a BookTensor,
// applying the step_on rule (to every row, or to the last row of each
// timestamp) and counting what every rule would keep.

#include <string>
#include <vector>

#include "mmsim/data/load.hpp"

namespace mmsim::detail {

/// One validated source row, truncated to the kept depth.
struct RowView {
  Nanos time_ns = 0;
  const Ticks* bid_price = nullptr;
  const Lots* bid_size = nullptr;
  const Ticks* ask_price = nullptr;
  const Lots* ask_size = nullptr;
  std::int64_t source_line = 0;
};

class BookBuilder {
 public:
  BookBuilder(const Instrument& instrument, int depth, StepOn rule, SameTimestamp same_timestamp, bool with_messages);

  void begin_session(const std::string& name);
  void add_message(Nanos time_ns, std::int8_t type, std::int64_t order_id, Lots size,
                   std::int64_t price_half_ticks, std::int8_t direction);
  /// Messages come before the row they lead to (LOBSTER's line k: message
  /// k, then the book after it).
  void add_row(const RowView& row);
  void count_source_row() { ++stats_.source_rows; }
  void count_dropped_row() { ++stats_.dropped_rows; }
  void set_file_depth(int depth) { stats_.file_depth = depth; }

  LoadedBook finish();

 private:
  bool same_best(const RowView& row) const;
  bool same_visible(const RowView& row) const;
  /// Applies the step_on rule to `row` and keeps it or not.
  void consider_row(const RowView& row);
  /// SameTimestamp::last_row: considers the held row, the last of its timestamp.
  void release_held_row();

  BookTensor book_;
  LoadStats stats_;
  StepOn rule_;
  bool with_messages_;
  bool session_has_row_ = false;
  std::int64_t pending_message_begin_ = 0;
  std::vector<Ticks> previous_bid_price_, previous_ask_price_;
  std::vector<Lots> previous_bid_size_, previous_ask_size_;
  // SameTimestamp::last_row: the newest row, held until a later timestamp
  // (or the session's end) shows it was the last of its own.
  bool last_of_timestamp_ = false;
  bool holding_ = false;
  RowView held_;
  std::vector<Ticks> held_bid_price_, held_ask_price_;
  std::vector<Lots> held_bid_size_, held_ask_size_;
};

}  // namespace mmsim::detail
