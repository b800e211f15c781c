// The LSTM mid-move forecaster: class mapping, config keys, causality of the
// forecast, learning a deterministic series, walk-forward independence,
// the columns' cache, the report and the feature table with LSTM columns.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "mmsim/config/config.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/train/lstm.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

using train::LstmConfig;
using train::LstmData;

// The nets here are tiny: one thread is faster, and stays fast while other
// test programs share the cores.
const bool kOneThread = [] {
  torch::set_num_threads(1);
  return true;
}();

LstmConfig classes(int max_move, int width) {
  LstmConfig c;
  c.max_move_half_ticks = max_move;
  c.class_width_half_ticks = width;
  return c;
}

TEST(LstmClasses, MapsMovesToClassesAndClipsAtTheEdges) {
  const LstmConfig c = classes(12, 1);
  EXPECT_EQ(train::lstm_class_count(c), 25);
  EXPECT_EQ(train::lstm_class_of_move(0, c), 12);
  EXPECT_EQ(train::lstm_class_of_move(1, c), 13);
  EXPECT_EQ(train::lstm_class_of_move(-1, c), 11);
  EXPECT_EQ(train::lstm_class_of_move(11, c), 23);
  EXPECT_EQ(train::lstm_class_of_move(12, c), 24);
  EXPECT_EQ(train::lstm_class_of_move(13, c), 24);
  EXPECT_EQ(train::lstm_class_of_move(1000000, c), 24);
  EXPECT_EQ(train::lstm_class_of_move(-12, c), 0);
  EXPECT_EQ(train::lstm_class_of_move(-13, c), 0);
  EXPECT_EQ(train::lstm_class_of_move(-1000000, c), 0);
  EXPECT_EQ(train::lstm_class_move(0, c), -12);
  EXPECT_EQ(train::lstm_class_move(24, c), 12);
  const auto names = train::lstm_column_names(c);
  ASSERT_EQ(names.size(), 25u);
  EXPECT_EQ(names.front(), "lstm_move_m12");
  EXPECT_EQ(names[12], "lstm_move_0");
  EXPECT_EQ(names.back(), "lstm_move_p12");
}

TEST(LstmClasses, WideClassesRoundHalvesAwayFromZero) {
  const LstmConfig c = classes(12, 4);  // classes of -12, -8, ..., 12 half-ticks
  EXPECT_EQ(train::lstm_class_count(c), 7);
  EXPECT_EQ(train::lstm_class_of_move(1, c), 3);
  EXPECT_EQ(train::lstm_class_of_move(2, c), 4);    // 0.5 rounds up
  EXPECT_EQ(train::lstm_class_of_move(-2, c), 2);   // -0.5 rounds down
  EXPECT_EQ(train::lstm_class_of_move(-10, c), 0);  // -2.5 -> -3
  EXPECT_EQ(train::lstm_class_of_move(9, c), 5);
  EXPECT_EQ(train::lstm_class_of_move(12, c), 6);
  EXPECT_EQ(train::lstm_class_of_move(13, c), 6);
  EXPECT_EQ(train::lstm_class_of_move(-13, c), 0);
  for (int k = 0; k < 7; ++k) EXPECT_EQ(train::lstm_class_of_move(train::lstm_class_move(k, c), c), k);
}

std::string config_text() {
  return "data:\n  files: [x.csv]\n";
}

TEST(LstmConfig, ParsesValidatesAndRoundTrips) {
  const Config c = parse_config(config_text() +
                                    "features:\n  lstm: true\n"
                                    "lstm:\n  hidden: 64\n  max_move_half_ticks: 8\n  class_width_half_ticks: 2\n"
                                    "  sequence_length: 30\n  batch_size: 4\n  epochs: 7\n  patience: 2\n"
                                    "  learning_rate: 0.01\n  clip_norm: 0.5\n  walk_forward_blocks: 3\n"
                                    "  fold_validation_fraction: 0.2\n  dir: models/lstm\n",
                                "/tmp");
  EXPECT_TRUE(c.features.lstm);
  EXPECT_EQ(c.lstm.hidden, 64);
  EXPECT_EQ(c.lstm.max_move_half_ticks, 8);
  EXPECT_EQ(c.lstm.class_width_half_ticks, 2);
  EXPECT_EQ(c.lstm.walk_forward_blocks, 3);
  EXPECT_EQ(c.lstm.dir, "models/lstm");
  EXPECT_EQ(lstm_dir_of(c), std::filesystem::path("models/lstm"));
  const Config again = parse_config(to_yaml(c), "/tmp");
  EXPECT_EQ(to_yaml(again), to_yaml(c));
  EXPECT_TRUE(again.features.lstm);
  EXPECT_EQ(again.lstm.learning_rate, 0.01);
  EXPECT_EQ(again.lstm.fold_validation_fraction, 0.2);

  const Config defaults = parse_config(config_text(), "/tmp");
  EXPECT_FALSE(defaults.features.lstm);
  EXPECT_EQ(defaults.lstm.hidden, 100);
  EXPECT_EQ(lstm_dir_of(defaults), std::filesystem::path("runs") / "lstm");
}

