#pragma once
// `mmsim train --sweep KEY=V1,V2,...`: a grid of configs trained side by side.

#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

/// One point of a sweep grid: its settings ("dotted.key=value", one per swept
/// key), its name and the config file's config with the --set overrides and
/// then the settings applied.
struct SweepPoint {
  std::vector<std::string> settings;
  /// What tells the point's runs apart, "key=value" per setting joined by
  /// "-", each key its last component: "learning_rate=0.001-gamma=0.99". A
  /// value with characters other than letters, digits and ._+- is named by
  /// its place in its list: "actions=v2" for the second action table.
  std::string name;
  Config config;
};

/// Every combination of `sweeps` ("dotted.key=v1,v2,..."; a comma inside []
/// or {} belongs to its value), the first key varying slowest, over the
/// config `file` with `overrides` applied. Throws Error for a malformed or
/// repeated sweep, or a key the runs cannot differ in: data, features, split
/// and lstm (the runs share one data set), seed (use --seeds), train.name and
/// train.run_dir; ConfigError for an unknown key or a bad value.
std::vector<SweepPoint> sweep_points(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                                     const std::vector<std::string>& sweeps);

}  // namespace mmsim::cli
