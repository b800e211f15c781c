#include "mmsim/core/files.hpp"

namespace mmsim {

void replace_directory(const std::filesystem::path& temporary, const std::filesystem::path& dir) {
  std::error_code ignored;
  const std::filesystem::path old = dir.string() + ".old";
  std::filesystem::remove_all(old, ignored);
  if (std::filesystem::exists(dir)) std::filesystem::rename(dir, old);
  std::filesystem::rename(temporary, dir);
  std::filesystem::remove_all(old, ignored);
}

}  // namespace mmsim
