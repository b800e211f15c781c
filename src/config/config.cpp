#include "mmsim/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data/file_io.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/feature_row.hpp"

namespace mmsim {
namespace {

/// Walks a YAML mapping, remembering which keys were read so that unknown
/// (misspelt) keys are reported instead of silently ignored.
/// Override assignments by key, so that errors point at `--set`, not the file.
using Overrides = std::map<std::string, std::string>;

class Section {
 public:
  Section(YAML::Node node, std::string prefix, std::string file, const Overrides* overrides)
      : node_(std::move(node)), prefix_(std::move(prefix)), file_(std::move(file)), overrides_(overrides) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) fail(prefix_, node_, "expected a mapping of keys");
  }

  std::string key(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "." + name; }

  YAML::Node get(const std::string& name) {
    known_.insert(name);
    if (!node_ || node_.IsNull()) return YAML::Node();
    return node_[name];
  }

  template <class T>
  void read(const std::string& name, T* value, const char* expected) {
    const YAML::Node n = get(name);
    if (!n || n.IsNull()) return;
    try {
      *value = n.as<T>();
    } catch (const YAML::Exception&) {
      fail(key(name), n, std::string("expected ") + expected + ", got '" + text(n) + "'");
    }
  }

  template <class Enum>
  void choice(const std::string& name, Enum* value, const std::vector<std::pair<const char*, Enum>>& options) {
    const YAML::Node n = get(name);
    if (!n || n.IsNull()) return;
    const std::string given = n.IsScalar() ? n.Scalar() : text(n);
    std::string allowed;
    for (const auto& [label, option] : options) {
      if (given == label) {
        *value = option;
        return;
      }
      allowed += (allowed.empty() ? "" : ", ") + std::string(label);
    }
    fail(key(name), n, "'" + given + "' is not one of: " + allowed);
  }

  Section child(const std::string& name) { return Section(get(name), key(name), file_, overrides_); }

  /// Throws for every key of the mapping that was never read.
  void reject_unknown() const {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& entry : node_) {
      const std::string name = entry.first.as<std::string>();
      if (known_.count(name) == 0) {
        std::string allowed;
        for (const auto& k : known_) allowed += (allowed.empty() ? "" : ", ") + k;
        fail(key(name), entry.first, "unknown key; allowed here: " + allowed);
      }
    }
  }

  [[noreturn]] void fail(const std::string& full_key, const YAML::Node& at, const std::string& problem) const {
    std::string where = file_;
    if (at && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    for (const auto& [overridden, assignment] : *overrides_) {
      const std::string rest = full_key.substr(0, std::min(full_key.size(), overridden.size()));
      if (rest == overridden && (full_key.size() == overridden.size() || full_key[overridden.size()] == '.' ||
                                 full_key[overridden.size()] == '[')) {
        where = "--set " + assignment;
      }
    }
    throw ConfigError(full_key, problem + " (" + where + ")");
  }

  static std::string text(const YAML::Node& n) {
    YAML::Emitter out;
    out << YAML::Flow << n;
    return out.c_str();
  }

 private:
  YAML::Node node_;
  std::string prefix_;
  std::string file_;
  const Overrides* overrides_;
  std::set<std::string> known_;
};

void apply_override(YAML::Node root, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(assignment, "an override must look like key.path=value");
  }
  const std::string path = assignment.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(path, "cannot parse the override value '" + assignment.substr(eq + 1) + "': " + e.msg);
  }
  // Node handles alias in yaml-cpp, so walk with fresh nodes and assign at the end.
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = chain.back()[parts[i]];
    if (next && !next.IsNull() && !next.IsMap()) {
      throw ConfigError(path, "'" + parts[i] + "' is not a section, so it has no key '" + parts[i + 1] + "'");
    }
    if (!next || next.IsNull()) chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
    chain.push_back(chain.back()[parts[i]]);
  }
  chain.back()[parts.back()] = value;
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& file) {
  const std::filesystem::path p(file);
  return p.is_absolute() || base.empty() ? p : (base / p).lexically_normal();
}

