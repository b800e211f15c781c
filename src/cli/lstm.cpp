#include "cli/lstm.hpp"

#include <filesystem>
#include <ostream>
#include <string>

#include "mmsim/config/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
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

void print_columns_outcome(const train::LstmColumns& columns, std::ostream& out) {
  if (!columns.note.empty()) out << columns.note << "\n";
  switch (columns.outcome) {
    case train::LstmCacheOutcome::read:
      out << "lstm columns: read from the cache " << columns.file.string() << "\n";
      break;
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
  out << format("lstm: %lld rows x %lld features, %d classes, on the %s; train %lld, validation %lld, test %lld rows\n",
                static_cast<long long>(data.rows()), static_cast<long long>(data.columns()),
                train::lstm_class_count(config.lstm), options.device.c_str(),
                static_cast<long long>(in.splits.train.rows()), static_cast<long long>(in.splits.validation.rows()),
                static_cast<long long>(in.splits.test.rows()))
      << std::flush;
  const train::LstmTraining trained = train::train_lstm(config, data, device, out);
  print_columns_outcome(trained.columns, out);
  out << "\n" << train::lstm_scores_markdown(trained.report)
      << format("fitted in %.1f s; models and report: %s\n", trained.fit_seconds,
                (lstm_dir_of(config) / "report.md").string().c_str());
  return 0;
}

int run_lstm_features(const Config& config, const LstmOptions& options, std::ostream& out) {
  const torch::Device device = lstm_device(options.device);
  const MarketData in = load_market(config);
  const train::LstmData data = train::make_lstm_data(in.loaded.book, in.table, in.splits);
  const train::LstmFeatureCheck check = train::check_lstm_features(config, data, device);
  print_columns_outcome(check.columns, out);
  out << "\n" << train::lstm_scores_markdown(check.report);
  return 0;
}

}  // namespace mmsim::cli
