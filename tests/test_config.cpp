// The YAML configuration: defaults, validation messages, --set overrides,
// path resolution, and the to_yaml round trip.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/key_docs.hpp"
#include "mmsim/config/config.hpp"
#include "mmsim/core/error.hpp"
#include "test_util.hpp"

namespace mmsim {
namespace {

using test::expect_config_error;

const std::filesystem::path kBase = "/base/dir";
const std::string kMinimal = "data:\n  files: [a.csv]\n";

Config parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return parse_config(text, kBase, overrides, "test.yaml");
}

void expect_parse_error(const std::string& text, const std::string& key, const std::vector<std::string>& parts = {}) {
  SCOPED_TRACE(text);
  expect_config_error([&] { parse(text); }, key, parts);
}

void expect_same_config(const Config& a, const Config& b) {
  const LoadOptions& x = a.data.load;
  const LoadOptions& y = b.data.load;
  EXPECT_EQ(x.format, y.format);
  EXPECT_EQ(x.files, y.files);
  EXPECT_EQ(x.instrument.tick_size, y.instrument.tick_size);
  EXPECT_EQ(x.instrument.lot_size, y.instrument.lot_size);
  EXPECT_EQ(x.depth, y.depth);
  EXPECT_EQ(x.step_on, y.step_on);
  EXPECT_EQ(x.bad_rows, y.bad_rows);
  EXPECT_EQ(x.timestamp_format, y.timestamp_format);
  EXPECT_EQ(x.columns.timestamp, y.columns.timestamp);
  EXPECT_EQ(x.columns.bid_price, y.columns.bid_price);
  EXPECT_EQ(x.columns.bid_size, y.columns.bid_size);
  EXPECT_EQ(x.columns.ask_price, y.columns.ask_price);
  EXPECT_EQ(x.columns.ask_size, y.columns.ask_size);
  EXPECT_EQ(a.data.use_cache, b.data.use_cache);
  EXPECT_EQ(a.data.cache_dir, b.data.cache_dir);
  EXPECT_EQ(a.features.depth, b.features.depth);
  EXPECT_EQ(a.features.rsi_windows, b.features.rsi_windows);
  EXPECT_EQ(a.split.by, b.split.by);
  EXPECT_EQ(a.split.train_fraction, b.split.train_fraction);
  EXPECT_EQ(a.split.validation_fraction, b.split.validation_fraction);
  EXPECT_EQ(a.split.test_fraction, b.split.test_fraction);
  EXPECT_EQ(a.split.validation_start, b.split.validation_start);
  EXPECT_EQ(a.split.test_start, b.split.test_start);
  EXPECT_EQ(a.split.train_sessions, b.split.train_sessions);
  EXPECT_EQ(a.split.validation_sessions, b.split.validation_sessions);
  EXPECT_EQ(a.split.test_sessions, b.split.test_sessions);
  EXPECT_EQ(a.seed, b.seed);
}

TEST(Config, Defaults) {
  const Config c = parse(kMinimal);
  const LoadOptions& load = c.data.load;
  EXPECT_EQ(load.format, DataFormat::lobster);
  ASSERT_EQ(load.files.size(), 1u);
  EXPECT_EQ(load.files[0], std::filesystem::path("/base/dir/a.csv"));
  EXPECT_EQ(load.instrument.tick_size, 0.01);
  EXPECT_EQ(load.instrument.lot_size, 1.0);
  EXPECT_EQ(load.depth, 0);
  EXPECT_EQ(load.step_on, StepOn::best_price_change);
  EXPECT_EQ(load.bad_rows, BadRowPolicy::error);
  EXPECT_EQ(load.timestamp_format, TimestampFormat::seconds);
  EXPECT_EQ(load.columns.timestamp, "time");
  EXPECT_EQ(load.columns.bid_price, "bid{level}");
  EXPECT_EQ(load.columns.bid_size, "bidSize{level}");
  EXPECT_EQ(load.columns.ask_price, "ask{level}");
  EXPECT_EQ(load.columns.ask_size, "askSize{level}");
  EXPECT_TRUE(c.data.use_cache);
  EXPECT_EQ(c.data.cache_dir, "");
  EXPECT_EQ(c.features.depth, 0);
  EXPECT_EQ(c.features.rsi_windows, (std::vector<int>{30, 90, 270}));
  EXPECT_EQ(c.split.by, SplitBy::fraction);
  EXPECT_EQ(c.split.train_fraction, 0.7);
  EXPECT_EQ(c.split.validation_fraction, 0.15);
  EXPECT_EQ(c.split.test_fraction, 0.15);
  EXPECT_TRUE(c.split.train_sessions.empty());
  EXPECT_EQ(c.seed, 1u);
  EXPECT_TRUE(c.source.empty());
}

TEST(Config, EveryKeyIsRead) {
  const Config c = parse(
      "data:\n"
      "  format: snapshot\n"
      "  files: [x.csv, y.csv]\n"
      "  tick_size: 0.5\n"
      "  lot_size: 0.001\n"
      "  depth: 4\n"
      "  step_on: any_change\n"
      "  bad_rows: drop\n"
      "  timestamp_format: milliseconds\n"
      "  columns: {timestamp: ts, bid_price: 'b{level}', bid_size: 'bs{level}', ask_price: 'a{level}', "
      "ask_size: 'as{level}'}\n"
      "  cache: false\n"
      "  cache_dir: /var/cache/x\n"
      "features:\n"
      "  depth: 2\n"
      "  rsi_windows: [4]\n"
      "split:\n"
      "  by: session\n"
      "  train_sessions: [mon, tue]\n"
      "  validation_sessions: [wed]\n"
      "  test_sessions: [thu]\n"
      "seed: 42\n");
  const LoadOptions& load = c.data.load;
  EXPECT_EQ(load.format, DataFormat::snapshot);
  EXPECT_EQ(load.files, (std::vector<std::filesystem::path>{"/base/dir/x.csv", "/base/dir/y.csv"}));
  EXPECT_EQ(load.instrument.tick_size, 0.5);
  EXPECT_EQ(load.instrument.lot_size, 0.001);
  EXPECT_EQ(load.depth, 4);
  EXPECT_EQ(load.step_on, StepOn::any_change);
  EXPECT_EQ(load.bad_rows, BadRowPolicy::drop);
  EXPECT_EQ(load.timestamp_format, TimestampFormat::milliseconds);
  EXPECT_EQ(load.columns.timestamp, "ts");
  EXPECT_EQ(load.columns.bid_price, "b{level}");
  EXPECT_EQ(load.columns.ask_size, "as{level}");
  EXPECT_FALSE(c.data.use_cache);
  EXPECT_EQ(c.data.cache_dir, "/var/cache/x");
  EXPECT_EQ(cache_dir_of(c), std::filesystem::path("/var/cache/x"));
  EXPECT_EQ(c.features.depth, 2);
  EXPECT_EQ(c.features.rsi_windows, (std::vector<int>{4}));
  EXPECT_EQ(c.split.by, SplitBy::session);
  EXPECT_EQ(c.split.train_sessions, (std::vector<std::string>{"mon", "tue"}));
  EXPECT_EQ(c.split.validation_sessions, (std::vector<std::string>{"wed"}));
  EXPECT_EQ(c.split.test_sessions, (std::vector<std::string>{"thu"}));
  EXPECT_EQ(c.seed, 42u);
}

TEST(Config, L1FormatDefaults) {
  const Config c = parse("data:\n  format: l1\n  files: a.csv\n");
  EXPECT_EQ(c.data.load.format, DataFormat::l1);
  EXPECT_EQ(c.data.load.timestamp_format, TimestampFormat::row_number);
  EXPECT_EQ(c.data.load.columns.bid_price, "BidPrice{level}");
  EXPECT_EQ(c.data.load.columns.bid_size, "BidVolume{level}");
  EXPECT_EQ(c.data.load.columns.ask_price, "AskPrice{level}");
  EXPECT_EQ(c.data.load.columns.ask_size, "AskVolume{level}");
  const Config timed = parse("data:\n  format: l1\n  files: a.csv\n  timestamp_format: seconds\n");
  EXPECT_EQ(timed.data.load.timestamp_format, TimestampFormat::seconds);
}

TEST(Config, BadEnumValuesNameTheKeyTheValueAndTheChoices) {
  expect_parse_error(kMinimal + "  format: parquet\n", "data.format", {"'parquet'", "lobster, snapshot, l1"});
  expect_parse_error(kMinimal + "  step_on: sometimes\n", "data.step_on",
                     {"'sometimes'", "best_price_change, any_change, every_event"});
  expect_parse_error(kMinimal + "  bad_rows: ignore\n", "data.bad_rows", {"'ignore'", "error, drop"});
  expect_parse_error(kMinimal + "  timestamp_format: hours\n", "data.timestamp_format",
                     {"'hours'", "seconds, milliseconds, microseconds, nanoseconds, iso8601, row_number"});
  expect_parse_error(kMinimal + "split:\n  by: random\n", "split.by", {"'random'", "fraction, time, session"});
  // Case matters.
  expect_parse_error(kMinimal + "  format: LOBSTER\n", "data.format", {"'LOBSTER'"});
}

TEST(Config, ErrorsNameTheFileAndLine) {
  expect_parse_error("data:\n  files: [a.csv]\n  step_on: sometimes\n", "data.step_on", {"test.yaml:3"});
}

TEST(Config, UnknownKeysAreNamed) {
  expect_parse_error(kMinimal + "  tick_sise: 0.01\n", "data.tick_sise", {"unknown key", "tick_size"});
  expect_parse_error(kMinimal + "  columns:\n    bid_prise: x\n", "data.columns.bid_prise",
                     {"unknown key", "bid_price"});
  expect_parse_error(kMinimal + "features:\n  rsi_window: [3]\n", "features.rsi_window",
                     {"unknown key", "rsi_windows"});
  expect_parse_error(kMinimal + "split:\n  tran: 0.5\n", "split.tran", {"unknown key", "train"});
  expect_parse_error(kMinimal + "featurs:\n  depth: 2\n", "featurs", {"unknown key", "features"});
  expect_parse_error(kMinimal + "sed: 3\n", "sed", {"unknown key", "seed"});
}

TEST(Config, MisspeltSectionIsNamedNotReportedAsMissingData) {
  // The only section is misspelt: the error should name it rather than the
  // missing data.files it implies.
  expect_parse_error("dta:\n  files: [a.csv]\n", "dta", {"unknown key"});
}

TEST(Config, WrongTypesNameTheKey) {
  expect_parse_error(kMinimal + "  depth: abc\n", "data.depth", {"'abc'"});
  expect_parse_error(kMinimal + "  tick_size: cheap\n", "data.tick_size", {"'cheap'"});
  expect_parse_error(kMinimal + "  cache: maybe\n", "data.cache", {"'maybe'"});
  expect_parse_error(kMinimal + "features:\n  depth: [1]\n", "features.depth");
  expect_parse_error(kMinimal + "features:\n  rsi_windows: [5, x]\n", "features.rsi_windows");
  expect_parse_error(kMinimal + "split:\n  train: most\n", "split.train", {"'most'"});
  expect_parse_error(kMinimal + "seed: abc\n", "seed", {"'abc'"});
  expect_parse_error("data:\n  files: {a: b}\n", "data.files");
  expect_parse_error("data: 5\n", "data", {"mapping"});
  expect_parse_error("- a\n- b\n", "<root>");
}

TEST(Config, InvalidValuesNameTheKey) {
  expect_parse_error("data:\n  tick_size: 0.01\n", "data.files", {"required"});
  expect_parse_error(kMinimal + "  tick_size: 0\n", "data.tick_size", {"> 0"});
  expect_parse_error(kMinimal + "  lot_size: -1\n", "data.lot_size", {"> 0"});
  expect_parse_error(kMinimal + "  depth: -2\n", "data.depth", {">= 0"});
  expect_parse_error(kMinimal + "features:\n  depth: -1\n", "features.depth");
  expect_parse_error(kMinimal + "features:\n  rsi_windows: [5, 0]\n", "features.rsi_windows", {"window 0"});
  expect_parse_error(kMinimal + "features:\n  rsi_windows: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n", "features.rsi_windows");
  expect_parse_error(kMinimal + "split:\n  train: 0.8\n  validation: 0.2\n  test: 0.1\n", "split", {"> 1"});
  expect_parse_error(kMinimal + "split:\n  train: 1.5\n", "split.train");
  expect_parse_error(kMinimal + "split:\n  by: time\n  test_start: 2020-01-02 12:00:00\n", "split.validation_start");
  expect_parse_error(kMinimal + "split:\n  by: time\n  validation_start: '2020-01-02 10:00:00'\n  test_start: noon\n",
                     "split.test_start", {"'noon'"});
}

TEST(Config, SyntaxErrorNamesTheFileAndLine) {
  expect_parse_error("data:\n  files: [a.csv\n", "<syntax>", {"test.yaml:"});
}

TEST(Config, OverridesApplyAfterTheFile) {
  const Config c = parse(kMinimal + "  depth: 3\n", {"data.depth=6", "features.rsi_windows=[5, 10]", "split.train=0.5",
                                                     "data.step_on=every_event", "seed=7"});
  EXPECT_EQ(c.data.load.depth, 6);
  EXPECT_EQ(c.features.rsi_windows, (std::vector<int>{5, 10}));
  EXPECT_EQ(c.split.train_fraction, 0.5);
  EXPECT_EQ(c.split.validation_fraction, 0.15);  // untouched
  EXPECT_EQ(c.data.load.step_on, StepOn::every_event);
  EXPECT_EQ(c.seed, 7u);
}

TEST(Config, OverridesCreateMissingSectionsAndLaterOnesWin) {
  const Config c = parse(kMinimal, {"split.by=session", "split.train_sessions=[a, b]", "data.depth=2", "data.depth=4"});
  EXPECT_EQ(c.split.by, SplitBy::session);
  EXPECT_EQ(c.split.train_sessions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.data.load.depth, 4);
  // An override can supply a required key the text lacks.
  const Config files = parse("", {"data.files=[z.csv]"});
  EXPECT_EQ(files.data.load.files, (std::vector<std::filesystem::path>{"/base/dir/z.csv"}));
}

TEST(Config, BadOverrides) {
  expect_config_error([] { parse(kMinimal, {"nonsense"}); }, "nonsense", {"key.path=value"});
  expect_config_error([] { parse(kMinimal, {"=5"}); }, "=5");
  expect_config_error([] { parse(kMinimal, {"data.dept=3"}); }, "data.dept", {"unknown key"});
  expect_config_error([] { parse(kMinimal, {"data.step_on=sometimes"}); }, "data.step_on",
                      {"'sometimes' is not one of: best_price_change, any_change, every_event"});
  expect_config_error([] { parse(kMinimal, {"data.depth=abc"}); }, "data.depth", {"'abc'"});
  // Through a scalar that the text sets, and one that only the override creates.
  expect_config_error([] { parse(kMinimal + "seed: 3\n", {"seed.x=1"}); }, "seed.x", {"not a section"});
  expect_config_error([] { parse(kMinimal, {"seed.x=1"}); }, "seed", {"{x: 1}"});
  expect_config_error([] { parse(kMinimal, {"features.rsi_windows=[5, "}); }, "features.rsi_windows");
}

TEST(Config, RelativePathsResolveAgainstTheBaseDirectory) {
  const Config c = parse("data:\n  files: [a.csv, ../up/b.csv, /abs/c.csv, ./sub/d.csv.zst]\n");
  EXPECT_EQ(c.data.load.files, (std::vector<std::filesystem::path>{"/base/dir/a.csv", "/base/up/b.csv", "/abs/c.csv",
                                                                   "/base/dir/sub/d.csv.zst"}));
  const Config single = parse("data:\n  files: one.csv\n");
  EXPECT_EQ(single.data.load.files, (std::vector<std::filesystem::path>{"/base/dir/one.csv"}));
  const Config no_base = parse_config("data:\n  files: [a.csv]\n", "", {});
  EXPECT_EQ(no_base.data.load.files, (std::vector<std::filesystem::path>{"a.csv"}));
}

TEST(Config, ToYamlRoundTripOfDefaults) {
  const Config c = parse(kMinimal);
  const std::string text = to_yaml(c);
  const Config back = parse_config(text, "/elsewhere", {}, "round-trip");
  expect_same_config(c, back);
  EXPECT_EQ(config_hash(back), config_hash(c));
  EXPECT_EQ(to_yaml(back), text);
}

TEST(Config, ToYamlRoundTripOfEveryKey) {
  Config c = parse(kMinimal);
  LoadOptions& load = c.data.load;
  load.format = DataFormat::snapshot;
  load.files = {"/data/x/a.csv", "/data/y/b.csv.zst"};
  load.instrument.tick_size = 0.1 + 0.2;  // 0.30000000000000004: needs all 17 digits
  load.instrument.lot_size = 1e-8;
  load.depth = 5;
  load.step_on = StepOn::any_change;
  load.bad_rows = BadRowPolicy::drop;
  load.timestamp_format = TimestampFormat::iso8601;
  load.columns = {"when", "bp{level}", "bq{level}", "ap{level}", "aq{level}"};
  c.data.use_cache = false;
  c.data.cache_dir = "/tmp/some cache";
  c.features.depth = 3;
  c.features.rsi_windows = {7, 21};
  c.split.by = SplitBy::time;
  c.split.train_fraction = 0.6;
  c.split.validation_fraction = 0.25;
  c.split.test_fraction = 0.1;
  c.split.validation_start = "2020-01-02 10:00:00";
  c.split.test_start = "2020-01-02T12:00:00.5";
  c.split.train_sessions = {"mon", "tue"};
  c.split.validation_sessions = {"wed"};
  c.split.test_sessions = {};
  c.seed = 12345678901234567ULL;

  const std::string text = to_yaml(c);
  const Config back = parse_config(text, "/elsewhere", {}, "round-trip");
  expect_same_config(c, back);
  EXPECT_EQ(config_hash(back), config_hash(c));
  EXPECT_EQ(to_yaml(back), text);
  // The hash changes with any value.
  Config other = back;
  other.seed = 2;
  EXPECT_NE(config_hash(other), config_hash(c));
}

TEST(Config, ToYamlQuotesStringsThatLookLikeOtherTypes) {
  Config c = parse(kMinimal);
  c.data.cache_dir = "null";
  c.data.load.columns.timestamp = "123";
  c.split.train_sessions = {"true", "2020-01-02", "~"};
  const std::string text = to_yaml(c);
  Config back;
  ASSERT_NO_THROW(back = parse_config(text, "/elsewhere", {}, "round-trip")) << text;
  expect_same_config(c, back);
}

TEST(Config, LoadQuickstart) {
  const std::filesystem::path file = std::filesystem::path(MMSIM_CONFIG_DIR) / "quickstart.yaml";
  const Config c = load_config(file);
  EXPECT_EQ(c.source, file);
  EXPECT_EQ(c.data.load.format, DataFormat::lobster);
  ASSERT_EQ(c.data.load.files.size(), 1u);
  EXPECT_TRUE(c.data.load.files[0].is_absolute());
  EXPECT_TRUE(std::filesystem::exists(c.data.load.files[0])) << c.data.load.files[0];
  EXPECT_TRUE(std::filesystem::equivalent(c.data.load.files[0],
                                          test::sample_data("GOOG_2012-06-21_34200000_57600000_orderbook_10.csv.zst")));
  EXPECT_EQ(c.data.load.depth, 10);
  EXPECT_EQ(c.data.load.instrument.tick_size, 0.01);
  EXPECT_EQ(c.features.rsi_windows, (std::vector<int>{30, 90, 270}));
  // With an override, and the round trip through to_yaml.
  const Config changed = load_config(file, {"data.step_on=any_change"});
  EXPECT_EQ(changed.data.load.step_on, StepOn::any_change);
  const Config back = parse_config(to_yaml(c), "/elsewhere");
  expect_same_config(c, back);
}

/// The text of a file.
std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// to_yaml of a config file, with the checkout's directory written as <source>
/// so that the text does not depend on where the checkout lies.
std::string effective_yaml(const std::filesystem::path& file) {
  const std::string source = std::filesystem::path(MMSIM_CONFIG_DIR).parent_path().string();
  std::string text = to_yaml(load_config(file));
  for (std::size_t at = text.find(source); at != std::string::npos; at = text.find(source, at)) {
    text.replace(at, source.size(), "<source>");
  }
  return text;
}

TEST(Config, ToYamlOfTheShippedConfigsIsPinned) {
  // config_hash is a hash of this text: runs keep their hashes.
  const std::filesystem::path configs = MMSIM_CONFIG_DIR;
  EXPECT_EQ(effective_yaml(configs / "quickstart.yaml"), read_text(test::test_data("config/quickstart.to_yaml")));
  EXPECT_EQ(effective_yaml(configs / "thesis.yaml"), read_text(test::test_data("config/thesis.to_yaml")));
  // Every key of every section away from its default.
  EXPECT_EQ(effective_yaml(test::test_data("config/every_key.yaml")),
            read_text(test::test_data("config/every_key.to_yaml")));
}

TEST(Config, LoadMissingFile) {
  expect_config_error([] { load_config("/nonexistent/dir/none.yaml"); }, "--config", {"none.yaml"});
}

TEST(Config, LoadResolvesPathsAgainstTheConfigFile) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "configs");
  const auto file = dir.write("configs/run.yaml", "data:\n  files: [../data/a.csv]\n");
  const Config c = load_config(file);
  EXPECT_EQ(c.data.load.files, (std::vector<std::filesystem::path>{(dir.path() / "data/a.csv").lexically_normal()}));
  // Errors name the file.
  dir.write("configs/bad.yaml", "data:\n  files: [a.csv]\n  depth: deep\n");
  expect_config_error([&] { load_config(dir.path() / "configs/bad.yaml"); }, "data.depth", {"bad.yaml:3"});
}

