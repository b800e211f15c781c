#pragma once
// File-system helpers for results that must never be left half-written.

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mmsim {

/// Writes `bytes` to `file` (replacing it). Throws Error naming the file when
/// it cannot be written.
void write_file(const std::filesystem::path& file, std::string_view bytes);

/// A path beside `target` that no other writer uses (this process's id and a
/// random number appended): where to build a file or directory before it is
/// renamed into place.
std::filesystem::path temporary_path_for(const std::filesystem::path& target);

/// Writes the concatenated `parts` to `file` atomically: into a temporary file
/// beside it, renamed into place, so a reader sees the old file or the whole
/// new one, never a part. Creates the parent directory. Throws Error (and
/// leaves no temporary file) when it cannot.
void write_file_atomically(const std::filesystem::path& file, std::initializer_list<std::string_view> parts);

/// Moves the finished directory `temporary` to `dir`, replacing what was
/// there: the old directory is renamed aside first and removed last, so that
/// `dir` is at every moment either the old content or the new.
void replace_directory(const std::filesystem::path& temporary, const std::filesystem::path& dir);

/// Appends `line` and a newline to the open log `log` of `file` and flushes
/// it. Throws Error naming the file and the system's reason (e.g. "No space
/// left on device") when the write fails, after cutting the file back to
/// its last whole line.
void append_line(std::ofstream& log, const std::filesystem::path& file, const std::string& line);

/// An exclusive lock on a directory, held by this process from construction
/// to destruction (flock on `<dir>/.mmsim.lock`, which names the holder's
/// process id): the system releases it when the process ends, however it
/// ends. Throws Error naming the directory and the holder when another
/// process holds it.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::filesystem::path& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int descriptor_ = -1;
};

}  // namespace mmsim
