#pragma once
// The LSTM forecaster's report (docs/lstm.md, "Report"): its scores and the
// baselines' on each split, the in-sample and out-of-fold forecasts of the
// walk-forward blocks, and the files report.md, report.json and epochs.csv.

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "mmsim/train/lstm_config.hpp"
#include "mmsim/train/lstm_data.hpp"
#include "mmsim/train/lstm_scores.hpp"
#include "mmsim/train/lstm_walk_forward.hpp"

namespace mmsim::train {

/// One row of the report's table: a forecast's scores on some rows.
struct LstmScoreRow {
  std::string split;     ///< the rows: "train", "validation", "test" or "train, blocks 1-<K-1>"
  std::string forecast;  ///< what forecast them: the LSTM (in-sample or out-of-fold) or a baseline
  LstmScores scores;
};

/// The scores of a fitted forecaster next to its baselines.
struct LstmReport {
  /// The LSTM on the training split (in-sample); on the training rows of
  /// blocks 1..K-1 in-sample, then out-of-fold; then for each of train,
  /// validation and test: the LSTM (but on train), the most frequent class
  /// and the sign of the last move.
  std::vector<LstmScoreRow> rows;

  const LstmScoreRow& in_sample() const { return rows[1]; }    ///< the full model on blocks 1..K-1
  const LstmScoreRow& out_of_fold() const { return rows[2]; }  ///< the agent's columns on blocks 1..K-1
};

/// The scores of `full_forecast` (lstm_forecast of models.full) and
/// `columns` (lstm_columns), both [T, C], and of the baselines.
LstmReport lstm_report(const LstmData& data, const LstmModels& models, const torch::Tensor& full_forecast,
                       const torch::Tensor& columns, const LstmConfig& config);

/// The table of scores in Markdown, then a line stating the out-of-fold
/// minus in-sample gap.
std::string lstm_scores_markdown(const LstmReport& report);

/// report.md, report.json and epochs.csv (name -> content) of models fitted
/// with `config` in `fit_seconds` (fitting and forecasting every row).
std::map<std::string, std::string> lstm_report_files(const LstmReport& report, const LstmModels& models,
                                                     const LstmConfig& config, double fit_seconds);

}  // namespace mmsim::train