TEST(Config, CacheDirDefaultsToTheEnvironment) {
  const Config c = parse(kMinimal);
  EXPECT_EQ(cache_dir_of(c), default_cache_dir());
}

}  // namespace
}  // namespace mmsim

namespace mmsim {
namespace {

TEST(ConfigOverrides, AnErrorInAnOverrideNamesTheOverride) {
  try {
    parse_config("data:\n  files: [a.csv]\n", "/base", {"data.depth=abc"}, "file.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "data.depth");
    EXPECT_NE(std::string(e.what()).find("--set data.depth=abc"), std::string::npos) << e.what();
  }
}

TEST(ConfigOverrides, DuplicateKeysAndSectionsAreRefusedWithBothLines) {
  expect_parse_error("data:\n  files: [a.csv]\ntrain:\n  gamma: 0.9\n  gamma: 0.5\n", "train.gamma",
                     {"test.yaml", "lines 4 and 5"});
  expect_parse_error("train:\n  gamma: 0.9\ndata:\n  files: [a.csv]\ntrain:\n  gamma: 0.5\n", "train",
                     {"lines 1 and 5"});
  expect_config_error([] { parse("data:\n  files: [a.csv]\n", {"train={gamma: 0.9, gamma: 0.5}"}); },
                      "train.gamma", {"--set train"});
}

TEST(ConfigOverrides, AKeyThatIsASequenceOrAMappingIsRefusedWithItsLine) {
  // A comment's '#' flipped to '!' makes a sequence key (yaml-cpp accepts it).
  expect_parse_error("data:\n  files: [a.csv]\nenv:\n  ! [bid_offset, ask_offset]: the pattern\n",
                     "env.[bid_offset, ask_offset]", {"test.yaml:4", "not a key name"});
  expect_parse_error("data:\n  files: [a.csv]\n? {a: 1}\n: 2\n", "{a: 1}", {"test.yaml:3", "not a key name"});
  expect_config_error([] { parse("data:\n  files: [a.csv]\n", {"train={[gamma]: 0.9}"}); }, "train.[gamma]",
                      {"--set train", "not a key name"});
}

TEST(ConfigOverrides, AnOverrideWithoutAValueIsRefused) {
  for (const std::string assignment : {"train.gamma=", "train=null", "train.gamma=~", "env=null"}) {
    SCOPED_TRACE(assignment);
    expect_config_error([&] { parse("data:\n  files: [a.csv]\n", {assignment}); },
                        assignment.substr(0, assignment.find('=')), {"--set " + assignment, "gives no value"});
  }
  // An empty string is a value: the cache directory's default.
  EXPECT_EQ(parse("data:\n  files: [a.csv]\n", {"data.cache_dir=''"}).data.cache_dir, "");
}

TEST(ConfigFormats, L1DefaultsToAnyChangeAndRowNumbers) {
  const Config c = parse_config("data:\n  format: l1\n  files: [a.csv]\n", "/base", {}, "file.yaml");
  EXPECT_EQ(c.data.load.step_on, StepOn::any_change);
  EXPECT_EQ(c.data.load.timestamp_format, TimestampFormat::row_number);
  const Config explicit_rule =
      parse_config("data:\n  format: l1\n  files: [a.csv]\n  step_on: every_event\n", "/base", {}, "file.yaml");
  EXPECT_EQ(explicit_rule.data.load.step_on, StepOn::every_event);
}

TEST(ConfigEnv, ActionTableAndEnvKeysRoundTrip) {
  const Config c = parse_config(
      "data:\n  files: [a.csv]\nenv:\n  offset_unit: half_spread\n  actions:\n    - [0.5, 1, 100, 50]\n"
      "  reward:\n    kind: spooner\n    penalty: log1p\n    penalty_weight: 0.5\n  curriculum:\n    enabled: true\n"
      "    count: all_envs\n",
      "/base", {"env.observation.stack=3"}, "file.yaml");
  ASSERT_EQ(c.env.actions.size(), 1u);
  EXPECT_DOUBLE_EQ(c.env.actions[0].ask_offset, 1.0);
  EXPECT_DOUBLE_EQ(c.env.actions[0].ask_size, 50.0);
  EXPECT_EQ(c.env.offset_unit, OffsetUnit::half_spread);
  EXPECT_EQ(c.env.reward.kind, RewardKind::spooner);
  EXPECT_EQ(c.env.reward.penalty, PenaltyKind::log1p);
  EXPECT_EQ(c.env.curriculum.count, CurriculumCount::all_envs);
  EXPECT_EQ(c.env.observation.stack, 3);
  const Config back = parse_config(to_yaml(c), "/base", {}, "round-trip");
  EXPECT_EQ(to_yaml(back), to_yaml(c));
  EXPECT_EQ(config_hash(back), config_hash(c));
}

TEST(ConfigEnv, ABadActionRowNamesItsIndex) {
  try {
    parse_config("data:\n  files: [a.csv]\nenv:\n  actions:\n    - [1, 1, 1, 1]\n    - [1, 1, 1]\n", "/base", {},
                 "file.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "env.actions[1]");
    EXPECT_NE(std::string(e.what()).find("file.yaml:6"), std::string::npos) << e.what();
  }
}


TEST(ConfigLatency, DefaultsAreZeroAndEveryKeyIsReadAndRoundTrips) {
  const LatencyConfig defaults = parse(kMinimal).env.latency;
  EXPECT_EQ(defaults.delay, 0);
  EXPECT_EQ(defaults.jitter, 0);
  EXPECT_EQ(defaults.obs_delay, 0);
  const Config c = parse(kMinimal + "env:\n  latency:\n    delay: 3\n    jitter: 2\n    obs_delay: 5\n");
  EXPECT_EQ(c.env.latency.delay, 3);
  EXPECT_EQ(c.env.latency.jitter, 2);
  EXPECT_EQ(c.env.latency.obs_delay, 5);
  const Config back = parse_config(to_yaml(c), "/elsewhere", {}, "round-trip");
  EXPECT_EQ(back.env.latency.delay, 3);
  EXPECT_EQ(back.env.latency.jitter, 2);
  EXPECT_EQ(back.env.latency.obs_delay, 5);
  EXPECT_NE(config_hash(c), config_hash(parse(kMinimal)));
  const Config overridden = parse(kMinimal, {"env.latency.delay=5"});
  EXPECT_EQ(overridden.env.latency.delay, 5);
  expect_config_error([] { parse(kMinimal + "env:\n  latency:\n    dealy: 3\n"); }, "env.latency.dealy");
  expect_config_error([] { parse(kMinimal, {"env.latency.delay=soon"}); }, "env.latency.delay");
}

/// Every field of a baselines.as section equals the expected one.
void expect_as_config(const eval::AsBaselineConfig& got, const eval::AsBaselineConfig& want) {
  EXPECT_EQ(got.enabled, want.enabled);
  EXPECT_EQ(got.gamma, want.gamma);
  EXPECT_EQ(got.order_size, want.order_size);
  EXPECT_EQ(got.quotes, want.quotes);
  EXPECT_EQ(got.max_distance_ticks, want.max_distance_ticks);
  EXPECT_EQ(got.min_fills, want.min_fills);
}

TEST(ConfigBaselines, AvellanedaStoikovDefaults) {
  expect_as_config(parse(kMinimal).baselines.as, {true, 0.01, 0.0, eval::AsQuoteMode::continuous, 50.0, 20});
}

TEST(ConfigBaselines, EveryAvellanedaStoikovKeyIsReadAndRoundTrips) {
  const Config c = parse(kMinimal +
                         "baselines:\n  as:\n    enabled: false\n    gamma: 0.25\n    order_size: 30\n"
                         "    quotes: snap\n    max_distance_ticks: 12.5\n    min_fills: 7\n");
  const eval::AsBaselineConfig& as = c.baselines.as;
  expect_as_config(as, {false, 0.25, 30.0, eval::AsQuoteMode::snap, 12.5, 7});
  // The effective YAML holds every key, with its value, in the baselines.as
  // section, and parses back to the same values.
  const std::string text = to_yaml(c);
  const std::size_t as_at = text.find("\n  as:\n");
  ASSERT_NE(as_at, std::string::npos) << text;
  const std::string as_section = text.substr(as_at, text.find("\n  ", text.find("min_fills", as_at)) - as_at);
  for (const char* line : {"gamma: 0.25", "order_size: 30", "quotes: snap", "max_distance_ticks: 12.5",
                           "min_fills: 7", "enabled: false"}) {
    EXPECT_NE(as_section.find(line), std::string::npos) << line << " not in:\n" << as_section;
  }
  const Config back = parse_config(text, "/elsewhere", {}, "round-trip");
  expect_as_config(back.baselines.as, as);
  EXPECT_EQ(to_yaml(back), text);
  EXPECT_EQ(config_hash(back), config_hash(c));
  // A value that needs all 17 digits survives too, and changes the hash.
  Config other = c;
  other.baselines.as.gamma = 0.1 + 0.2;
  const Config other_back = parse_config(to_yaml(other), "/elsewhere", {}, "round-trip");
  EXPECT_EQ(other_back.baselines.as.gamma, 0.1 + 0.2);
  EXPECT_NE(config_hash(other), config_hash(c));
  // The continuous default round-trips as well.
  const Config defaults = parse(kMinimal);
  EXPECT_EQ(parse_config(to_yaml(defaults), "/elsewhere").baselines.as.quotes, eval::AsQuoteMode::continuous);
}

TEST(ConfigBaselines, OverridesReachTheAvellanedaStoikovKeys) {
  const Config c = parse(kMinimal, {"baselines.as.quotes=snap", "baselines.as.gamma=0.5", "baselines.as.enabled=false"});
  EXPECT_EQ(c.baselines.as.quotes, eval::AsQuoteMode::snap);
  EXPECT_EQ(c.baselines.as.gamma, 0.5);
  EXPECT_FALSE(c.baselines.as.enabled);
  expect_config_error([] { parse(kMinimal, {"baselines.as.gamma=0"}); }, "baselines.as.gamma");
}

TEST(ConfigBaselines, BadAvellanedaStoikovValuesNameTheKey) {
  const std::string as = kMinimal + "baselines:\n  as:\n";
  expect_parse_error(as + "    gamma: 0\n", "baselines.as.gamma", {"> 0"});
  expect_parse_error(as + "    gamma: -1\n", "baselines.as.gamma", {"> 0"});
  expect_parse_error(as + "    gamma: .nan\n", "baselines.as.gamma");
  expect_parse_error(as + "    gamma: .inf\n", "baselines.as.gamma");
  expect_parse_error(as + "    gamma: high\n", "baselines.as.gamma", {"'high'"});
  expect_parse_error(as + "    quotes: nearest\n", "baselines.as.quotes", {"'nearest'", "continuous, snap"});
  expect_parse_error(as + "    min_fills: 0\n", "baselines.as.min_fills", {">= 1"});
  expect_parse_error(as + "    min_fills: 2.5\n", "baselines.as.min_fills", {"'2.5'"});
  expect_parse_error(as + "    order_size: -1\n", "baselines.as.order_size", {">= 0"});
  expect_parse_error(as + "    max_distance_ticks: 0\n", "baselines.as.max_distance_ticks", {"[1, 1e6]"});
  expect_parse_error(as + "    enabled: sometimes\n", "baselines.as.enabled", {"'sometimes'"});
  expect_parse_error(as + "    gama: 0.1\n", "baselines.as.gama", {"unknown key", "gamma"});
  expect_parse_error(kMinimal + "baselines:\n  glft: {}\n", "baselines.glft", {"unknown key", "as"});
}

// ---------------------------------------------------------------------------
// Range checks report like parse errors: the key as written, the value, what
// is allowed, and the file:line or the --set that gave the value.
// ---------------------------------------------------------------------------

TEST(ConfigRanges, AnOverriddenValueOutsideItsRangeNamesTheSetAndWhatIsAllowed) {
  expect_config_error([] { parse(kMinimal, {"train.gamma=2"}); }, "train.gamma",
                      {"got 2", "a number in (0, 1]", "(--set train.gamma=2)"});
}

TEST(ConfigRanges, AValueOutsideItsRangeNamesItsLine) {
  expect_parse_error(kMinimal + "train:\n  num_envs: 4\n  gamma: 1.5\n", "train.gamma",
                     {"got 1.5", "(0, 1]", "(test.yaml:5)"});
  expect_parse_error(kMinimal + "lstm:\n  hidden: 0\n", "lstm.hidden", {"got 0", "[1, 4096]", "test.yaml:4"});
}

TEST(ConfigRanges, NestedKeysAreNamedAsWritten) {
  // train.clip.max is the member clip_max: the message names the key of the file.
  expect_parse_error(kMinimal + "train:\n  clip:\n    kind: value\n    max: 0\n", "train.clip.max",
                     {"got 0", "> 0", "test.yaml:6"});
  expect_config_error([] { parse(kMinimal, {"train.network.policy_hidden=0"}); }, "train.network.policy_hidden",
                      {">= 1", "--set train.network.policy_hidden=0"});
  expect_config_error([] { parse(kMinimal, {"train.beta.values=[0.1, -1]"}); }, "train.beta.values",
                      {"value -1 (item 2)", ">= 0", "--set train.beta.values=[0.1, -1]"});
}

TEST(ConfigRanges, ASumOverTheLimitNamesTheSetThatRaisedIt) {
  // The fractions of the file sum to 1; the override makes them 1.2.
  const std::string text = kMinimal + "split:\n  train: 0.7\n  validation: 0.15\n  test: 0.15\n";
  try {
    parse(text, {"split.train=0.9"});
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), "split");
    for (const char* part : {"0.9 + 0.15 + 0.15 > 1", "split.train: --set split.train=0.9",
                             "split.validation: test.yaml:5", "split.test: test.yaml:6"}) {
      EXPECT_NE(what.find(part), std::string::npos) << part << " not in: " << what;
    }
  }
}

TEST(ConfigRanges, ACrossKeyCheckNamesBothKeysAndWhereEachCameFrom) {
  try {
    parse(kMinimal + "lstm:\n  max_move_half_ticks: 12\n", {"lstm.class_width_half_ticks=5"});
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), "lstm.class_width_half_ticks");
    for (const char* part : {"divides lstm.max_move_half_ticks (12)", "got 5",
                             "--set lstm.class_width_half_ticks=5", "lstm.max_move_half_ticks: test.yaml:4"}) {
      EXPECT_NE(what.find(part), std::string::npos) << part << " not in: " << what;
    }
  }
  expect_parse_error(kMinimal + "train:\n  learning_rate: 0.001\n  min_learning_rate: 0.01\n",
                     "train.min_learning_rate",
                     {"<= train.learning_rate (0.001)", "got 0.01", "test.yaml:5", "train.learning_rate: test.yaml:4"});
  // PPO's minibatches must each hold a sample; the check applies only when PPO trains.
  const std::string small_ppo = kMinimal + "train:\n  num_envs: 2\n  rollout_steps: 3\n  ppo:\n    minibatches: 7\n";
  expect_parse_error(small_ppo + "  algorithm: ppo\n", "train.ppo.minibatches",
                     {"train.num_envs x train.rollout_steps = 6", "got 7", "test.yaml:7",
                      "train.num_envs: test.yaml:4", "train.rollout_steps: test.yaml:5"});
  EXPECT_EQ(parse(small_ppo).train.ppo.minibatches, 7);
  // DQN's batch and start fit in its buffer; its n-step returns in a rollout.
  expect_parse_error(kMinimal + "train:\n  dqn:\n    buffer_size: 100\n    batch_size: 101\n", "train.dqn.batch_size",
                     {"at most train.dqn.buffer_size (100)", "got 101", "test.yaml:6", "train.dqn.buffer_size: test.yaml:5"});
  expect_parse_error(kMinimal + "train:\n  dqn:\n    buffer_size: 100\n    batch_size: 10\n    learning_starts: 200\n",
                     "train.dqn.learning_starts", {"at most train.dqn.buffer_size (100)", "got 200"});
  const std::string long_n = kMinimal + "train:\n  rollout_steps: 3\n  dqn:\n    n_step: 4\n";
  expect_parse_error(long_n + "  algorithm: dqn\n", "train.dqn.n_step",
                     {"at most train.rollout_steps (3)", "got 4", "train.rollout_steps: test.yaml:4"});
  EXPECT_EQ(parse(long_n).train.dqn.n_step, 4);
  // Continuous quotes: an offset range that is one, and an actor-critic learner to quote with.
  expect_parse_error(kMinimal + "train:\n  gaussian:\n    offset_min: 2\n    offset_max: 2\n", "train.gaussian.offset_max",
                     {"above train.gaussian.offset_min (2)", "got 2", "test.yaml:6", "train.gaussian.offset_min: test.yaml:5"});
  expect_parse_error(kMinimal + "train:\n  algorithm: dqn\n  policy: gaussian\n", "train.policy",
                     {"categorical with train.algorithm dqn", "test.yaml:5", "train.algorithm: test.yaml:4"});
  const Config continuous = parse(kMinimal + "train:\n  algorithm: ppo\n  policy: gaussian\n  gaussian:\n"
                                             "    offset_min: 0.5\n    offset_max: 3\n    size: 100\n");
  EXPECT_EQ(continuous.train.policy, train::PolicyKind::gaussian);
  EXPECT_EQ(continuous.train.gaussian.offset_min, 0.5);
  EXPECT_EQ(continuous.train.gaussian.size, 100);
  expect_parse_error(kMinimal + "train:\n  gaussian:\n    initial_log_std: 2\n", "train.gaussian.initial_log_std",
                     {"(-5, 2)"});
  expect_parse_error(kMinimal + "train:\n  gaussian:\n    offset_min: -0.5\n", "train.gaussian.offset_min",
                     {">= 0"});
  expect_parse_error(kMinimal + "train:\n  policy: beta\n", "train.policy", {"categorical", "gaussian"});
  expect_parse_error(kMinimal + "split:\n  by: time\n  validation_start: '2020-01-02 10:00:00'\n"
                                "  test_start: '2020-01-02 09:00:00'\n",
                     "split.test_start", {"at or after split.validation_start", "test.yaml:6"});
}

