#include "cli/lstm.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include "mmsim/config/market.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/lstm.hpp"

namespace mmsim::cli {
namespace {

/// The device of --device (cpu or cuda, checked by the command line).
torch::Device lstm_device(const std::string& name) {
  if (name != "cuda") return torch::kCPU;
  std::string reason;
  if (!train::cuda_training_available(&reason)) throw Error("--device cuda: " + reason);
  return torch::kCUDA;
}

struct ScoreRow {
  std::string split, forecast;
  train::LstmScores scores;
};

/// Every score of the report: the LSTM on each split, the in-sample and
/// out-of-fold forecasts of the walk-forward blocks, and the two baselines.
std::vector<ScoreRow> score_rows(const train::LstmData& data, const train::LstmModels& models,
                                 const torch::Tensor& full, const torch::Tensor& columns,
                                 const train::LstmConfig& config) {
  const std::vector<RowRange> later =
      train::clip_ranges(data.splits.train.ranges, models.blocks.begin[1], models.blocks.begin.back());
  const std::string blocks = format("train, blocks 1-%d", models.blocks.count() - 1);
  std::vector<ScoreRow> rows;
  rows.push_back({"train", "LSTM, in-sample", train::score_forecast(full, data, data.splits.train.ranges, config)});
  rows.push_back({blocks, "LSTM, in-sample", train::score_forecast(full, data, later, config)});
  rows.push_back({blocks, "LSTM, out-of-fold (agent's columns)", train::score_forecast(columns, data, later, config)});
  const std::pair<const char*, const Split*> splits[] = {
      {"train", &data.splits.train}, {"validation", &data.splits.validation}, {"test", &data.splits.test}};
  for (const auto& [name, split] : splits) {
    if (split != &data.splits.train) rows.push_back({name, "LSTM", train::score_forecast(full, data, split->ranges, config)});
    rows.push_back({name, "most frequent class", train::score_most_frequent(data, split->ranges, config)});
    rows.push_back({name, "sign of the last move", train::score_last_move(data, split->ranges, config)});
  }
  return rows;
}

std::string json_number(double v) { return std::isnan(v) ? std::string("null") : format("%.6g", v); }

std::string markdown_table(const std::vector<ScoreRow>& rows) {
  std::ostringstream out;
  out << "| split | forecast | rows | moved | cross-entropy | class accuracy | direction accuracy |\n"
      << "|---|---|---:|---:|---:|---:|---:|\n";
  for (const ScoreRow& r : rows) {
    out << "| " << r.split << " | " << r.forecast << " | " << r.scores.rows << " | " << r.scores.moved_rows << " | "
        << format_or_dash("%.4f", r.scores.cross_entropy) << " | " << format_or_dash("%.1f%%", 100 * r.scores.accuracy) << " | "
        << format_or_dash("%.1f%%", 100 * r.scores.direction_accuracy) << " |\n";
  }
  return out.str();
}

std::string gap_line(const std::vector<ScoreRow>& rows) {
  const train::LstmScores& in = rows[1].scores;
  const train::LstmScores& oof = rows[2].scores;
  return format("Out-of-fold minus in-sample on %s: cross-entropy %+.4f nats, class accuracy %+.1f points, "
                "direction accuracy %+.1f points.",
                rows[1].split.c_str(), oof.cross_entropy - in.cross_entropy, 100 * (oof.accuracy - in.accuracy),
                100 * (oof.direction_accuracy - in.direction_accuracy));
}

std::string report_json(const Config& config, const std::vector<ScoreRow>& rows, const train::LstmModels& models,
                        double seconds) {
  const train::LstmConfig& l = config.lstm;
  std::ostringstream out;
  out << "{\n  \"classes\": " << train::lstm_class_count(l) << ",\n  \"max_move_half_ticks\": " << l.max_move_half_ticks
      << ",\n  \"class_width_half_ticks\": " << l.class_width_half_ticks << ",\n  \"hidden\": " << l.hidden
      << ",\n  \"walk_forward_blocks\": " << models.blocks.count() << ",\n  \"training_seconds\": " << json_number(seconds)
      << ",\n  \"scores\": [\n";
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const ScoreRow& r = rows[k];
    out << "    {\"split\": \"" << r.split << "\", \"forecast\": \"" << r.forecast << "\", \"rows\": " << r.scores.rows
        << ", \"moved_rows\": " << r.scores.moved_rows << ", \"cross_entropy\": " << json_number(r.scores.cross_entropy)
        << ", \"accuracy\": " << json_number(r.scores.accuracy)
        << ", \"direction_accuracy\": " << json_number(r.scores.direction_accuracy) << "}"
        << (k + 1 < rows.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"gap_out_of_fold_minus_in_sample\": {\"cross_entropy\": "
      << json_number(rows[2].scores.cross_entropy - rows[1].scores.cross_entropy)
      << ", \"accuracy\": " << json_number(rows[2].scores.accuracy - rows[1].scores.accuracy)
      << ", \"direction_accuracy\": " << json_number(rows[2].scores.direction_accuracy - rows[1].scores.direction_accuracy)
      << "},\n  \"models\": [\n";
  for (std::size_t k = 0; k < models.fits.size(); ++k) {
    out << "    {\"model\": \"" << (k == 0 ? std::string("full") : "fold " + std::to_string(k))
        << "\", \"best_epoch\": " << models.fits[k].best_epoch << ", \"epochs\": " << models.fits[k].epochs.size() << "}"
        << (k + 1 < models.fits.size() ? "," : "") << "\n";
  }
  out << "  ]\n}\n";
  return out.str();
}

std::string epochs_csv(const train::LstmModels& models) {
  std::ostringstream out;
  out << "model,epoch,train_cross_entropy,train_accuracy,holdout_cross_entropy,holdout_accuracy,seconds,best\n";
  for (std::size_t k = 0; k < models.fits.size(); ++k) {
    for (const train::LstmEpoch& e : models.fits[k].epochs) {
      out << (k == 0 ? std::string("full") : "fold_" + std::to_string(k)) << ',' << e.epoch << ','
          << json_number(e.train_cross_entropy) << ',' << json_number(e.train_accuracy) << ','
          << json_number(e.holdout_cross_entropy) << ',' << json_number(e.holdout_accuracy) << ','
          << format("%.3f", e.seconds) << ',' << (e.best ? 1 : 0) << '\n';
    }
  }
  return out.str();
}

std::string report_markdown(const Config& config, const std::vector<ScoreRow>& rows, const train::LstmModels& models,
                            double seconds) {
  const train::LstmConfig& l = config.lstm;
  std::ostringstream out;
  out << "# LSTM mid-move forecast\n\n"
      << format("%d classes of the next mid move (clipped to +-%d half-ticks, %d half-tick(s) per class); "
                "one-layer LSTM of %d units; %d walk-forward blocks; fitted in %.1f s.\n\n",
                train::lstm_class_count(l), l.max_move_half_ticks, l.class_width_half_ticks, l.hidden,
                models.blocks.count(), seconds)
      << "Cross-entropy in nats over rows with a next move; direction accuracy over the rows where the mid moved "
         "(a forecast of no move counts as wrong). Baselines: the training split's most frequent class, and the "
         "class and sign of the last move. Block 0 of the training split has no earlier rows to fit on: its "
         "columns are uniform and the agent does not train on it.\n\n"
      << markdown_table(rows) << "\n" << gap_line(rows) << "\n\n| model | kept epoch | epochs run |\n|---|---:|---:|\n";
  for (std::size_t k = 0; k < models.fits.size(); ++k) {
    out << "| " << (k == 0 ? std::string("full") : "fold " + std::to_string(k)) << " | " << models.fits[k].best_epoch
        << " | " << models.fits[k].epochs.size() << " |\n";
  }
  return out.str();
}

void print_columns_outcome(const train::LstmColumns& columns, std::ostream& out) {
  if (!columns.note.empty()) out << columns.note << "\n";
  switch (columns.outcome) {
    case train::LstmCacheOutcome::read: out << "lstm columns: read from the cache " << columns.file.string() << "\n"; break;
    case train::LstmCacheOutcome::built:
    case train::LstmCacheOutcome::rebuilt_damaged:
      out << "lstm columns: computed and cached in " << columns.file.string() << "\n";
      break;
    case train::LstmCacheOutcome::uncached: out << "lstm columns: computed (data.cache is off)\n"; break;
  }
}

}  // namespace

int run_lstm_train(const Config& config, const LstmOptions& options, std::ostream& out) {
  const torch::Device device = lstm_device(options.device);
  const MarketData in = load_market(config);
  const train::LstmData data = train::make_lstm_data(in.loaded.book, in.table, in.splits);
  const std::filesystem::path dir = lstm_dir_of(config);
  out << format("lstm: %lld rows x %lld features, %d classes, on the %s; train %lld, validation %lld, test %lld rows\n",
                static_cast<long long>(data.rows()), static_cast<long long>(data.columns()),
                train::lstm_class_count(config.lstm), options.device.c_str(),
                static_cast<long long>(in.splits.train.rows()), static_cast<long long>(in.splits.validation.rows()),
                static_cast<long long>(in.splits.test.rows()))
      << std::flush;
  const auto start = std::chrono::steady_clock::now();
  const train::LstmModels models = train::train_lstm_models(data, config.lstm, config.seed, device, out);
  const torch::Tensor full = train::lstm_forecast(models.full, data, device);
  const torch::Tensor columns = train::lstm_columns(models, data, device, full);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<ScoreRow> rows = score_rows(data, models, full, columns, config.lstm);
  train::save_lstm_models(models, config.lstm, data.columns(), dir,
                          {{"report.md", report_markdown(config, rows, models, seconds)},
                           {"report.json", report_json(config, rows, models, seconds)},
                           {"epochs.csv", epochs_csv(models)},
                           {"config.yaml", to_yaml(config)}});
  print_columns_outcome(train::cached_lstm_columns(dir, models, data, cache_dir_in_use(config), device, columns), out);
  out << "\n" << markdown_table(rows) << "\n" << gap_line(rows) << "\n"
      << format("fitted in %.1f s; models and report: %s\n", seconds, (dir / "report.md").string().c_str());
  return 0;
}

int run_lstm_features(const Config& config, const LstmOptions& options, std::ostream& out) {
  const torch::Device device = lstm_device(options.device);
  const MarketData in = load_market(config);
  const train::LstmData data = train::make_lstm_data(in.loaded.book, in.table, in.splits);
  const std::filesystem::path dir = lstm_dir_of(config);
  const train::LstmModels models = train::load_lstm_models(dir, config.lstm, data);
  const train::LstmColumns columns = train::cached_lstm_columns(dir, models, data, cache_dir_in_use(config), device);
  print_columns_outcome(columns, out);
  const torch::Tensor full = train::lstm_forecast(models.full, data, device);
  const std::vector<ScoreRow> rows = score_rows(data, models, full, columns.probabilities, config.lstm);
  out << "\n" << markdown_table(rows) << "\n" << gap_line(rows) << "\n";
  return 0;
}

}  // namespace mmsim::cli
