#pragma once
// File-system helpers for results that must never be left half-written.

#include <filesystem>

namespace mmsim {

/// Moves the finished directory `temporary` to `dir`, replacing what was
/// there: the old directory is renamed aside first and removed last, so that
/// `dir` is at every moment either the old content or the new.
void replace_directory(const std::filesystem::path& temporary, const std::filesystem::path& dir);

}  // namespace mmsim
