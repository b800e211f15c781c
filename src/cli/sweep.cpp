#include "cli/sweep.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "mmsim/core/error.hpp"

namespace mmsim::cli {
namespace {

struct SweptKey {
  std::string key;
  std::vector<std::string> values;
};

/// Splits "v1,v2,..." at the commas outside brackets and braces.
std::vector<std::string> split_values(const std::string& sweep, const std::string& values) {
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
  for (const std::string& value : out) {
    if (value.empty()) throw Error("--sweep " + sweep + ": an empty value (values are separated by commas)");
  }
  return out;
}

/// A value that can stand in a directory name as it is.
bool plain(const std::string& value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '-';
  });
}

SweptKey parse_sweep(const std::string& sweep) {
  const auto equals = sweep.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw Error("--sweep " + sweep + ": expected KEY=V1,V2,... such as train.learning_rate=1e-4,3e-4");
  }
  SweptKey swept{sweep.substr(0, equals), split_values(sweep, sweep.substr(equals + 1))};
  const std::string& key = swept.key;
  for (const char* shared : {"data", "features", "split", "lstm"}) {
    if (key == shared || key.rfind(std::string(shared) + ".", 0) == 0) {
      throw Error("--sweep " + key + ": the runs of a sweep share one data set, so " + shared +
                  ".* cannot be swept; run one sweep per data setting");
    }
  }
  if (key == "seed") throw Error("--sweep seed: use --seeds K for independent seeds");
  if (key == "train.name" || key == "train.run_dir") {
    throw Error("--sweep " + key + ": a sweep names its runs after the base train.name and its settings");
  }
  return swept;
}

}  // namespace

std::vector<SweepPoint> sweep_points(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                                     const std::vector<std::string>& sweeps) {
  std::vector<SweptKey> keys;
  std::set<std::string> seen;
  for (const std::string& sweep : sweeps) {
    keys.push_back(parse_sweep(sweep));
    if (!seen.insert(keys.back().key).second) throw Error("--sweep " + keys.back().key + " is given twice");
  }
  std::vector<SweepPoint> grid(1);
  for (const SweptKey& swept : keys) {
    const std::string leaf = swept.key.substr(swept.key.rfind('.') == std::string::npos ? 0 : swept.key.rfind('.') + 1);
    std::vector<SweepPoint> next;
    for (const SweepPoint& point : grid) {
      for (std::size_t v = 0; v < swept.values.size(); ++v) {
        const std::string& value = swept.values[v];
        SweepPoint extended = point;
        extended.settings.push_back(swept.key + "=" + value);
        if (!extended.name.empty()) extended.name += '-';
        extended.name += leaf + "=" + (plain(value) ? value : "v" + std::to_string(v + 1));
        next.push_back(std::move(extended));
      }
    }
    grid = std::move(next);
  }
  for (SweepPoint& point : grid) {
    std::vector<std::string> all = overrides;
    all.insert(all.end(), point.settings.begin(), point.settings.end());
    point.config = load_config(file, all);
  }
  return grid;
}

}  // namespace mmsim::cli