void parse_env(Section env, EnvConfig* c) {
  env.choice("split", &c->split,
             {{"train", EpisodeSplit::train}, {"validation", EpisodeSplit::validation}, {"test", EpisodeSplit::test}});
  env.read("episode_length", &c->episode_length, "an integer number of steps >= 1");
  Section curriculum = env.child("curriculum");
  curriculum.read("enabled", &c->curriculum.enabled, "true or false");
  curriculum.read("increment", &c->curriculum.increment, "an integer number of steps");
  curriculum.read("every", &c->curriculum.every, "an integer number of finished episodes >= 1");
  curriculum.read("max_length", &c->curriculum.max_length, "an integer number of steps");
  curriculum.choice("count", &c->curriculum.count,
                    {{"per_env", CurriculumCount::per_env}, {"all_envs", CurriculumCount::all_envs}});
  curriculum.reject_unknown();
  env.choice("offset_unit", &c->offset_unit,
             {{"ticks", OffsetUnit::ticks}, {"price", OffsetUnit::price}, {"half_spread", OffsetUnit::half_spread}});
  env.choice("size_unit", &c->size_unit, {{"base", SizeUnit::base}, {"quote", SizeUnit::quote}});
  const YAML::Node actions = env.get("actions");
  if (actions && !actions.IsNull()) {
    if (!actions.IsSequence()) env.fail("env.actions", actions, "expected a list of [bid_offset, ask_offset, bid_size, ask_size]");
    c->actions.clear();
    for (std::size_t k = 0; k < actions.size(); ++k) {
      const YAML::Node row = actions[k];
      const std::string key = "env.actions[" + std::to_string(k) + "]";
      if (!row.IsSequence() || row.size() != 4) {
        env.fail(key, row, "expected [bid_offset, ask_offset, bid_size, ask_size], got '" + Section::text(row) + "'");
      }
      ActionRow a;
      double* fields[4] = {&a.bid_offset, &a.ask_offset, &a.bid_size, &a.ask_size};
      for (int f = 0; f < 4; ++f) {
        try {
          *fields[f] = row[f].as<double>();
        } catch (const YAML::Exception&) {
          env.fail(key, row[f], "expected a number, got '" + Section::text(row[f]) + "'");
        }
      }
      c->actions.push_back(a);
    }
  }
  env.choice("fill_price", &c->fill_price, {{"quote", FillPrice::quote}, {"level", FillPrice::level}});
  env.choice("fill_model", &c->fill_model, {{"cross", FillModel::cross}, {"trades", FillModel::trades}});
  env.choice("queue_model", &c->queue_model,
             {{"risk_averse", QueueModel::risk_averse}, {"proportional", QueueModel::proportional}});
  env.read("maker_fee_bps", &c->maker_fee_bps, "a number of basis points");
  env.read("taker_fee_bps", &c->taker_fee_bps, "a number of basis points");
  env.read("inventory_limit", &c->inventory_limit, "a number of base units (0 = none)");
  env.choice("inventory_limit_mode", &c->inventory_limit_mode,
             {{"shrink", InventoryLimitMode::shrink}, {"skip", InventoryLimitMode::skip}});
  env.read("liquidate_at_end", &c->liquidate_at_end, "true or false");
  Section latency = env.child("latency");
  latency.read("delay", &c->latency.delay, "an integer number of steps >= 0");
  latency.read("jitter", &c->latency.jitter, "an integer number of steps >= 0");
  latency.read("obs_delay", &c->latency.obs_delay, "an integer number of steps >= 0");
  latency.reject_unknown();
  Section reward = env.child("reward");
  reward.choice("kind", &c->reward.kind, {{"asymmetric", RewardKind::asymmetric}, {"spooner", RewardKind::spooner}});
  reward.read("eta", &c->reward.eta, "a number in [0, 1]");
  reward.choice("penalty", &c->reward.penalty,
                {{"none", PenaltyKind::none}, {"linear", PenaltyKind::linear}, {"quadratic", PenaltyKind::quadratic},
                 {"log1p", PenaltyKind::log1p}});
  reward.read("penalty_weight", &c->reward.penalty_weight, "a number >= 0");
  reward.reject_unknown();
  Section observation = env.child("observation");
  observation.read("stack", &c->observation.stack, "an integer number of frames");
  observation.read("cash_scale", &c->observation.cash_scale, "a number > 0");
  observation.read("position_scale", &c->observation.position_scale, "a number > 0");
  observation.read("pnl_scale", &c->observation.pnl_scale, "a number > 0");
  observation.reject_unknown();
  env.reject_unknown();
}

