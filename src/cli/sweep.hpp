#pragma once
// `mmsim train --sweep KEY=V1,V2,...`: a grid of configs trained side by side.

#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

/// One point of a sweep grid: its settings ("dotted.key=value", one per swept
/// key) and the config file's config with the --set overrides and then the
/// settings applied.
struct SweepPoint {
  std::vector<std::string> settings;
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

/// The part of a run's name that tells its settings apart: "learning_rate=0.001"
/// for "train.learning_rate=0.001", settings joined by "-", characters other
/// than letters, digits and ._=+- replaced by "_".
std::string sweep_name(const std::vector<std::string>& settings);

}  // namespace mmsim::cli
