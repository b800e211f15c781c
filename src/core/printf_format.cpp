#include "mmsim/core/printf_format.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace mmsim {

std::string format(const char* pattern, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(buffer, sizeof buffer, pattern, args);
  va_end(args);
  return buffer;
}

std::string format_or_dash(const char* pattern, double value) {
  return std::isnan(value) ? std::string("-") : format(pattern, value);
}

}  // namespace mmsim