void parse_schedule(Section section, train::Schedule* schedule) {
  section.choice("kind", &schedule->kind,
                 {{"piecewise_linear", train::Schedule::Kind::piecewise_linear}, {"step", train::Schedule::Kind::step}});
  section.read("frames", &schedule->frames, "a list of frame counts");
  section.read("values", &schedule->values, "a list of numbers");
  section.reject_unknown();
}

void parse_train(Section t, train::TrainConfig* c) {
  t.read("num_envs", &c->num_envs, "an integer >= 1");
  t.read("rollout_steps", &c->rollout_steps, "an integer >= 1");
  t.read("total_frames", &c->total_frames, "an integer >= 1");
  t.read("gamma", &c->gamma, "a number in (0, 1]");
  t.read("learning_rate", &c->learning_rate, "a number > 0");
  t.read("learning_rate_decay", &c->learning_rate_decay, "a number in (0, 1]");
  t.read("min_learning_rate", &c->min_learning_rate, "a number >= 0");
  parse_schedule(t.child("epsilon"), &c->epsilon);
  parse_schedule(t.child("beta"), &c->beta);
  Section clip = t.child("clip");
  clip.choice("kind", &c->clip, {{"norm", train::ClipKind::norm}, {"value", train::ClipKind::value}});
  clip.read("max", &c->clip_max, "a number > 0");
  clip.reject_unknown();
  Section network = t.child("network");
  network.read("shared", &c->shared, "a layer width");
  network.read("policy_hidden", &c->policy_hidden, "a layer width");
  network.read("value_hidden", &c->value_hidden, "a layer width");
  network.reject_unknown();
  t.read("log_every_seconds", &c->log_every_seconds, "a number of seconds > 0");
  t.read("metrics_every_updates", &c->metrics_every_updates, "an integer >= 1");
  t.read("checkpoint_every_updates", &c->checkpoint_every_updates, "an integer >= 1");
  t.read("eval_every_updates", &c->eval_every_updates, "an integer >= 0");
  t.read("eval_windows", &c->eval_windows, "an integer >= 1");
  t.read("eval_steps", &c->eval_steps, "an integer >= 1");
  t.read("run_dir", &c->run_dir, "a directory");
  t.read("name", &c->name, "a folder name");
  t.reject_unknown();
  train::validate(*c);
}

void parse_lstm(Section l, train::LstmConfig* c) {
  l.read("hidden", &c->hidden, "an integer number of hidden units >= 1");
  l.read("max_move_half_ticks", &c->max_move_half_ticks, "an integer number of half-ticks >= 1");
  l.read("class_width_half_ticks", &c->class_width_half_ticks, "an integer number of half-ticks >= 1");
  l.read("sequence_length", &c->sequence_length, "an integer number of rows >= 1");
  l.read("batch_size", &c->batch_size, "an integer >= 1");
  l.read("epochs", &c->epochs, "an integer >= 1");
  l.read("patience", &c->patience, "an integer number of epochs >= 1");
  l.read("learning_rate", &c->learning_rate, "a number > 0");
  l.read("clip_norm", &c->clip_norm, "a number > 0");
  l.read("walk_forward_blocks", &c->walk_forward_blocks, "an integer in [2, 100]");
  l.read("fold_validation_fraction", &c->fold_validation_fraction, "a fraction in (0, 1)");
  l.read("dir", &c->dir, "a directory");
  l.reject_unknown();
  train::validate(*c);
}

