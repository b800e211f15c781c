#include "mmsim/core/files.hpp"

#include <unistd.h>

#include <fstream>
#include <random>
#include <string>

#include "mmsim/core/error.hpp"

namespace mmsim {

void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error("cannot write " + file.string());
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
      std::filesystem::remove(temporary, error);
      throw Error("cannot write " + temporary.string());
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

}  // namespace mmsim