TEST(ConfigRanges, NumbersMustBeFinite) {
  expect_parse_error(kMinimal + "train:\n  log_every_seconds: .inf\n", "train.log_every_seconds", {"> 0"});
  expect_parse_error(kMinimal + "split:\n  test: .nan\n", "split.test", {"[0, 1]"});
}

TEST(ConfigRanges, EnvSectionsAreCheckedWhenAnEnvIsBuilt) {
  // Parsing keeps env values for the commands that build envs; they check them.
  const Config c =
      parse(kMinimal + "env:\n  actions: [[1, 1, 1, 1]]\n  reward:\n    eta: 2\n", {"fill_prob.cost=.nan"});
  expect_config_error([&] { validate(c.env); }, "env.reward.eta", {"got 2", "[0, 1]"});
  expect_config_error([&] { validate(c.fill_prob); }, "fill_prob.cost", {"got nan"});
  // An empty action table is refused only then too.
  EXPECT_TRUE(parse(kMinimal).env.actions.empty());
  expect_config_error([] { validate(parse(kMinimal).env); }, "env.actions", {"empty"});
}

// ---------------------------------------------------------------------------
// The choice names: one table per enum, for the parser and to_string alike.
// ---------------------------------------------------------------------------

/// Every name of the enum's table parses back to its value, once.
template <class Enum>
void expect_names_round_trip() {
  std::set<std::string> names;
  for (const auto& entry : enum_names(Enum{}).entries) {
    EXPECT_TRUE(names.insert(entry.name).second) << entry.name << " twice";
    EXPECT_STREQ(to_string(entry.value), entry.name);
    EXPECT_EQ(enum_names(Enum{}).find(entry.name), entry.value) << entry.name;
  }
}

