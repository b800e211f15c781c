#include "config/keys.hpp"

#include <cstdio>
#include <cstdlib>

#include "mmsim/core/error.hpp"

namespace mmsim::config {

std::string format_number(double value) {
  char text[32];
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e18) {
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  // "3e-05" -> "3e-5": the exponent without its padding, as the docs write it.
  std::string shortest = text;
  const std::size_t e = shortest.find('e');
  if (e != std::string::npos) {
    std::size_t digit = e + 1;
    if (shortest[digit] == '+') shortest.erase(digit, 1);
    if (shortest[digit] == '-') ++digit;
    while (digit + 1 < shortest.size() && shortest[digit] == '0') shortest.erase(digit, 1);
  }
  return shortest;
}

namespace {

/// A range's bound: powers of ten from 1e6 as 1e6, 1e7, ...; others as format_number.
std::string format_bound(double bound) {
  const double magnitude = std::fabs(bound);
  if (magnitude >= 1e6 && std::isfinite(magnitude)) {
    const int exponent = static_cast<int>(std::lround(std::log10(magnitude)));
    if (std::pow(10.0, exponent) == magnitude) return (bound < 0 ? "-1e" : "1e") + std::to_string(exponent);
  }
  return format_number(bound);
}

}  // namespace

std::string Range::describe() const {
  const bool bounded_below = std::isfinite(low);
  const bool bounded_above = std::isfinite(high);
  if (bounded_below && bounded_above) {
    return std::string("in ") + (low_open ? "(" : "[") + format_bound(low) + ", " + format_bound(high) +
           (high_open ? ")" : "]");
  }
  if (bounded_below) return (low_open ? "> " : ">= ") + format_bound(low);
  if (bounded_above) return (high_open ? "< " : "<= ") + format_bound(high);
  return "";
}

std::string Checker::key(const std::string& name) const {
  if (name.empty()) return prefix_;
  return prefix_.empty() ? name : prefix_ + "." + name;
}

void Checker::fail(const std::string& name, const std::string& problem, const std::vector<std::string>& related) const {
  const std::string full_key = key(name);
  std::string where;
  if (origins_ != nullptr) {
    auto add = [&](const std::string& part) { where += (where.empty() ? "" : "; ") + part; };
    const auto own = origins_->find(full_key);
    if (own != origins_->end()) add(own->second);
    for (const std::string& other : related) {
      const auto found = origins_->find(key(other));
      if (found != origins_->end()) add(key(other) + ": " + found->second);
    }
    if (where.empty()) where = fallback_;
  }
  throw ConfigError(full_key, where.empty() ? problem : problem + " (" + where + ")");
}

Reader::Reader(YAML::Node node, std::string prefix, ParseSource* source)
    : node_(std::move(node)), prefix_(std::move(prefix)), source_(source) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) fail(prefix_, node_, "expected a mapping of keys");
}

YAML::Node Reader::get(const std::string& name) {
  known_.insert(name);
  if (!node_ || node_.IsNull()) return YAML::Node();
  const YAML::Node value = node_[name];
  // Values only: a section's keys have their own origins.
  if (value && !value.IsNull() && !value.IsMap()) source_->origins[key(name)] = where(key(name), value);
  return value;
}

void Reader::reject_unknown() const {
  if (!node_ || !node_.IsMap()) return;
  for (const auto& entry : node_) {
    const std::string& name = entry.first.Scalar();
    if (known_.count(name) == 0) {
      std::string allowed;
      for (const std::string& known : known_) allowed += (allowed.empty() ? "" : ", ") + known;
      fail(key(name), entry.first, "unknown key; allowed here: " + allowed);
    }
  }
}

void Reader::fail(const std::string& full_key, const YAML::Node& at, const std::string& problem) const {
  throw ConfigError(full_key, problem + " (" + where(full_key, at) + ")");
}

std::string Reader::where(const std::string& full_key, const YAML::Node& at) const {
  std::string where = source_->name;
  if (at && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
  // A --set of this key or of a section holding it; the most specific one wins.
  for (const auto& [overridden, assignment] : source_->overrides) {
    const bool covers = full_key.compare(0, overridden.size(), overridden) == 0 &&
                        (full_key.size() == overridden.size() || full_key[overridden.size()] == '.' ||
                         full_key[overridden.size()] == '[');
    if (covers) where = "--set " + assignment;
  }
  return where;
}

std::string Reader::text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace mmsim::config
