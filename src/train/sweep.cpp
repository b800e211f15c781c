#include "mmsim/train/sweep.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "mmsim/core/error.hpp"

namespace mmsim::train {
namespace {

/// A value that can stand in a directory name as it is.
bool plain(const std::string& value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '-';
  });
}

bool in_section(const std::string& key, const std::string& section) {
  return key == section || key.rfind(section + ".", 0) == 0;
}

}  // namespace

SweepKeyRule sweep_key_rule(const std::string& key) {
  for (const char* shared : {"data", "features", "split", "lstm"}) {
    if (in_section(key, shared)) return SweepKeyRule::shared_data;
  }
  if (key == "seed") return SweepKeyRule::seed;
  if (key == "train.name" || key == "train.run_dir") return SweepKeyRule::run_name;
  return SweepKeyRule::allowed;
}

std::vector<SweepPoint> sweep_grid(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                                   const std::vector<SweepAxis>& axes) {
  std::set<std::string> seen;
  for (const SweepAxis& axis : axes) {
    if (sweep_key_rule(axis.key) != SweepKeyRule::allowed) {
      throw Error("sweep over " + axis.key + ": the runs of a sweep share their data, seed and naming");
    }
    if (!seen.insert(axis.key).second) throw Error("sweep over " + axis.key + ": the key is given twice");
    if (axis.values.empty()) throw Error("sweep over " + axis.key + ": no values");
    for (const std::string& value : axis.values) {
      if (value.empty()) throw Error("sweep over " + axis.key + ": an empty value");
    }
  }
  std::vector<SweepPoint> grid(1);
  for (const SweepAxis& axis : axes) {
    const std::string leaf = axis.key.substr(axis.key.rfind('.') == std::string::npos ? 0 : axis.key.rfind('.') + 1);
    std::vector<SweepPoint> next;
    for (const SweepPoint& point : grid) {
      for (std::size_t v = 0; v < axis.values.size(); ++v) {
        const std::string& value = axis.values[v];
        SweepPoint extended = point;
        extended.settings.push_back(axis.key + "=" + value);
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

}  // namespace mmsim::train
