#include "mmsim/core/error.hpp"

#include <sstream>

namespace mmsim {

std::string SourceLocation::describe() const {
  std::ostringstream out;
  out << (file.empty() ? std::string("<input>") : file);
  if (line > 0) out << ':' << line;
  if (column > 0) out << ':' << column;
  if (!column_name.empty()) out << " (column '" << column_name << "')";
  return out.str();
}

InputError::InputError(SourceLocation where, const std::string& problem)
    : Error(where.describe() + ": " + problem), where_(std::move(where)), problem_(problem) {}

ConfigError::ConfigError(const std::string& key, const std::string& problem)
    : Error("config key '" + key + "': " + problem), key_(key) {}

void fail_assert(const char* condition, const char* file, int line, const std::string& detail) {
  std::ostringstream out;
  out << "internal error (a bug in mmsim): " << condition << " failed at " << file << ':' << line;
  if (!detail.empty()) out << ": " << detail;
  throw InternalError(out.str());
}

}  // namespace mmsim
