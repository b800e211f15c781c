#include "mmsim/core/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fstream>
#include <random>
#include <string>

#include "mmsim/core/error.hpp"

namespace mmsim {

void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error("cannot write " + file.string() + ": " + std::strerror(errno));
}

std::filesystem::path temporary_path_for(const std::filesystem::path& target) {
  std::random_device entropy;
  return target.string() + ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(entropy());
}

void write_file_atomically(const std::filesystem::path& file, std::initializer_list<std::string_view> parts) {
  std::error_code error;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), error);
    if (error) throw Error("cannot create " + file.parent_path().string() + ": " + error.message());
  }
  const std::filesystem::path temporary = temporary_path_for(file);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    for (const std::string_view part : parts) out.write(part.data(), static_cast<std::streamsize>(part.size()));
    out.close();
    if (!out) {
      const std::string reason = std::strerror(errno);
      std::filesystem::remove(temporary, error);
      throw Error("cannot write " + file.string() + ": " + reason);
    }
  }
  std::filesystem::rename(temporary, file, error);
  if (error) {
    const std::string reason = "cannot rename " + temporary.string() + " to " + file.string() + ": " + error.message();
    std::filesystem::remove(temporary, error);
    throw Error(reason);
  }
}

void replace_directory(const std::filesystem::path& temporary, const std::filesystem::path& dir) {
  std::error_code ignored;
  const std::filesystem::path old = dir.string() + ".old";
  std::filesystem::remove_all(old, ignored);
  if (std::filesystem::exists(dir)) std::filesystem::rename(dir, old);
  std::filesystem::rename(temporary, dir);
  std::filesystem::remove_all(old, ignored);
}

DirectoryLock::DirectoryLock(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / ".mmsim.lock";
  descriptor_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor_ < 0) throw Error("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
    const int reason = errno;
    char holder[32] = {};
    const ssize_t read = ::pread(descriptor_, holder, sizeof holder - 1, 0);
    ::close(descriptor_);
    if (reason == EWOULDBLOCK) {
      throw Error(dir.string() + " is in use by another mmsim process" +
                  (read > 0 ? " (process " + std::string(holder) + ")" : std::string()) +
                  ": wait for it to end, or train under another train.name");
    }
    throw Error("cannot lock " + file.string() + ": " + std::strerror(reason));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(descriptor_, 0) != 0 ||
      ::pwrite(descriptor_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int reason = errno;
    ::close(descriptor_);
    throw Error("cannot write " + file.string() + ": " + std::strerror(reason));
  }
}

DirectoryLock::~DirectoryLock() {
  if (descriptor_ >= 0) ::close(descriptor_);  // closing releases the flock
}

void append_line(std::ofstream& log, const std::filesystem::path& file, const std::string& line) {
  // Every line is flushed, so the file's size is where its last whole line ends.
  std::error_code unknown_size;
  const std::uintmax_t whole = std::filesystem::file_size(file, unknown_size);
  log << line << '\n';
  log.flush();
  if (log) return;
  const std::string reason = std::strerror(errno);
  std::error_code ignored;
  if (!unknown_size) std::filesystem::resize_file(file, whole, ignored);
  throw Error("cannot write " + file.string() + ": " + reason);
}

}  // namespace mmsim
