#pragma once
// The run configuration: YAML files under configs/ parsed into plain structs.
// Each section's keys, defaults and allowed values are declared once, in the
// key tables under src/config/, which drive parsing, range checks, to_yaml
// and the key tables of docs/configuration.md.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/config/baselines_config.hpp"
#include "mmsim/config/lstm_config.hpp"
#include "mmsim/config/tabular_config.hpp"
#include "mmsim/config/train_config.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/env_config.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/spread_env.hpp"

namespace mmsim {

struct DataConfig {
  LoadOptions load;
  bool use_cache = true;     ///< data.cache
  std::string cache_dir;     ///< data.cache_dir; empty = default_cache_dir()
};

struct BaselinesConfig {
  eval::AsBaselineConfig as;  ///< baselines.as: the Avellaneda-Stoikov baselines of `mmsim eval`
};

struct Config {
  DataConfig data;
  FeatureConfig features;
  SplitConfig split;
  EnvConfig env;  ///< validated only by the commands that build envs
  FillProbConfig fill_prob;  ///< the notebook's fill-probability env
  TabularConfig tabular;     ///< the notebook's tabular learners
  SpreadConfig spread;       ///< the notebook's spread-trading env
  train::TrainConfig train;
  train::LstmConfig lstm;  ///< the LSTM mid-move forecaster (docs/lstm.md)
  BaselinesConfig baselines;
  std::uint64_t seed = 1;
  /// The file the config came from (empty for text parsed directly).
  std::filesystem::path source;
};

/// Parses a YAML file, then applies `overrides` ("dotted.key=yaml value").
/// Relative data paths are resolved against the config file's directory.
/// Checks every section but env, fill_prob and spread, which are checked when
/// an env is built. Throws ConfigError naming the key, the value, what is allowed
/// and the file:line or the --set that gave the value.
Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

/// As load_config, from text; `base_dir` resolves relative paths and `name`
/// appears in error messages.
Config parse_config(const std::string& yaml_text, const std::filesystem::path& base_dir,
                    const std::vector<std::string>& overrides = {}, const std::string& name = "<config>");

/// The effective configuration as YAML, every key included; parse_config of
/// it gives back the same Config.
std::string to_yaml(const Config& config);

/// 64-bit hash of to_yaml(config), shown in reports.
std::uint64_t config_hash(const Config& config);

/// A key whose value differs between two configs, each value as to_yaml writes it.
struct KeyDifference {
  std::string key;  ///< dotted, as written in a config file (e.g. "train.gamma")
  std::string before, after;
};

/// The keys whose values differ between `before` and `after` (a key only one
/// of them writes counts, with "(absent)" for the other), in to_yaml's order.
std::vector<KeyDifference> config_differences(const Config& before, const Config& after);

/// The cache directory a config uses.
std::filesystem::path cache_dir_of(const Config& config);

/// cache_dir_of(config) when data.cache is on, else empty (no cache).
std::filesystem::path cache_dir_in_use(const Config& config);

/// Where `mmsim lstm train` writes the LSTM models and report: lstm.dir, or
/// <train.run_dir>/lstm when it is empty.
std::filesystem::path lstm_dir_of(const Config& config);

}  // namespace mmsim
