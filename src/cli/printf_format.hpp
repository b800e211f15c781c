#pragma once
// printf-style formatting for the command-line files that see libtorch's
// headers, whose bundled fmt differs from the system's.

#include <string>

namespace mmsim::cli {

/// Formats like std::snprintf; output longer than 1023 characters is cut.
std::string format(const char* pattern, ...);

}  // namespace mmsim::cli
