#pragma once
// printf-style formatting for the files that see libtorch's headers, whose
// bundled fmt differs from the system's.

#include <string>

namespace mmsim {

/// Formats like std::snprintf; output longer than 1023 characters is cut.
std::string format(const char* pattern, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/// format(pattern, value), or "-" for NaN (a value that does not exist, such
/// as the mean of no episodes).
std::string format_or_dash(const char* pattern, double value);

}  // namespace mmsim
