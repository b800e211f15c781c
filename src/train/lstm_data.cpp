#include "mmsim/train/lstm_data.hpp"

#include "data/file_io.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/book_row.hpp"

namespace mmsim::train {
namespace {

std::uint64_t hash_vector(const std::vector<std::int64_t>& v, std::uint64_t seed) {
  return detail::hash64(v.data(), v.size() * sizeof(std::int64_t), seed);
}

}  // namespace

LstmData make_lstm_data(const BookTensor& book, const FeatureTable& table, const Splits& splits) {
  if (!table.normalised() || table.columns() != table.layout.columns()) {
    throw Error("the LSTM reads the normalised market features without LSTM columns");
  }
  MMSIM_ASSERT(table.rows == book.rows(), "feature table and book disagree on rows");
  LstmData data;
  data.inputs = torch::from_blob(const_cast<float*>(table.values.data()), {table.rows, table.columns()},
                                 torch::TensorOptions().dtype(torch::kFloat32))
                    .clone();
  data.session_begin = book.session_begin;
  data.splits = splits;
  const std::int64_t rows = book.rows();
  const BookPrices prices = book.prices();
  data.last_move.assign(static_cast<std::size_t>(rows), 0);
  for (std::size_t s = 0; s + 1 < book.session_begin.size(); ++s) {
    for (std::int64_t r = book.session_begin[s]; r < book.session_begin[s + 1]; ++r) {
      data.last_move[r] = mid_move_half_ticks(prices, book.session_begin[s], r);
    }
  }
  // Split ranges never cross a session, so t + 1 in t's range is in its session.
  data.next_move.assign(static_cast<std::size_t>(rows), kNoMove);
  for (const Split* split : {&splits.train, &splits.validation, &splits.test}) {
    for (const RowRange& r : split->ranges) {
      for (std::int64_t row = r.begin; row + 1 < r.end; ++row) data.next_move[row] = data.last_move[row + 1];
    }
  }
  return data;
}

torch::Tensor lstm_targets_within(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config) {
  torch::Tensor targets = torch::full({data.rows()}, -1, torch::kInt64);
  auto* t = targets.data_ptr<std::int64_t>();
  for (const RowRange& r : ranges) {
    for (std::int64_t row = r.begin; row + 1 < r.end; ++row) {
      if (data.next_move[row] != kNoMove) t[row] = lstm_class_of_move(data.next_move[row], config);
    }
  }
  return targets;
}

std::uint64_t lstm_data_key(const LstmData& data, const LstmConfig& config) {
  const torch::Tensor inputs = data.inputs.contiguous();
  std::uint64_t h = detail::hash64(inputs.data_ptr<float>(), static_cast<std::size_t>(inputs.numel()) * sizeof(float),
                                   static_cast<std::uint64_t>(inputs.size(1)));
  h = hash_vector(data.next_move, h);
  h = hash_vector(data.session_begin, h);
  for (const Split* split : {&data.splits.train, &data.splits.validation, &data.splits.test}) {
    std::vector<std::int64_t> bounds;
    for (const RowRange& r : split->ranges) bounds.insert(bounds.end(), {r.begin, r.end});
    h = hash_vector(bounds, h + 1);
  }
  return hash_vector({config.hidden, config.max_move_half_ticks, config.class_width_half_ticks,
                      config.walk_forward_blocks},
                     h);
}

}  // namespace mmsim::train
