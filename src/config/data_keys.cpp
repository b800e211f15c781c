// The key tables of the data sections: data, features and split.

#include "config/sections.hpp"
#include "mmsim/data/feature_row.hpp"

namespace mmsim {
namespace config {
namespace {

/// data.format: `l1` also changes the defaults of the keys read after it.
class FormatKey final : public Key<LoadOptions> {
 public:
  FormatKey()
      : Key("format", "file format (docs/data.md); `l1` changes the defaults of `step_on`, `timestamp_format` "
                      "and `columns`"),
        choice_(choice("format", &LoadOptions::format, doc())) {}

  void read(Reader& section, LoadOptions& options) const override {
    choice_->read(section, options);
    if (options.format == DataFormat::l1) {
      // The notebook's data: no time column, and every change of the top of the book is a step.
      options.timestamp_format = TimestampFormat::row_number;
      options.step_on = StepOn::any_change;
      options.columns = kL1Columns;
    }
  }
  void write(YAML::Emitter& out, const LoadOptions& options) const override { choice_->write(out, options); }
  void check(const LoadOptions& options, const Checker& checker) const override { choice_->check(options, checker); }
  void document(const LoadOptions& defaults, const std::string& prefix, std::vector<KeyDoc>& rows) const override {
    choice_->document(defaults, prefix, rows);
  }

 private:
  KeyPtr<LoadOptions> choice_;
};

/// data.files: one path or a list, resolved against the config file's
/// directory and written back absolute; required.
class FilesKey final : public Key<LoadOptions> {
 public:
  FilesKey() : Key("files", "one file per session, in time order; relative to the config file") {}

  void read(Reader& section, LoadOptions& options) const override {
    const YAML::Node files = section.get(name());
    if (!files || files.IsNull()) return;
    const std::string key = section.key(name());
    if (files.IsScalar()) {
      options.files.push_back(resolve(section.base_dir(), files.Scalar()));
    } else if (files.IsSequence()) {
      for (const auto& file : files) {
        if (!file.IsScalar()) section.fail(key, file, "expected a file path");
        options.files.push_back(resolve(section.base_dir(), file.Scalar()));
      }
    } else {
      section.fail(key, files, "expected a file path or a list of paths");
    }
  }

  void write(YAML::Emitter& out, const LoadOptions& options) const override {
    out << YAML::Key << name() << YAML::Value << YAML::BeginSeq;
    for (const auto& file : options.files) out << std::filesystem::absolute(file).lexically_normal().string();
    out << YAML::EndSeq;
  }

  void check(const LoadOptions& options, const Checker& checker) const override {
    if (options.files.empty()) checker.fail(name(), "required: the order-book files to load");
  }

  void document(const LoadOptions&, const std::string& prefix, std::vector<KeyDoc>& rows) const override {
    rows.push_back({prefix + name(), "(required)", "a path or a list of paths", doc()});
  }

