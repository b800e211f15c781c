#include "mmsim/train/lstm_report.hpp"

#include <cmath>
#include <sstream>
#include <utility>

#include "mmsim/core/printf_format.hpp"

namespace mmsim::train {
namespace {

std::string json_number(double v) { return std::isnan(v) ? std::string("null") : format("%.6g", v); }

/// The name of models.fits[k] in the report's tables.
std::string fit_name(std::size_t k, const char* fold_prefix) {
  return k == 0 ? std::string("full") : fold_prefix + std::to_string(k);
}

std::string gap_line(const LstmReport& report) {
  const LstmScores& in = report.in_sample().scores;
  const LstmScores& oof = report.out_of_fold().scores;
  return format("Out-of-fold minus in-sample on %s: cross-entropy %+.4f nats, class accuracy %+.1f points, "
                "direction accuracy %+.1f points.",
                report.in_sample().split.c_str(), oof.cross_entropy - in.cross_entropy,
                100 * (oof.accuracy - in.accuracy), 100 * (oof.direction_accuracy - in.direction_accuracy));
}

std::string report_json(const LstmReport& report, const LstmModels& models, const LstmConfig& config,
                        double fit_seconds) {
  const std::vector<LstmScoreRow>& rows = report.rows;
  const LstmScores& in = report.in_sample().scores;
  const LstmScores& oof = report.out_of_fold().scores;
  std::ostringstream out;
  out << "{\n  \"classes\": " << lstm_class_count(config) << ",\n  \"max_move_half_ticks\": "
      << config.max_move_half_ticks << ",\n  \"class_width_half_ticks\": " << config.class_width_half_ticks
      << ",\n  \"hidden\": " << config.hidden << ",\n  \"walk_forward_blocks\": " << models.blocks.count()
      << ",\n  \"training_seconds\": " << json_number(fit_seconds) << ",\n  \"scores\": [\n";
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const LstmScoreRow& r = rows[k];
    out << "    {\"split\": \"" << r.split << "\", \"forecast\": \"" << r.forecast << "\", \"rows\": " << r.scores.rows
        << ", \"moved_rows\": " << r.scores.moved_rows << ", \"cross_entropy\": " << json_number(r.scores.cross_entropy)
        << ", \"accuracy\": " << json_number(r.scores.accuracy)
        << ", \"direction_accuracy\": " << json_number(r.scores.direction_accuracy) << "}"
        << (k + 1 < rows.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"gap_out_of_fold_minus_in_sample\": {\"cross_entropy\": "
      << json_number(oof.cross_entropy - in.cross_entropy)
      << ", \"accuracy\": " << json_number(oof.accuracy - in.accuracy)
      << ", \"direction_accuracy\": " << json_number(oof.direction_accuracy - in.direction_accuracy)
      << "},\n  \"models\": [\n";
  for (std::size_t k = 0; k < models.fits.size(); ++k) {
    out << "    {\"model\": \"" << fit_name(k, "fold ") << "\", \"best_epoch\": " << models.fits[k].best_epoch
        << ", \"epochs\": " << models.fits[k].epochs.size() << "}" << (k + 1 < models.fits.size() ? "," : "") << "\n";
  }
  out << "  ]\n}\n";
  return out.str();
}

std::string epochs_csv(const LstmModels& models) {
  std::ostringstream out;
  out << "model,epoch,train_cross_entropy,train_accuracy,holdout_cross_entropy,holdout_accuracy,seconds,best\n";
  for (std::size_t k = 0; k < models.fits.size(); ++k) {
    for (const LstmEpoch& e : models.fits[k].epochs) {
      out << fit_name(k, "fold_") << ',' << e.epoch << ',' << json_number(e.train_cross_entropy) << ','
          << json_number(e.train_accuracy) << ',' << json_number(e.holdout_cross_entropy) << ','
          << json_number(e.holdout_accuracy) << ',' << format("%.3f", e.seconds) << ',' << (e.best ? 1 : 0) << '\n';
    }
  }
  return out.str();
}

std::string report_markdown(const LstmReport& report, const LstmModels& models, const LstmConfig& config,
                            double fit_seconds) {
  std::ostringstream out;
  out << "# LSTM mid-move forecast\n\n"
      << format("%d classes of the next mid move (clipped to +-%d half-ticks, %d half-tick(s) per class); "
                "one-layer LSTM of %d units; %d walk-forward blocks; fitted in %.1f s.\n\n",
                lstm_class_count(config), config.max_move_half_ticks, config.class_width_half_ticks, config.hidden,
                models.blocks.count(), fit_seconds)
      << "Cross-entropy in nats over rows with a next move; direction accuracy over the rows where the mid moved "
         "(a forecast of no move counts as wrong). Baselines: the training split's most frequent class, and the "
         "class and sign of the last move. Block 0 of the training split has no earlier rows to fit on: its "
         "columns are uniform and the agent does not train on it.\n\n"
      << lstm_scores_markdown(report) << "\n| model | kept epoch | epochs run |\n|---|---:|---:|\n";
  for (std::size_t k = 0; k < models.fits.size(); ++k) {
    out << "| " << fit_name(k, "fold ") << " | " << models.fits[k].best_epoch << " | "
        << models.fits[k].epochs.size() << " |\n";
  }
  return out.str();
}

}  // namespace

LstmReport lstm_report(const LstmData& data, const LstmModels& models, const torch::Tensor& full_forecast,
                       const torch::Tensor& columns, const LstmConfig& config) {
  const std::vector<RowRange> later = lstm_agent_train(data.splits.train, models.blocks).ranges;
  const std::string blocks = format("train, blocks 1-%d", models.blocks.count() - 1);
  LstmReport report;
  std::vector<LstmScoreRow>& rows = report.rows;
  rows.push_back({"train", "LSTM, in-sample", score_forecast(full_forecast, data, data.splits.train.ranges, config)});
  rows.push_back({blocks, "LSTM, in-sample", score_forecast(full_forecast, data, later, config)});
  rows.push_back({blocks, "LSTM, out-of-fold (agent's columns)", score_forecast(columns, data, later, config)});
  const std::pair<const char*, const Split*> splits[] = {
      {"train", &data.splits.train}, {"validation", &data.splits.validation}, {"test", &data.splits.test}};
  for (const auto& [name, split] : splits) {
    if (split != &data.splits.train) {
      rows.push_back({name, "LSTM", score_forecast(full_forecast, data, split->ranges, config)});
    }
    rows.push_back({name, "most frequent class", score_most_frequent(data, split->ranges, config)});
    rows.push_back({name, "sign of the last move", score_last_move(data, split->ranges, config)});
  }
  return report;
}

std::string lstm_scores_markdown(const LstmReport& report) {
  std::ostringstream out;
  out << "| split | forecast | rows | moved | cross-entropy | class accuracy | direction accuracy |\n"
      << "|---|---|---:|---:|---:|---:|---:|\n";
  for (const LstmScoreRow& r : report.rows) {
    out << "| " << r.split << " | " << r.forecast << " | " << r.scores.rows << " | " << r.scores.moved_rows << " | "
        << format_or_dash("%.4f", r.scores.cross_entropy) << " | "
        << format_or_dash("%.1f%%", 100 * r.scores.accuracy) << " | "
        << format_or_dash("%.1f%%", 100 * r.scores.direction_accuracy) << " |\n";
  }
  out << "\n" << gap_line(report) << "\n";
  return out.str();
}

std::map<std::string, std::string> lstm_report_files(const LstmReport& report, const LstmModels& models,
                                                     const LstmConfig& config, double fit_seconds) {
  return {{"report.md", report_markdown(report, models, config, fit_seconds)},
          {"report.json", report_json(report, models, config, fit_seconds)},
          {"epochs.csv", epochs_csv(models)}};
}

}  // namespace mmsim::train
