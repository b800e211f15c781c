#pragma once
// Hyperparameter sweeps: a grid of configs trained side by side on one data
// set (train_runs() in mmsim/train/run.hpp). Torch-free.

#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"

namespace mmsim::train {

/// One swept key and the values it takes, in order: values as YAML text.
struct SweepAxis {
  std::string key;  ///< dotted config key, e.g. "train.learning_rate"
  std::vector<std::string> values;
};

/// Whether the runs of a sweep may differ in a key.
enum class SweepKeyRule {
  allowed,
  shared_data,  ///< data.*, features.*, split.*, lstm.*: the runs share one data set
  seed,         ///< seed: independent seeds are runs of their own, not sweep points
  run_name,     ///< train.name, train.run_dir: a sweep names its runs itself
};
SweepKeyRule sweep_key_rule(const std::string& key);

/// One point of a sweep grid: its settings ("dotted.key=value", one per swept
/// key), its name and its config.
struct SweepPoint {
  std::vector<std::string> settings;
  /// What tells the point's runs apart, "key=value" per setting joined by
  /// "-", each key its last component: "learning_rate=0.001-gamma=0.99". A
  /// value with characters other than letters, digits and ._+- is named by
  /// its place in its axis: "actions=v2" for the second action table.
  std::string name;
  Config config;  ///< the config file's, with the overrides and then the settings applied
};

/// Every combination of the axes' values, the first axis varying slowest, over
/// the config `file` with `overrides` ("dotted.key=value") applied. Throws
/// Error for an axis without values, an empty value, a repeated key or a key
/// whose rule is not `allowed`; ConfigError for an unknown key or a bad value.
std::vector<SweepPoint> sweep_grid(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                                   const std::vector<SweepAxis>& axes);

}  // namespace mmsim::train
