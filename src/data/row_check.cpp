#include "data/row_check.hpp"

#include <string>

namespace mmsim::detail {
namespace {

bool check_side(const Ticks* price, const Lots* size, int depth, bool ask, RowProblem* problem) {
  const Ticks empty = ask ? kEmptyAskTicks : kEmptyBidTicks;
  const Field price_field = ask ? Field::ask_price : Field::bid_price;
  const Field size_field = ask ? Field::ask_size : Field::bid_size;
  const char* side = ask ? "ask" : "bid";
  bool seen_empty = false;
  for (int level = 0; level < depth; ++level) {
    if (price[level] == empty) {
      if (size[level] != 0) {
        *problem = {level, size_field, std::string("empty ") + side + " level must have size 0, got " +
                                           std::to_string(size[level])};
        return false;
      }
      seen_empty = true;
      continue;
    }
    if (seen_empty) {
      *problem = {level, price_field,
                  std::string("occupied ") + side + " level after an empty one (levels must be contiguous)"};
      return false;
    }
    if (size[level] <= 0) {
      *problem = {level, size_field, std::string(side) + " size must be > 0 on an occupied level, got " +
                                         std::to_string(size[level])};
      return false;
    }
    if (size[level] >= kMaxBookLots) {
      *problem = {level, size_field, std::string(side) + " size " + std::to_string(size[level]) +
                                         " lots is beyond what a book holds (below 2^40 lots)"};
      return false;
    }
    if (price[level] >= kMaxBookTicks) {
      *problem = {level, price_field, std::string(side) + " price " + std::to_string(price[level]) +
                                          " ticks is beyond what a book holds (below 2^53 ticks)"};
      return false;
    }
    if (level > 0) {
      const bool ordered = ask ? price[level] > price[level - 1] : price[level] < price[level - 1];
      if (!ordered) {
        *problem = {level, price_field,
                    std::string(side) + " levels out of order: level " + std::to_string(level + 1) + " price " +
                        std::to_string(price[level]) + " ticks is not " + (ask ? "above" : "below") + " level " +
                        std::to_string(level) + " price " + std::to_string(price[level - 1]) + " ticks"};
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool check_row(const Ticks* bid_price, const Lots* bid_size, const Ticks* ask_price, const Lots* ask_size,
               int depth, RowProblem* problem) {
  if (bid_price[0] == kEmptyBidTicks) {
    *problem = {0, Field::bid_price, "the best bid level is empty (a one-sided book cannot be quoted against)"};
    return false;
  }
  if (ask_price[0] == kEmptyAskTicks) {
    *problem = {0, Field::ask_price, "the best ask level is empty (a one-sided book cannot be quoted against)"};
    return false;
  }
  if (!check_side(bid_price, bid_size, depth, false, problem)) return false;
  if (!check_side(ask_price, ask_size, depth, true, problem)) return false;
  if (bid_price[0] >= ask_price[0]) {
    *problem = {0, Field::bid_price,
                std::string(bid_price[0] == ask_price[0] ? "locked" : "crossed") + " book: best bid " +
                    std::to_string(bid_price[0]) + " ticks >= best ask " + std::to_string(ask_price[0]) + " ticks"};
    return false;
  }
  return true;
}

}  // namespace mmsim::detail