 private:
  static std::filesystem::path resolve(const std::filesystem::path& base, const std::string& file) {
    const std::filesystem::path path(file);
    return path.is_absolute() || base.empty() ? path : (base / path).lexically_normal();
  }
};

const Table<Instrument>& instrument_keys() {
  static const Table<Instrument> table{{
      number("tick_size", &Instrument::tick_size, Range::above(0), "price of one tick in currency units"),
      number("lot_size", &Instrument::lot_size, Range::above(0), "size of one lot in the file's size units"),
  }};
  return table;
}

const Table<SnapshotColumns>& column_keys() {
  static const std::string pattern = "a column name pattern with {level}";
  static const Table<SnapshotColumns> table{{
      text("timestamp", &SnapshotColumns::timestamp, "a column name", "snapshot time column"),
      text("bid_price", &SnapshotColumns::bid_price, pattern, "`{level}` = 1..N; `BidPrice{level}` for `l1`"),
      text("bid_size", &SnapshotColumns::bid_size, pattern, "`BidVolume{level}` for `l1`"),
      text("ask_price", &SnapshotColumns::ask_price, pattern, "`AskPrice{level}` for `l1`"),
      text("ask_size", &SnapshotColumns::ask_size, pattern, "`AskVolume{level}` for `l1`"),
  }};
  return table;
}

const Table<LoadOptions>& load_keys() {
  static const Table<LoadOptions> table{{
      std::make_shared<FormatKey>(),
      std::make_shared<FilesKey>(),
      flattened(&LoadOptions::instrument, instrument_keys()),
      number("depth", &LoadOptions::depth, Range::at_least(0), "levels per side kept; 0 keeps all levels of the files"),
      choice("step_on", &LoadOptions::step_on, "which rows become env steps; `any_change` for `l1`"),
      choice("same_timestamp", &LoadOptions::same_timestamp,
             "rows sharing one timestamp: `step_on` considers each, or only the last (the book after all of "
             "that time's events, as a strategy acting after them sees it)"),
      choice("bad_rows", &LoadOptions::bad_rows, "what to do with a row that fails validation"),
      choice("timestamp_format", &LoadOptions::timestamp_format,
             "time column of snapshot files; `row_number` for `l1`"),
      section("columns", &LoadOptions::columns, column_keys()),
  }};
  return table;
}

void check_split(const SplitConfig& s, const Checker& checker) {
  if (s.by == SplitBy::fraction) {
    const double sum = s.train_fraction + s.validation_fraction + s.test_fraction;
    if (sum > 1 + 1e-9) {
      checker.fail("", checker.key("train") + " + " + checker.key("validation") + " + " + checker.key("test") + " = " +
                           format_number(s.train_fraction) + " + " +
                           format_number(s.validation_fraction) + " + " + format_number(s.test_fraction) +
                           " > 1; the fractions must sum to <= 1",
                   {"train", "validation", "test"});
    }
  }
  if (s.by == SplitBy::time) {
    const char* names[2] = {"validation_start", "test_start"};
    const std::string* texts[2] = {&s.validation_start, &s.test_start};
    Nanos starts[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      if (!parse_timestamp(*texts[i], &starts[i])) {
        checker.fail(names[i], "expected a timestamp YYYY-MM-DD HH:MM:SS[.fraction] to split by time, got '" +
                                   *texts[i] + "'",
                     {"by"});
      }
    }
    if (starts[1] < starts[0]) {
      checker.fail("test_start",
                   "expected a time at or after " + checker.key("validation_start") + " ('" + s.validation_start +
                       "'), got '" + s.test_start + "'",
                   {"validation_start"});
    }
  }
}

}  // namespace

const Table<DataConfig>& data_keys() {
  static const Table<DataConfig> table{{
      flattened(&DataConfig::load, load_keys()),
      flag("cache", &DataConfig::use_cache, "use the binary book cache"),
      text("cache_dir", &DataConfig::cache_dir, "a directory",
           "empty: `$MMSIM_CACHE_DIR`, `$XDG_CACHE_HOME/mmsim` or `~/.cache/mmsim`"),
  }};
  return table;
}

const Table<FeatureConfig>& feature_keys() {
  static const Table<FeatureConfig> table{{
      number("depth", &FeatureConfig::depth, Range::at_least(0),
             "levels per side in the feature table, at most the book's; 0 = the book's depth"),
      list("rsi_windows", &FeatureConfig::rsi_windows, "window", "RSI windows in rows (docs/features.md)",
           Range::at_least(1), kMaxRsiWindows),
      flag("lstm", &FeatureConfig::lstm,
           "`mmsim train` and `mmsim eval` append the LSTM's C mid-move probabilities (docs/lstm.md); needs "
           "`mmsim lstm train` first"),
  }};
  return table;
}

const Table<SplitConfig>& split_keys() {
  static const std::string timestamp = "a timestamp YYYY-MM-DD HH:MM:SS[.fraction]";
  static const Table<SplitConfig> table{
      {
          choice("by", &SplitConfig::by, "how rows are divided (docs/data.md)"),
          number("train", &SplitConfig::train_fraction, Range::closed(0, 1),
                 "`by: fraction`: the first fraction of the rows; the three sum to <= 1"),
          number("validation", &SplitConfig::validation_fraction, Range::closed(0, 1), "`by: fraction`: the next"),
          number("test", &SplitConfig::test_fraction, Range::closed(0, 1), "`by: fraction`: the next"),
          text("validation_start", &SplitConfig::validation_start, timestamp,
               "`by: time`: the first time of the validation rows, in the data's clock"),
          text("test_start", &SplitConfig::test_start, timestamp, "`by: time`: the first time of the test rows"),
          list("train_sessions", &SplitConfig::train_sessions, "session name", "`by: session`"),
          list("validation_sessions", &SplitConfig::validation_sessions, "session name", "`by: session`"),
          list("test_sessions", &SplitConfig::test_sessions, "session name", "`by: session`"),
          number("warmup_rows", &SplitConfig::warmup_rows, Range::at_least(0),
                 "rows at the start of every session in no split; 0 = the features' warm-up (their longest "
                 "window), the least accepted"),
          number("end_rows", &SplitConfig::end_rows, Range::at_least(0),
                 "rows at the end of every session in no split"),
      },
      check_split};
  return table;
}

}  // namespace config

void validate(const LoadOptions& options) { check_keys(config::load_keys(), options, config::Checker("data")); }

void validate(const FeatureConfig& features) {
  check_keys(config::feature_keys(), features, config::Checker("features"));
}

void validate(const SplitConfig& split) { check_keys(config::split_keys(), split, config::Checker("split")); }

}  // namespace mmsim
