#include "cli/sweep.hpp"

#include "mmsim/core/error.hpp"

namespace mmsim::cli {
namespace {

/// Splits "v1,v2,..." at the commas outside brackets and braces.
std::vector<std::string> split_values(const std::string& values) {
  std::vector<std::string> out(1);
  int depth = 0;
  for (const char c : values) {
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

train::SweepAxis parse_sweep(const std::string& sweep) {
  const auto equals = sweep.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw Error("--sweep " + sweep + ": expected KEY=V1,V2,... such as train.learning_rate=1e-4,3e-4");
  }
  train::SweepAxis axis{sweep.substr(0, equals), split_values(sweep.substr(equals + 1))};
  const std::string& key = axis.key;
  switch (train::sweep_key_rule(key)) {
    case train::SweepKeyRule::allowed: break;
    case train::SweepKeyRule::shared_data:
      throw Error("--sweep " + key + ": the runs of a sweep share one data set, so " + key.substr(0, key.find('.')) +
                  ".* cannot be swept; run one sweep per data setting");
    case train::SweepKeyRule::seed: throw Error("--sweep seed: use --seeds K for independent seeds");
    case train::SweepKeyRule::run_name:
      throw Error("--sweep " + key + ": a sweep names its runs after the base train.name and its settings");
  }
  return axis;
}

}  // namespace

std::vector<train::SweepPoint> sweep_points(const std::filesystem::path& file,
                                            const std::vector<std::string>& overrides,
                                            const std::vector<std::string>& sweeps) {
  std::vector<train::SweepAxis> axes;
  for (const std::string& sweep : sweeps) axes.push_back(parse_sweep(sweep));
  return train::sweep_grid(file, overrides, axes);
}

}  // namespace mmsim::cli
