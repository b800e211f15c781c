#pragma once
// Errors in two tiers (docs/architecture.md, principle 8): bad input or configuration
// throws an exception that says what was wrong and where; a broken internal
// invariant throws InternalError through MMSIM_ASSERT, in every build type.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace mmsim {

/// Base of every exception mmsim throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where in an input file a problem was found. `line` and `column` are
/// 1-based; 0 means unknown. `column_name` is the header name when known.
struct SourceLocation {
  SourceLocation() = default;
  SourceLocation(std::string file_name, std::int64_t line_number = 0, std::int64_t column_number = 0,
                 std::string name = {})
      : file(std::move(file_name)), line(line_number), column(column_number), column_name(std::move(name)) {}

  std::string file;
  std::int64_t line = 0;
  std::int64_t column = 0;
  std::string column_name;

  /// "file:line:column (column 'name')", leaving out unknown parts.
  std::string describe() const;
};

/// A malformed or invalid input file.
class InputError : public Error {
 public:
  InputError(SourceLocation where, const std::string& problem);
  const SourceLocation& where() const { return where_; }
  const std::string& problem() const { return problem_; }

 private:
  SourceLocation where_;
  std::string problem_;
};

/// A configuration value that is missing, malformed or out of range.
class ConfigError : public Error {
 public:
  ConfigError(const std::string& key, const std::string& problem);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// A failed CUDA call; the message holds the CUDA error name.
class CudaError : public Error {
 public:
  explicit CudaError(const std::string& message, bool out_of_memory = false)
      : Error(message), out_of_memory_(out_of_memory) {}
  /// True when the call failed for want of device memory.
  bool out_of_memory() const { return out_of_memory_; }

 private:
  bool out_of_memory_;
};

/// A broken internal invariant: a bug in mmsim, not in the input.
class InternalError : public Error {
 public:
  using Error::Error;
};

[[noreturn]] void fail_assert(const char* condition, const char* file, int line, const std::string& detail);

}  // namespace mmsim

#define MMSIM_ASSERT(condition, detail)                                     \
  do {                                                                      \
    if (!(condition)) ::mmsim::fail_assert(#condition, __FILE__, __LINE__, (detail)); \
  } while (false)
