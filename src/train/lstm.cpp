#include "mmsim/train/lstm.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mmsim/core/clock.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/train/lstm_net.hpp"

namespace mmsim::train {
namespace {

struct SavedLstm {
  LstmModels models;
  LstmColumns columns;
};

/// The models saved in lstm_dir_of(config) and their columns, through the cache.
SavedLstm saved_lstm(const Config& config, const LstmData& data, torch::Device device) {
  const std::filesystem::path dir = lstm_dir_of(config);
  SavedLstm saved;
  saved.models = load_lstm_models(dir, config.lstm, data);
  saved.columns = cached_lstm_columns(dir, saved.models, data, cache_dir_in_use(config), device);
  return saved;
}

}  // namespace

LstmTraining train_lstm(const Config& config, const LstmData& data, torch::Device device, std::ostream& out) {
  const std::filesystem::path dir = lstm_dir_of(config);
  LstmTraining result;
  const auto start = SteadyClock::now();
  result.models = train_lstm_models(data, config.lstm, config.seed, device, out);
  const torch::Tensor full = lstm_forecast(result.models.full, data, device);
  const torch::Tensor columns = lstm_columns(result.models, data, device, full);
  result.fit_seconds = seconds_since(start);
  result.report = lstm_report(data, result.models, full, columns, config.lstm);
  std::map<std::string, std::string> files =
      lstm_report_files(result.report, result.models, config.lstm, result.fit_seconds);
  files.emplace("config.yaml", to_yaml(config));
  save_lstm_models(result.models, config.lstm, data.columns(), dir, files);
  result.columns = cached_lstm_columns(dir, result.models, data, cache_dir_in_use(config), device, columns);
  return result;
}

LstmFeatureCheck check_lstm_features(const Config& config, const LstmData& data, torch::Device device) {
  SavedLstm saved = saved_lstm(config, data, device);
  LstmFeatureCheck result;
  const torch::Tensor full = lstm_forecast(saved.models.full, data, device);
  result.report = lstm_report(data, saved.models, full, saved.columns.probabilities, config.lstm);
  result.columns = std::move(saved.columns);
  return result;
}

Splits add_lstm_features(const Config& config, const BookTensor& book, FeatureTable& table, const Splits& splits,
                         torch::Device device, std::ostream& out) {
  const SavedLstm saved = saved_lstm(config, make_lstm_data(book, table, splits), device);
  const LstmColumns& columns = saved.columns;
  if (!columns.note.empty()) out << columns.note << "\n";
  Splits agent = splits;
  agent.train = lstm_agent_train(splits.train, saved.models.blocks);

  // Appended as probabilities (mean 0, scale 1 in the table's statistics):
  // bounded, whereas standardising with the out-of-fold training rows would
  // magnify where the full model's forecasts differ from the folds'.
  const std::int64_t rows = table.rows;
  const int F = table.columns();
  const auto C = static_cast<int>(columns.probabilities.size(1));
  const float* p = columns.probabilities.data_ptr<float>();
  std::vector<float> values(static_cast<std::size_t>(rows) * (F + C));
  for (std::int64_t row = 0; row < rows; ++row) {
    std::copy_n(table.values.begin() + row * F, F, values.begin() + row * (F + C));
    for (int c = 0; c < C; ++c) {
      values[row * (F + C) + F + c] = p[row * C + c];
    }
  }
  table.values = std::move(values);
  const std::vector<std::string> names = lstm_column_names(config.lstm);
  table.names.insert(table.names.end(), names.begin(), names.end());
  table.mean.insert(table.mean.end(), static_cast<std::size_t>(C), 0.0);
  table.scale.insert(table.scale.end(), static_cast<std::size_t>(C), 1.0);
  check_finite(table, "feature table with LSTM columns");
  const char* how = columns.outcome == LstmCacheOutcome::read       ? "read from the cache"
                    : columns.outcome == LstmCacheOutcome::uncached ? "computed (cache off)"
                                                                    : "computed and cached";
  out << "lstm features: " << C << " columns from the models in " << lstm_dir_of(config).string() << ", " << how
      << (columns.file.empty() ? "" : " (" + columns.file.string() + ")") << "; the agent trains on "
      << agent.train.rows() << " rows (walk-forward blocks 1.." << saved.models.blocks.count() - 1 << ")\n";
  return agent;
}

}  // namespace mmsim::train