void parse_baselines(Section baselines, BaselinesConfig* c) {
  Section as = baselines.child("as");
  eval::AsBaselineConfig& a = c->as;
  as.read("enabled", &a.enabled, "true or false");
  as.read("gamma", &a.gamma, "a number > 0 (1/currency)");
  as.read("order_size", &a.order_size, "a size >= 0 in env.size_unit (0 = the first action's bid size)");
  as.choice("quotes", &a.quotes, {{"continuous", eval::AsQuoteMode::continuous}, {"snap", eval::AsQuoteMode::snap}});
  as.read("max_distance_ticks", &a.max_distance_ticks, "a number of ticks in [1, 1e6]");
  as.read("min_fills", &a.min_fills, "an integer >= 1");
  as.reject_unknown();
  baselines.reject_unknown();
  eval::validate(a);
}

Config parse_tree(YAML::Node root, const std::filesystem::path& base_dir, const std::string& name,
                  const Overrides& overrides) {
  Config config;
  if (root && !root.IsNull() && !root.IsMap()) {
    throw ConfigError("<root>", "a config file must be a mapping of sections (" + name + ")");
  }
  Section top(root, "", name, &overrides);
  // Unknown sections first, so that a misspelt section is named as such.
  for (const char* section : {"data", "features", "split", "env", "fill_prob", "train", "baselines", "lstm", "seed"}) {
    top.get(section);
  }
  top.reject_unknown();

  Section data = top.child("data");
  LoadOptions& load = config.data.load;
  data.choice("format", &load.format,
              {{"lobster", DataFormat::lobster}, {"snapshot", DataFormat::snapshot}, {"l1", DataFormat::l1}});
  if (load.format == DataFormat::l1) {
    // The notebook's data: no time column, and every change of the top of the book is a step.
    load.timestamp_format = TimestampFormat::row_number;
    load.step_on = StepOn::any_change;
  }
  const YAML::Node files = data.get("files");
  if (files && !files.IsNull()) {
    if (files.IsScalar()) {
      load.files.push_back(resolve(base_dir, files.Scalar()));
    } else if (files.IsSequence()) {
      for (const auto& f : files) {
        if (!f.IsScalar()) data.fail("data.files", f, "expected a file path");
        load.files.push_back(resolve(base_dir, f.Scalar()));
      }
    } else {
      data.fail("data.files", files, "expected a file path or a list of paths");
    }
  }
  data.read("tick_size", &load.instrument.tick_size, "a number (price of one tick)");
  data.read("lot_size", &load.instrument.lot_size, "a number (size of one lot)");
  data.read("depth", &load.depth, "an integer number of levels (0 = all)");
  data.choice("step_on", &load.step_on,
              {{"best_price_change", StepOn::best_price_change},
               {"any_change", StepOn::any_change},
               {"every_event", StepOn::every_event}});
  data.choice("bad_rows", &load.bad_rows, {{"error", BadRowPolicy::error}, {"drop", BadRowPolicy::drop}});

  data.choice("timestamp_format", &load.timestamp_format,
              {{"seconds", TimestampFormat::seconds},
               {"milliseconds", TimestampFormat::milliseconds},
               {"microseconds", TimestampFormat::microseconds},
               {"nanoseconds", TimestampFormat::nanoseconds},
               {"iso8601", TimestampFormat::iso8601},
               {"row_number", TimestampFormat::row_number}});
  if (load.format == DataFormat::l1) {
    load.columns = {"time", "BidPrice{level}", "BidVolume{level}", "AskPrice{level}", "AskVolume{level}"};
  }
  Section columns = data.child("columns");
  columns.read("timestamp", &load.columns.timestamp, "a column name");
  columns.read("bid_price", &load.columns.bid_price, "a column name pattern with {level}");
  columns.read("bid_size", &load.columns.bid_size, "a column name pattern with {level}");
  columns.read("ask_price", &load.columns.ask_price, "a column name pattern with {level}");
  columns.read("ask_size", &load.columns.ask_size, "a column name pattern with {level}");
  columns.reject_unknown();
  data.read("cache", &config.data.use_cache, "true or false");
  data.read("cache_dir", &config.data.cache_dir, "a directory");
  data.reject_unknown();
  if (load.files.empty()) throw ConfigError("data.files", "required: the order-book files to load (" + name + ")");
  if (!(load.instrument.tick_size > 0)) throw ConfigError("data.tick_size", "must be > 0 (" + name + ")");
  if (!(load.instrument.lot_size > 0)) throw ConfigError("data.lot_size", "must be > 0 (" + name + ")");
  if (load.depth < 0) throw ConfigError("data.depth", "must be >= 0 (" + name + ")");

  Section features = top.child("features");
  features.read("depth", &config.features.depth, "an integer number of levels (0 = the book's depth)");
  features.read("rsi_windows", &config.features.rsi_windows, "a list of window lengths in rows");
  features.read("lstm", &config.features.lstm, "true or false");
  features.reject_unknown();
  for (int w : config.features.rsi_windows) {
    if (w < 1) throw ConfigError("features.rsi_windows", "window " + std::to_string(w) + " must be >= 1 (" + name + ")");
  }
  if (config.features.rsi_windows.size() > static_cast<std::size_t>(kMaxRsiWindows)) {
    throw ConfigError("features.rsi_windows", "at most " + std::to_string(kMaxRsiWindows) + " windows (" + name + ")");
  }
  if (config.features.depth < 0) throw ConfigError("features.depth", "must be >= 0 (" + name + ")");

  Section split = top.child("split");
  SplitConfig& s = config.split;
  split.choice("by", &s.by, {{"fraction", SplitBy::fraction}, {"time", SplitBy::time}, {"session", SplitBy::session}});
  split.read("train", &s.train_fraction, "a fraction in [0, 1]");
  split.read("validation", &s.validation_fraction, "a fraction in [0, 1]");
  split.read("test", &s.test_fraction, "a fraction in [0, 1]");
  split.read("validation_start", &s.validation_start, "a timestamp YYYY-MM-DD HH:MM:SS");
  split.read("test_start", &s.test_start, "a timestamp YYYY-MM-DD HH:MM:SS");
  split.read("train_sessions", &s.train_sessions, "a list of session names");
  split.read("validation_sessions", &s.validation_sessions, "a list of session names");
  split.read("test_sessions", &s.test_sessions, "a list of session names");
  split.reject_unknown();
  if (s.by == SplitBy::fraction) {
    const double fractions[3] = {s.train_fraction, s.validation_fraction, s.test_fraction};
    const char* keys[3] = {"split.train", "split.validation", "split.test"};
    double sum = 0;
    for (int i = 0; i < 3; ++i) {
      if (!(fractions[i] >= 0 && fractions[i] <= 1)) {
        throw ConfigError(keys[i], std::to_string(fractions[i]) + " is not a fraction in [0, 1] (" + name + ")");
      }
      sum += fractions[i];
    }
    if (sum > 1 + 1e-9) {
      throw ConfigError("split", "train + validation + test = " + std::to_string(sum) + " > 1 (" + name + ")");
    }
  }
  if (s.by == SplitBy::time) {
    for (const auto& [key, value] : {std::pair{"split.validation_start", &s.validation_start},
                                     std::pair{"split.test_start", &s.test_start}}) {
      Nanos ignored = 0;
      if (!parse_timestamp(*value, &ignored)) {
        throw ConfigError(key, "'" + *value + "' is not a timestamp YYYY-MM-DD HH:MM:SS[.fraction] (" + name + ")");
      }
    }
  }

  parse_env(top.child("env"), &config.env);
  Section fill_prob = top.child("fill_prob");
  fill_prob.choice("split", &config.fill_prob.split,
                   {{"train", EpisodeSplit::train}, {"validation", EpisodeSplit::validation}, {"test", EpisodeSplit::test}});
  fill_prob.read("episode_length", &config.fill_prob.episode_length, "an integer number of steps >= 1");
  fill_prob.read("cash_deal_limit", &config.fill_prob.cash_deal_limit, "currency per trade > 0");
  fill_prob.read("cost", &config.fill_prob.cost, "currency per trade");
  fill_prob.reject_unknown();
  parse_train(top.child("train"), &config.train);
  parse_baselines(top.child("baselines"), &config.baselines);
  parse_lstm(top.child("lstm"), &config.lstm);

  top.read("seed", &config.seed, "a non-negative integer");
  top.reject_unknown();
  return config;
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::filesystem::path& base_dir,
                    const std::vector<std::string>& overrides, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError("<syntax>", name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  Overrides by_key;
  for (const std::string& assignment : overrides) {
    apply_override(root, assignment);
    by_key[assignment.substr(0, assignment.find('='))] = assignment;
  }
  return parse_tree(root, base_dir, name, by_key);
}

Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  std::ifstream in(file);
  if (!in) throw ConfigError("--config", "cannot open the config file '" + file.string() + "'");
  std::stringstream text;
  text << in.rdbuf();
  Config config = parse_config(text.str(), file.parent_path(), overrides, file.string());
  config.source = file;
  return config;
}

