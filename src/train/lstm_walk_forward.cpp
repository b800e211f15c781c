#include "mmsim/train/lstm_walk_forward.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"

namespace mmsim::train {
namespace {

/// One line of a fit's progress.
std::string describe(const LstmEpoch& e, const std::string& name, int epochs) {
  return format("lstm %-7s epoch %3d/%d  train CE %.4f acc %.3f  holdout CE %.4f acc %.3f  %.1f s%s\n", name.c_str(),
                e.epoch, epochs, e.train_cross_entropy, e.train_accuracy, e.holdout_cross_entropy, e.holdout_accuracy,
                e.seconds, e.best ? "  <- best" : "");
}

}  // namespace

LstmModels train_lstm_models(const LstmData& data, const LstmConfig& config, std::uint64_t seed, torch::Device device,
                             std::ostream& out) {
  validate(config);
  LstmModels models;
  models.blocks = plan_walk_forward(data.splits.train, config.walk_forward_blocks);
  models.data_key = lstm_data_key(data, config);
  const int K = models.blocks.count();
  auto fit_one = [&](const std::string& name, const std::vector<RowRange>& fit, const std::vector<RowRange>& holdout,
                     std::uint64_t fit_seed) {
    out << "lstm " << name << ": fitting on " << Split{fit}.rows() << " rows, early stopping on "
        << Split{holdout}.rows() << " rows\n"
        << std::flush;
    LstmFit result = fit_lstm(data, fit, holdout, config, fit_seed, device,
                              [&](const LstmEpoch& e) { out << describe(e, name, config.epochs) << std::flush; });
    out << "lstm " << name << ": kept epoch " << result.best_epoch << "\n";
    models.fits.push_back(result);
    return result.net;
  };
  if (data.splits.validation.rows() < 2) {
    throw ConfigError("split.validation", "the LSTM stops early on the validation split, which has fewer than 2 rows");
  }
  models.full = fit_one("full", data.splits.train.ranges, data.splits.validation.ranges, seed);
  const std::vector<RowRange>& train = data.splits.train.ranges;
  for (int k = 1; k < K; ++k) {
    const std::vector<RowRange> earlier = clip_ranges(train, 0, models.blocks.begin[k]);
    const std::int64_t rows = Split{earlier}.rows();
    const std::int64_t cut =
        row_at(earlier, rows - std::max<std::int64_t>(2, std::llround(config.fold_validation_fraction * rows)));
    const std::vector<RowRange> fit = clip_ranges(earlier, 0, cut);
    const std::vector<RowRange> holdout = clip_ranges(earlier, cut, models.blocks.begin[k]);
    const std::int64_t fit_rows = Split{fit}.rows();
    if (fit_rows < 2) {
      throw ConfigError("lstm.walk_forward_blocks",
                        std::to_string(K) + " blocks leave fold " + std::to_string(k) + " with " +
                            std::to_string(fit_rows) + " rows to fit on; use fewer blocks or more training rows");
    }
    models.folds.push_back(fit_one("fold " + std::to_string(k), fit, holdout, seed + static_cast<std::uint64_t>(k)));
  }
  return models;
}

torch::Tensor lstm_columns(const LstmModels& models, const LstmData& data, torch::Device device,
                           const torch::Tensor& full_forecast) {
  torch::Tensor columns = full_forecast.defined() ? full_forecast.clone() : lstm_forecast(models.full, data, device);
  const auto& begin = models.blocks.begin;
  const std::vector<RowRange>& train = data.splits.train.ranges;
  for (const RowRange& r : clip_ranges(train, begin[0], begin[1])) {
    columns.narrow(0, r.begin, r.size()).fill_(1.0 / static_cast<double>(columns.size(1)));
  }
  for (int k = 1; k < models.blocks.count(); ++k) {
    const torch::Tensor fold = lstm_forecast(models.folds[static_cast<std::size_t>(k - 1)], data, device, begin[k + 1]);
    for (const RowRange& r : clip_ranges(train, begin[k], begin[k + 1])) {
      columns.narrow(0, r.begin, r.size()).copy_(fold.narrow(0, r.begin, r.size()));
    }
  }
  return columns;
}

Split lstm_agent_train(const Split& train, const WalkForwardBlocks& blocks) {
  Split agent;
  agent.ranges = clip_ranges(train.ranges, blocks.begin[1], blocks.begin.back());
  return agent;
}

}  // namespace mmsim::train