TEST(ConfigChoices, EveryNameRoundTripsThroughItsTable) {
  expect_names_round_trip<DataFormat>();
  expect_names_round_trip<StepOn>();
  expect_names_round_trip<BadRowPolicy>();
  expect_names_round_trip<TimestampFormat>();
  expect_names_round_trip<SplitBy>();
  expect_names_round_trip<EpisodeSplit>();
  expect_names_round_trip<OffsetUnit>();
  expect_names_round_trip<SizeUnit>();
  expect_names_round_trip<FillPrice>();
  expect_names_round_trip<FillModel>();
  expect_names_round_trip<QueueModel>();
  expect_names_round_trip<RewardKind>();
  expect_names_round_trip<PenaltyKind>();
  expect_names_round_trip<InventoryLimitMode>();
  expect_names_round_trip<CurriculumCount>();
  expect_names_round_trip<train::ClipKind>();
  expect_names_round_trip<train::Schedule::Kind>();
  expect_names_round_trip<eval::AsQuoteMode>();
}

TEST(ConfigChoices, AValueWithoutANameIsABugNotAnotherName) {
  EXPECT_THROW(to_string(static_cast<FillModel>(2)), InternalError);
  EXPECT_THROW(to_string(static_cast<eval::AsQuoteMode>(5)), InternalError);
}

