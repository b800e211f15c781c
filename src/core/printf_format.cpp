#include "mmsim/core/printf_format.hpp"

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

}  // namespace mmsim