std::string to_yaml(const Config& config) {
  const LoadOptions& load = config.data.load;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << to_string(load.format);
  out << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
  for (const auto& f : load.files) out << std::filesystem::absolute(f).lexically_normal().string();
  out << YAML::EndSeq;
  out << YAML::Key << "tick_size" << YAML::Value << load.instrument.tick_size;
  out << YAML::Key << "lot_size" << YAML::Value << load.instrument.lot_size;
  out << YAML::Key << "depth" << YAML::Value << load.depth;
  out << YAML::Key << "step_on" << YAML::Value << to_string(load.step_on);
  out << YAML::Key << "bad_rows" << YAML::Value << to_string(load.bad_rows);
  out << YAML::Key << "timestamp_format" << YAML::Value << to_string(load.timestamp_format);
  out << YAML::Key << "columns" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "timestamp" << YAML::Value << load.columns.timestamp;
  out << YAML::Key << "bid_price" << YAML::Value << load.columns.bid_price;
  out << YAML::Key << "bid_size" << YAML::Value << load.columns.bid_size;
  out << YAML::Key << "ask_price" << YAML::Value << load.columns.ask_price;
  out << YAML::Key << "ask_size" << YAML::Value << load.columns.ask_size;
  out << YAML::EndMap;
  out << YAML::Key << "cache" << YAML::Value << config.data.use_cache;
  out << YAML::Key << "cache_dir" << YAML::Value << config.data.cache_dir;
  out << YAML::EndMap;
  out << YAML::Key << "features" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "depth" << YAML::Value << config.features.depth;
  out << YAML::Key << "rsi_windows" << YAML::Value << YAML::Flow << config.features.rsi_windows;
  out << YAML::Key << "lstm" << YAML::Value << config.features.lstm;
  out << YAML::EndMap;
  const SplitConfig& s = config.split;
  out << YAML::Key << "split" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "by" << YAML::Value << to_string(s.by);
  out << YAML::Key << "train" << YAML::Value << s.train_fraction;
  out << YAML::Key << "validation" << YAML::Value << s.validation_fraction;
  out << YAML::Key << "test" << YAML::Value << s.test_fraction;
  out << YAML::Key << "validation_start" << YAML::Value << s.validation_start;
  out << YAML::Key << "test_start" << YAML::Value << s.test_start;
  out << YAML::Key << "train_sessions" << YAML::Value << YAML::Flow << s.train_sessions;
  out << YAML::Key << "validation_sessions" << YAML::Value << YAML::Flow << s.validation_sessions;
  out << YAML::Key << "test_sessions" << YAML::Value << YAML::Flow << s.test_sessions;
  out << YAML::EndMap;
  const EnvConfig& e = config.env;
  out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "split" << YAML::Value << to_string(e.split);
  out << YAML::Key << "episode_length" << YAML::Value << e.episode_length;
  out << YAML::Key << "curriculum" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << e.curriculum.enabled;
  out << YAML::Key << "increment" << YAML::Value << e.curriculum.increment;
  out << YAML::Key << "every" << YAML::Value << e.curriculum.every;
  out << YAML::Key << "max_length" << YAML::Value << e.curriculum.max_length;
  out << YAML::Key << "count" << YAML::Value << to_string(e.curriculum.count);
  out << YAML::EndMap;
  out << YAML::Key << "offset_unit" << YAML::Value << to_string(e.offset_unit);
  out << YAML::Key << "size_unit" << YAML::Value << to_string(e.size_unit);
  out << YAML::Key << "actions" << YAML::Value << YAML::BeginSeq;
  for (const ActionRow& a : e.actions) {
    out << YAML::Flow << std::vector<double>{a.bid_offset, a.ask_offset, a.bid_size, a.ask_size};
  }
  out << YAML::EndSeq;
  out << YAML::Key << "fill_price" << YAML::Value << to_string(e.fill_price);
  out << YAML::Key << "fill_model" << YAML::Value << to_string(e.fill_model);
  out << YAML::Key << "queue_model" << YAML::Value << to_string(e.queue_model);
  out << YAML::Key << "maker_fee_bps" << YAML::Value << e.maker_fee_bps;
  out << YAML::Key << "taker_fee_bps" << YAML::Value << e.taker_fee_bps;
  out << YAML::Key << "inventory_limit" << YAML::Value << e.inventory_limit;
  out << YAML::Key << "inventory_limit_mode" << YAML::Value << to_string(e.inventory_limit_mode);
  out << YAML::Key << "liquidate_at_end" << YAML::Value << e.liquidate_at_end;
  out << YAML::Key << "latency" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "delay" << YAML::Value << e.latency.delay;
  out << YAML::Key << "jitter" << YAML::Value << e.latency.jitter;
  out << YAML::Key << "obs_delay" << YAML::Value << e.latency.obs_delay;
  out << YAML::EndMap;
  out << YAML::Key << "reward" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "kind" << YAML::Value << to_string(e.reward.kind);
  out << YAML::Key << "eta" << YAML::Value << e.reward.eta;
  out << YAML::Key << "penalty" << YAML::Value << to_string(e.reward.penalty);
  out << YAML::Key << "penalty_weight" << YAML::Value << e.reward.penalty_weight;
  out << YAML::EndMap;
  out << YAML::Key << "observation" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "stack" << YAML::Value << e.observation.stack;
  out << YAML::Key << "cash_scale" << YAML::Value << e.observation.cash_scale;
  out << YAML::Key << "position_scale" << YAML::Value << e.observation.position_scale;
  out << YAML::Key << "pnl_scale" << YAML::Value << e.observation.pnl_scale;
  out << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::Key << "fill_prob" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "split" << YAML::Value << to_string(config.fill_prob.split);
  out << YAML::Key << "episode_length" << YAML::Value << config.fill_prob.episode_length;
  out << YAML::Key << "cash_deal_limit" << YAML::Value << config.fill_prob.cash_deal_limit;
  out << YAML::Key << "cost" << YAML::Value << config.fill_prob.cost;
  out << YAML::EndMap;
  const eval::AsBaselineConfig& as = config.baselines.as;
  out << YAML::Key << "baselines" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "as" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << as.enabled;
  out << YAML::Key << "gamma" << YAML::Value << as.gamma;
  out << YAML::Key << "order_size" << YAML::Value << as.order_size;
  out << YAML::Key << "quotes" << YAML::Value << eval::to_string(as.quotes);
  out << YAML::Key << "max_distance_ticks" << YAML::Value << as.max_distance_ticks;
  out << YAML::Key << "min_fills" << YAML::Value << as.min_fills;
  out << YAML::EndMap;
  out << YAML::EndMap;
  const train::TrainConfig& t = config.train;
  auto schedule = [&](const char* name, const train::Schedule& sc) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "kind" << YAML::Value
        << (sc.kind == train::Schedule::Kind::step ? "step" : "piecewise_linear");
    out << YAML::Key << "frames" << YAML::Value << YAML::Flow << sc.frames;
    out << YAML::Key << "values" << YAML::Value << YAML::Flow << sc.values;
    out << YAML::EndMap;
  };
  out << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "num_envs" << YAML::Value << t.num_envs;
  out << YAML::Key << "rollout_steps" << YAML::Value << t.rollout_steps;
  out << YAML::Key << "total_frames" << YAML::Value << t.total_frames;
  out << YAML::Key << "gamma" << YAML::Value << t.gamma;
  out << YAML::Key << "learning_rate" << YAML::Value << t.learning_rate;
  out << YAML::Key << "learning_rate_decay" << YAML::Value << t.learning_rate_decay;
  out << YAML::Key << "min_learning_rate" << YAML::Value << t.min_learning_rate;
  schedule("epsilon", t.epsilon);
  schedule("beta", t.beta);
  out << YAML::Key << "clip" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "kind" << YAML::Value << train::to_string(t.clip);
  out << YAML::Key << "max" << YAML::Value << t.clip_max;
  out << YAML::EndMap;
  out << YAML::Key << "network" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "shared" << YAML::Value << t.shared;
  out << YAML::Key << "policy_hidden" << YAML::Value << t.policy_hidden;
  out << YAML::Key << "value_hidden" << YAML::Value << t.value_hidden;
  out << YAML::EndMap;
  out << YAML::Key << "log_every_seconds" << YAML::Value << t.log_every_seconds;
  out << YAML::Key << "metrics_every_updates" << YAML::Value << t.metrics_every_updates;
  out << YAML::Key << "checkpoint_every_updates" << YAML::Value << t.checkpoint_every_updates;
  out << YAML::Key << "eval_every_updates" << YAML::Value << t.eval_every_updates;
  out << YAML::Key << "eval_windows" << YAML::Value << t.eval_windows;
  out << YAML::Key << "eval_steps" << YAML::Value << t.eval_steps;
  out << YAML::Key << "run_dir" << YAML::Value << t.run_dir;
  out << YAML::Key << "name" << YAML::Value << t.name;
  out << YAML::EndMap;
  const train::LstmConfig& l = config.lstm;
  out << YAML::Key << "lstm" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "hidden" << YAML::Value << l.hidden;
  out << YAML::Key << "max_move_half_ticks" << YAML::Value << l.max_move_half_ticks;
  out << YAML::Key << "class_width_half_ticks" << YAML::Value << l.class_width_half_ticks;
  out << YAML::Key << "sequence_length" << YAML::Value << l.sequence_length;
  out << YAML::Key << "batch_size" << YAML::Value << l.batch_size;
  out << YAML::Key << "epochs" << YAML::Value << l.epochs;
  out << YAML::Key << "patience" << YAML::Value << l.patience;
  out << YAML::Key << "learning_rate" << YAML::Value << l.learning_rate;
  out << YAML::Key << "clip_norm" << YAML::Value << l.clip_norm;
  out << YAML::Key << "walk_forward_blocks" << YAML::Value << l.walk_forward_blocks;
  out << YAML::Key << "fold_validation_fraction" << YAML::Value << l.fold_validation_fraction;
  out << YAML::Key << "dir" << YAML::Value << l.dir;
  out << YAML::EndMap;
  out << YAML::Key << "seed" << YAML::Value << config.seed;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::uint64_t config_hash(const Config& config) { return detail::hash64(to_yaml(config)); }

std::filesystem::path cache_dir_of(const Config& config) {
  return config.data.cache_dir.empty() ? default_cache_dir() : std::filesystem::path(config.data.cache_dir);
}

std::filesystem::path cache_dir_in_use(const Config& config) {
  return config.data.use_cache ? cache_dir_of(config) : std::filesystem::path();
}

std::filesystem::path lstm_dir_of(const Config& config) {
  return config.lstm.dir.empty() ? std::filesystem::path(config.train.run_dir) / "lstm"
                                 : std::filesystem::path(config.lstm.dir);
}

}  // namespace mmsim
