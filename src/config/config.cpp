#include "mmsim/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <sstream>

#include "config/sections.hpp"
#include "data/file_io.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim {
namespace config {

const Table<Config>& config_keys() {
  static const Table<Config> table{{
      section("data", &Config::data, data_keys()),
      section("features", &Config::features, feature_keys()),
      section("split", &Config::split, split_keys()),
      section("env", &Config::env, env_keys(), Checked::when_built),
      section("fill_prob", &Config::fill_prob, fill_prob_keys(), Checked::when_built),
      section("tabular", &Config::tabular, tabular_keys()),
      section("spread", &Config::spread, spread_keys(), Checked::when_built),
      section("baselines", &Config::baselines, baselines_keys()),
      section("train", &Config::train, train_keys()),
      section("lstm", &Config::lstm, lstm_keys()),
      number("seed", &Config::seed, Range::any(), "seed of every random draw of the run"),
  }};
  return table;
}

}  // namespace config

namespace {

/// Throws ConfigError naming the key and its line when a mapping of the tree
/// under `node` has a key that is not a plain name (YAML allows a sequence or
/// a mapping as a key; no config key is one), or holds a key twice (the
/// parser keeps both; a lookup would silently take the first).
void check_mapping_keys(const YAML::Node& node, const std::string& prefix, const std::string& name) {
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) check_mapping_keys(item, prefix, name);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> lines;
  for (const auto& pair : node) {
    const int line = pair.first.Mark().line + 1;
    if (!pair.first.IsScalar()) {
      throw ConfigError(prefix + config::Reader::text(pair.first),
                        "is not a key name (" + name + ":" + std::to_string(line) +
                            "); keys are plain words such as episode_length");
    }
    const std::string key = pair.first.Scalar();
    const auto [earlier, inserted] = lines.emplace(key, line);
    if (!inserted) {
      throw ConfigError(prefix + key, "is given twice in " + name + " (lines " + std::to_string(earlier->second) +
                                          " and " + std::to_string(line) + "); keep one");
    }
    check_mapping_keys(pair.second, prefix + key + ".", name);
  }
}

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
  if (!value || value.IsNull()) {
    throw ConfigError(path, "--set " + assignment + " gives no value (empty or null would silently mean the "
                            "defaults); give the value itself");
  }
  check_mapping_keys(value, path + ".", "--set " + path);
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

Config parse_tree(const YAML::Node& root, config::ParseSource& source) {
  if (root && !root.IsNull() && !root.IsMap()) {
    throw ConfigError("<root>", "a config file must be a mapping of sections (" + source.name + ")");
  }
  const config::Table<Config>& sections = config::config_keys();
  config::Reader top(root, "", &source);
  // Unknown sections first, so that a misspelt section is named as such.
  for (const auto& section : sections.keys) top.get(section->name());
  top.reject_unknown();
  // Each section is checked as soon as it is read, so the first error in the
  // file is the one reported.
  Config config;
  const config::Checker checker("", &source.origins, source.name);
  for (const auto& section : sections.keys) {
    section->read(top, config);
    section->check(config, checker);
  }
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
  check_mapping_keys(root, "", name);
  config::ParseSource source{name, base_dir, {}, {}};
  for (const std::string& assignment : overrides) {
    apply_override(root, assignment);
    source.overrides[assignment.substr(0, assignment.find('='))] = assignment;
  }
  return parse_tree(root, source);
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
  YAML::Emitter out;
  out << YAML::BeginMap;
  config::write_keys(config::config_keys(), out, config);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::uint64_t config_hash(const Config& config) { return detail::hash64(to_yaml(config)); }

namespace {

/// Every leaf of `node` (a scalar, or a sequence as flow text) under its dotted key, in order.
void flatten(const YAML::Node& node, const std::string& key, std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap()) {
    for (const auto& pair : node) {
      flatten(pair.second, key.empty() ? pair.first.Scalar() : key + "." + pair.first.Scalar(), out);
    }
    return;
  }
  YAML::Emitter text;
  text << YAML::Flow << node;
  out.emplace_back(key, text.c_str());
}

}  // namespace

std::vector<KeyDifference> config_differences(const Config& before, const Config& after) {
  std::vector<std::pair<std::string, std::string>> a, b;
  flatten(YAML::Load(to_yaml(before)), "", a);
  flatten(YAML::Load(to_yaml(after)), "", b);
  const std::map<std::string, std::string> after_values(b.begin(), b.end());
  std::vector<KeyDifference> differences;
  for (const auto& [key, value] : a) {
    const auto found = after_values.find(key);
    const std::string now = found == after_values.end() ? "(absent)" : found->second;
    if (now != value) differences.push_back({key, value, now});
  }
  const std::map<std::string, std::string> before_values(a.begin(), a.end());
  for (const auto& [key, value] : b) {
    if (before_values.count(key) == 0) differences.push_back({key, "(absent)", value});
  }
  return differences;
}

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
