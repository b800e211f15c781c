#pragma once
// `mmsim train --sweep KEY=V1,V2,...`: the flag's grammar and wording; the
// grid itself is train::sweep_grid.

#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/train/sweep.hpp"

namespace mmsim::cli {

/// The grid of the --sweep flags `sweeps` ("dotted.key=v1,v2,..."; a comma
/// inside [] or {} belongs to its value) over the config `file` with the
/// --set `overrides` applied. Throws Error for a malformed or repeated sweep,
/// or a key the runs cannot differ in: data, features, split and lstm (the
/// runs share one data set), seed (use --seeds), train.name and
/// train.run_dir; ConfigError for an unknown key or a bad value.
std::vector<train::SweepPoint> sweep_points(const std::filesystem::path& file,
                                            const std::vector<std::string>& overrides,
                                            const std::vector<std::string>& sweeps);

}  // namespace mmsim::cli