TEST(ConfigChoices, EpisodeSplitsParseByName) {
  EXPECT_EQ(parse_episode_split("validation", "--split"), EpisodeSplit::validation);
  EXPECT_EQ(parse_episode_split("test", "--split"), EpisodeSplit::test);
  expect_config_error([] { parse_episode_split("valid", "--split"); }, "--split",
                      {"'valid' is not one of: train, validation, test"});
}

// ---------------------------------------------------------------------------
// docs/configuration.md's key tables come from the key tables.
// ---------------------------------------------------------------------------

TEST(ConfigDocs, TheDocsKeyTablesAreTheGeneratedOnes) {
  const std::filesystem::path docs =
      std::filesystem::path(MMSIM_CONFIG_DIR).parent_path() / "docs" / "configuration.md";
  const std::string text = read_text(docs);
  ASSERT_FALSE(text.empty()) << docs;
  EXPECT_EQ(config::with_key_tables(text), text)
      << "docs/configuration.md's key tables differ from src/config: run `cmake --build build --target config_docs`";
}

TEST(ConfigDocs, EverySectionNeedsItsTableAndEveryTableASection) {
  std::string tables;
  for (const char* section : {"data", "features", "split", "env", "fill_prob", "spread", "tabular", "baselines", "train", "lstm",
                              "top level"}) {
    tables += std::string("<!-- keys: ") + section + " -->\n<!-- end keys -->\n";
  }
  const std::string filled = config::with_key_tables(tables);
  EXPECT_NE(filled.find("| `as.gamma` | `0.01` | a number > 0 |"), std::string::npos) << filled;
  EXPECT_NE(filled.find("| `seed` | `1` |"), std::string::npos) << filled;
  EXPECT_THROW(config::with_key_tables("no tables\n"), Error);
  EXPECT_THROW(config::with_key_tables(tables + "<!-- keys: dat -->\n<!-- end keys -->\n"), Error);
  EXPECT_THROW(config::with_key_tables("<!-- keys: data -->\n"), Error);
}

}  // namespace
}  // namespace mmsim