void expect_config_error(const std::vector<std::string>& overrides, const std::string& key, const std::string& text) {
  try {
    parse_config(config_text(), "/tmp", overrides);
    ADD_FAILURE() << "accepted " << overrides.front();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(LstmConfig, RejectsBadValuesNamingTheKey) {
  expect_config_error({"lstm.class_width_half_ticks=5"}, "lstm.class_width_half_ticks", "divides");
  expect_config_error({"lstm.hidden=0"}, "lstm.hidden", "[1, 4096]");
  expect_config_error({"lstm.walk_forward_blocks=1"}, "lstm.walk_forward_blocks", "[2, 100]");
  expect_config_error({"lstm.fold_validation_fraction=1"}, "lstm.fold_validation_fraction", "(0, 1)");
  expect_config_error({"lstm.learning_rate=-1"}, "lstm.learning_rate", "> 0");
  expect_config_error({"lstm.epochs=many"}, "lstm.epochs", "many");
  expect_config_error({"lstm.hiden=10"}, "lstm.hiden", "unknown key");
  expect_config_error({"features.lstm=maybe"}, "features.lstm", "true or false");
}

/// Random inputs over two sessions of 200 rows; moves of -3..3 half-ticks.
LstmData random_data(std::uint64_t seed, std::int64_t rows = 400) {
  torch::manual_seed(seed);
  LstmData d;
  d.inputs = torch::randn({rows, 6});
  d.session_begin = {0, rows / 2, rows};
  d.last_move.assign(static_cast<std::size_t>(rows), 0);
  std::mt19937 random(static_cast<unsigned>(seed));
  for (std::int64_t r = 1; r < rows; ++r) {
    if (r != rows / 2) d.last_move[r] = static_cast<std::int64_t>(random() % 7) - 3;
  }
  d.splits.train.ranges = {{5, 150}, {205, 300}};
  d.splits.validation.ranges = {{150, 200}, {300, 340}};
  d.splits.test.ranges = {{340, rows}};
  d.next_move.assign(static_cast<std::size_t>(rows), train::kNoMove);
  for (const Split* s : {&d.splits.train, &d.splits.validation, &d.splits.test}) {
    for (const RowRange& r : s->ranges) {
      for (std::int64_t row = r.begin; row + 1 < r.end; ++row) d.next_move[row] = d.last_move[row + 1];
    }
  }
  return d;
}

LstmConfig small_config() {
  LstmConfig c = classes(3, 1);
  c.hidden = 8;
  c.sequence_length = 16;
  c.batch_size = 4;
  c.epochs = 3;
  c.patience = 3;
  c.learning_rate = 1e-2;
  c.walk_forward_blocks = 3;
  return c;
}

TEST(LstmForecast, RowTReadsNoLaterRowAndSessionsStartFresh) {
  const LstmData data = random_data(1);
  torch::manual_seed(7);
  train::LstmNet net(data.columns(), 8, 7);
  const torch::Tensor before = train::lstm_forecast(net, data, torch::kCPU);
  ASSERT_EQ(before.size(0), data.rows());
  EXPECT_TRUE(
      torch::allclose(before.sum(1), torch::ones({data.rows()}), kFloat32ProbabilitySum, kFloat32ProbabilitySum));

  LstmData changed = data;
  changed.inputs = data.inputs.clone();
  const std::int64_t t = 120;
  changed.inputs[t + 1].add_(3.0);
  const torch::Tensor after = train::lstm_forecast(net, changed, torch::kCPU);
  EXPECT_TRUE(torch::equal(before.narrow(0, 0, t + 1), after.narrow(0, 0, t + 1)));
  EXPECT_FALSE(torch::equal(before[t + 1], after[t + 1]));
  // The next session starts from a zero state: nothing of session 0 reaches it.
  EXPECT_TRUE(torch::equal(before.narrow(0, 200, 200), after.narrow(0, 200, 200)));
  EXPECT_FALSE(torch::equal(before.narrow(0, t + 2, 10), after.narrow(0, t + 2, 10)));
}

FeatureConfig short_rsi() {
  FeatureConfig f;
  f.rsi_windows = {2};
  return f;
}

/// A book whose mid alternates up and down by 2 half-ticks, with random sizes.
BookTensor alternating_book(std::int64_t rows) {
  std::vector<BookRow> book_rows;
  std::mt19937 random(5);
  for (std::int64_t r = 0; r < rows; ++r) {
    const Ticks bid = r % 2 == 0 ? 100 : 101;
    const auto size = [&] { return static_cast<Lots>(1 + random() % 50); };
    book_rows.push_back({{{bid, size()}, {bid - 1, size()}}, {{bid + 2, size()}, {bid + 3, size()}}});
  }
  return hand_book(book_rows);
}

TEST(LstmFit, LearnsADeterministicAlternatingSeries) {
  const BookTensor book = alternating_book(1200);
  FeatureTable table = compute_features_cpu(book, short_rsi());
  Splits splits;
  splits.train.ranges = {{2, 800}};
  splits.validation.ranges = {{800, 1000}};
  splits.test.ranges = {{1000, 1200}};
  normalise_features(table, splits.train);
  const LstmData data = train::make_lstm_data(book, table, splits);
  EXPECT_EQ(data.next_move[2], data.last_move[3]);
  EXPECT_EQ(std::abs(data.next_move[2]), 2);
  EXPECT_EQ(data.next_move[799], train::kNoMove);

  LstmConfig c = small_config();
  c.hidden = 16;
  c.epochs = 30;
  c.patience = 30;
  std::vector<train::LstmEpoch> epochs;
  const train::LstmFit fit = train::fit_lstm(data, splits.train.ranges, splits.validation.ranges, c, 11, torch::kCPU,
                                             [&](const train::LstmEpoch& e) { epochs.push_back(e); });
  EXPECT_EQ(fit.epochs.size(), epochs.size());
  const torch::Tensor p = train::lstm_forecast(fit.net, data, torch::kCPU);
  const train::LstmScores test = train::score_forecast(p, data, splits.test.ranges, c);
  EXPECT_EQ(test.rows, 199);
  EXPECT_GT(test.accuracy, 0.95);
  EXPECT_GT(test.direction_accuracy, 0.95);
  EXPECT_LT(test.cross_entropy, 0.5);
  // The baselines on the same rows: the last move's sign is always wrong here.
  EXPECT_LT(train::score_last_move(data, splits.test.ranges, c).direction_accuracy, 0.05);
  EXPECT_LT(train::score_most_frequent(data, splits.test.ranges, c).accuracy, 0.55);
}

TEST(LstmWalkForward, AFoldsColumnsDoNotDependOnLaterBlocks) {
  const LstmConfig c = small_config();
  const LstmData a = random_data(2);
  std::ostringstream log;
  const train::LstmModels models_a = train::train_lstm_models(a, c, 3, torch::kCPU, log);
  ASSERT_EQ(models_a.blocks.count(), 3);
  ASSERT_EQ(models_a.folds.size(), 2u);
  const auto& begin = models_a.blocks.begin;

  // b differs from a in every row from block 2 on: inputs and moves.
  LstmData b = a;
  b.inputs = a.inputs.clone();
  b.inputs.narrow(0, begin[2], a.rows() - begin[2]).mul_(-2.0).add_(1.0);
  for (std::int64_t r = begin[2]; r < b.rows(); ++r) {
    if (b.next_move[static_cast<std::size_t>(r)] != train::kNoMove) b.next_move[r] = -b.next_move[r] + 1;
  }
  const train::LstmModels models_b = train::train_lstm_models(b, c, 3, torch::kCPU, log);
  const torch::Tensor columns_a = train::lstm_columns(models_a, a, torch::kCPU);
  const torch::Tensor columns_b = train::lstm_columns(models_b, b, torch::kCPU);

  const auto rows_of = [&](std::int64_t from, std::int64_t to) {
    return train::clip_ranges(a.splits.train.ranges, from, to);
  };
  for (const RowRange& r : rows_of(begin[0], begin[1])) {
    EXPECT_TRUE(torch::allclose(columns_a.narrow(0, r.begin, r.size()), torch::full({r.size(), 7}, 1.0 / 7)));
  }
  for (const RowRange& r : rows_of(begin[1], begin[2])) {
    EXPECT_TRUE(torch::equal(columns_a.narrow(0, r.begin, r.size()), columns_b.narrow(0, r.begin, r.size())));
  }
  bool block2_differs = false;
  for (const RowRange& r : rows_of(begin[2], begin[3])) {
    block2_differs |= !torch::equal(columns_a.narrow(0, r.begin, r.size()), columns_b.narrow(0, r.begin, r.size()));
  }
  EXPECT_TRUE(block2_differs);
  // Out of fold: block 1's columns are not the full model's forecast.
  const torch::Tensor full = train::lstm_forecast(models_a.full, a, torch::kCPU);
  EXPECT_FALSE(torch::equal(full.narrow(0, begin[1], 10), columns_a.narrow(0, begin[1], 10)));

  const Split agent = train::lstm_agent_train(a.splits.train, models_a.blocks);
  EXPECT_EQ(agent.ranges.front().begin, begin[1]);
  EXPECT_EQ(agent.rows(), a.splits.train.rows() - (begin[1] - a.splits.train.ranges.front().begin));
}

TEST(LstmCache, RebuildsForAChangedModelAndADamagedFile) {
  const LstmConfig c = small_config();
  const LstmData data = random_data(4);
  TempDir dir;
  const auto models_dir = dir.path() / "lstm", cache = dir.path() / "cache";
  std::ostringstream log;
  EXPECT_THROW(train::load_lstm_models(models_dir, c, data), Error);
  try {
    train::load_lstm_models(models_dir, c, data);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mmsim lstm train"), std::string::npos) << e.what();
  }

  train::save_lstm_models(train::train_lstm_models(data, c, 1, torch::kCPU, log), c, data.columns(), models_dir);
  const train::LstmModels models = train::load_lstm_models(models_dir, c, data);
  const train::LstmColumns first = train::cached_lstm_columns(models_dir, models, data, cache, torch::kCPU);
  EXPECT_EQ(first.outcome, train::LstmCacheOutcome::built);
  EXPECT_TRUE(torch::equal(first.probabilities, train::lstm_columns(models, data, torch::kCPU)));
  const train::LstmColumns second = train::cached_lstm_columns(models_dir, models, data, cache, torch::kCPU);
  EXPECT_EQ(second.outcome, train::LstmCacheOutcome::read);
  EXPECT_EQ(second.file, first.file);
  EXPECT_TRUE(torch::equal(second.probabilities, first.probabilities));

  // A flipped byte in the values, then a cut file: reported and rebuilt.
  for (int damage = 0; damage < 2; ++damage) {
    if (damage == 0) {
      std::fstream file(first.file, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(100);
      file.put('\x7f');
    } else {
      std::filesystem::resize_file(first.file, std::filesystem::file_size(first.file) - 8);
    }
    const train::LstmColumns repaired = train::cached_lstm_columns(models_dir, models, data, cache, torch::kCPU);
    EXPECT_EQ(repaired.outcome, train::LstmCacheOutcome::rebuilt_damaged);
    EXPECT_NE(repaired.note.find("damaged"), std::string::npos);
    EXPECT_TRUE(torch::equal(repaired.probabilities, first.probabilities));
    EXPECT_EQ(train::cached_lstm_columns(models_dir, models, data, cache, torch::kCPU).outcome,
              train::LstmCacheOutcome::read);
  }

  // Refitted models (another seed): another key, so the stale columns are not used.
  train::save_lstm_models(train::train_lstm_models(data, c, 2, torch::kCPU, log), c, data.columns(), models_dir);
  const train::LstmModels refitted = train::load_lstm_models(models_dir, c, data);
  const train::LstmColumns rebuilt = train::cached_lstm_columns(models_dir, refitted, data, cache, torch::kCPU);
  EXPECT_EQ(rebuilt.outcome, train::LstmCacheOutcome::built);
  EXPECT_NE(rebuilt.file, first.file);
  EXPECT_FALSE(torch::equal(rebuilt.probabilities, first.probabilities));
  EXPECT_TRUE(torch::equal(rebuilt.probabilities, train::lstm_columns(refitted, data, torch::kCPU)));

  // Models fitted on other data are refused.
  LstmData other = data;
  other.inputs = data.inputs + 1.0;
  EXPECT_THROW(train::load_lstm_models(models_dir, c, other), Error);
  LstmConfig more_classes = c;
  more_classes.max_move_half_ticks = 4;
  EXPECT_THROW(train::load_lstm_models(models_dir, more_classes, data), Error);
}

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(LstmReport, TrainingWritesTheReportThatTheFeaturesCheckReproduces) {
  TempDir dir;
  Config config;
  config.lstm = small_config();
  config.lstm.dir = (dir.path() / "lstm").string();
  config.data.cache_dir = (dir.path() / "cache").string();
  const LstmData data = random_data(5);
  std::ostringstream log;
  const train::LstmTraining trained = train::train_lstm(config, data, torch::kCPU, log);
  EXPECT_EQ(trained.columns.outcome, train::LstmCacheOutcome::built);
  EXPECT_NE(log.str().find("lstm fold 2: kept epoch"), std::string::npos) << log.str();

  // The LSTM on the training split, in-sample and out-of-fold on blocks 1-2,
  // then the LSTM (but on train) and the two baselines on each split.
  const std::vector<train::LstmScoreRow>& rows = trained.report.rows;
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_EQ(trained.report.in_sample().split, "train, blocks 1-2");
  EXPECT_EQ(trained.report.in_sample().forecast, "LSTM, in-sample");
  EXPECT_EQ(trained.report.out_of_fold().forecast, "LSTM, out-of-fold (agent's columns)");
  const std::vector<RowRange> later = train::lstm_agent_train(data.splits.train, trained.models.blocks).ranges;
  const torch::Tensor full = train::lstm_forecast(trained.models.full, data, torch::kCPU);
  const LstmConfig& c = config.lstm;
  EXPECT_EQ(rows[1].scores.cross_entropy, train::score_forecast(full, data, later, c).cross_entropy);
  EXPECT_EQ(rows[2].scores.cross_entropy,
            train::score_forecast(trained.columns.probabilities, data, later, c).cross_entropy);
  EXPECT_NE(rows[1].scores.cross_entropy, rows[2].scores.cross_entropy);
  EXPECT_EQ(rows[5].split, "validation");
  EXPECT_EQ(rows[5].scores.accuracy, train::score_forecast(full, data, data.splits.validation.ranges, c).accuracy);
  EXPECT_EQ(rows.back().split, "test");
  EXPECT_EQ(rows.back().forecast, "sign of the last move");
  EXPECT_EQ(rows.back().scores.direction_accuracy,
            train::score_last_move(data, data.splits.test.ranges, c).direction_accuracy);
  EXPECT_TRUE(std::isnan(rows.back().scores.cross_entropy));

  // The table, its gap line and the files next to the models.
  const std::string table = train::lstm_scores_markdown(trained.report);
  EXPECT_EQ(occurrences(table, "\n| "), rows.size());  // a line per row after the header
  EXPECT_EQ(occurrences(table, "| - |"), 3u);  // no cross-entropy for the last move's sign
  EXPECT_NE(table.find(format("Out-of-fold minus in-sample on train, blocks 1-2: cross-entropy %+.4f nats",
                              rows[2].scores.cross_entropy - rows[1].scores.cross_entropy)),
            std::string::npos)
      << table;
  const std::filesystem::path models_dir = lstm_dir_of(config);
  for (const char* name : {"model.pt", "fold_1.pt", "fold_2.pt", "lstm.txt", "config.yaml"}) {
    EXPECT_TRUE(std::filesystem::exists(models_dir / name)) << name;
  }
  EXPECT_EQ(file_text(models_dir / "config.yaml"), to_yaml(config));
  const auto files = train::lstm_report_files(trained.report, trained.models, c, trained.fit_seconds);
  ASSERT_EQ(files.size(), 3u);
  for (const auto& [name, content] : files) EXPECT_EQ(file_text(models_dir / name), content) << name;
  const std::string markdown = files.at("report.md");
  EXPECT_NE(markdown.find(table), std::string::npos);
  EXPECT_NE(markdown.find(format("3 walk-forward blocks; fitted in %.1f s.", trained.fit_seconds)), std::string::npos);
  EXPECT_NE(markdown.find("| fold 2 | " + std::to_string(trained.models.fits[2].best_epoch) + " | "),
            std::string::npos);
  const std::string json = files.at("report.json");
  EXPECT_EQ(occurrences(json, "\"split\": "), rows.size());
  EXPECT_EQ(occurrences(json, "\"cross_entropy\": null"), 3u);
  EXPECT_NE(json.find(format("\"cross_entropy\": %.6g", rows[0].scores.cross_entropy)), std::string::npos) << json;
  std::size_t epochs = 0;
  for (const train::LstmFit& fit : trained.models.fits) epochs += fit.epochs.size();
  EXPECT_EQ(occurrences(files.at("epochs.csv"), "\n"), 1 + epochs);
  EXPECT_EQ(occurrences(files.at("epochs.csv"), "\nfold_2,"), trained.models.fits[2].epochs.size());

  // The features check reads the saved models and the cached columns back,
  // and scores them as the training did.
  const train::LstmFeatureCheck check = train::check_lstm_features(config, data, torch::kCPU);
  EXPECT_EQ(check.columns.outcome, train::LstmCacheOutcome::read);
  EXPECT_TRUE(torch::equal(check.columns.probabilities, trained.columns.probabilities));
  EXPECT_EQ(train::lstm_scores_markdown(check.report), table);
}

TEST(LstmFeatures, AppendsProbabilityColumnsAndDropsBlockZeroFromTheAgentsRows) {
  const BookTensor book = alternating_book(600);
  FeatureTable table = compute_features_cpu(book, short_rsi());
  Splits splits;
  splits.train.ranges = {{2, 400}};
  splits.validation.ranges = {{400, 500}};
  splits.test.ranges = {{500, 600}};
  normalise_features(table, splits.train);
  const int base_columns = table.columns();
  TempDir dir;
  Config config;
  config.lstm = small_config();
  config.lstm.dir = (dir.path() / "lstm").string();
  config.data.cache_dir = (dir.path() / "cache").string();
  std::ostringstream log;
  EXPECT_THROW(train::add_lstm_features(config, book, table, splits, torch::kCPU, log), Error);
  EXPECT_EQ(table.columns(), base_columns);

  const LstmData data = train::make_lstm_data(book, table, splits);
  train::save_lstm_models(train::train_lstm_models(data, config.lstm, 1, torch::kCPU, log), config.lstm,
                          data.columns(), lstm_dir_of(config));
  const Splits agent = train::add_lstm_features(config, book, table, splits, torch::kCPU, log);
  ASSERT_EQ(table.columns(), base_columns + 7);
  EXPECT_EQ(table.names[base_columns], "lstm_move_m3");
  EXPECT_EQ(table.values.size(), static_cast<std::size_t>(600 * (base_columns + 7)));
  EXPECT_EQ(agent.train.ranges.front().begin, 2 + 398 / 3);
  EXPECT_EQ(agent.validation.ranges.front().begin, 400);
  // The columns are the probabilities: each row sums to 1.
  for (std::int64_t r : {0, 200, 450, 599}) {
    double sum = 0;
    for (int c = base_columns; c < table.columns(); ++c) {
      EXPECT_GE(table.at(r, c), 0.0f);
      sum += table.at(r, c);
    }
    EXPECT_NEAR(sum, 1.0, kFloat32ProbabilitySum) << "row " << r;
  }
  EXPECT_EQ(table.mean.back(), 0.0);
  EXPECT_EQ(table.scale.back(), 1.0);
  // The market columns are unchanged.
  const FeatureTable fresh = [&] {
    FeatureTable t = compute_features_cpu(book, short_rsi());
    normalise_features(t, splits.train);
    return t;
  }();
  for (int c = 0; c < base_columns; ++c) EXPECT_EQ(table.at(321, c), fresh.at(321, c));
  // A second run reads the columns the first one cached.
  FeatureTable again = fresh;
  EXPECT_EQ(log.str().find("read from the cache"), std::string::npos);
  train::add_lstm_features(config, book, again, splits, torch::kCPU, log);
  EXPECT_NE(log.str().find("read from the cache"), std::string::npos) << log.str();
  EXPECT_EQ(again.values, table.values);
}

}  // namespace
}  // namespace mmsim::test
