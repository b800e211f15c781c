#include "cli/python_tool.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace mmsim::cli {
namespace {

std::filesystem::path venv_python() {
  if (const char* venv = std::getenv("MMSIM_VENV"); venv != nullptr && *venv != '\0') {
    return std::filesystem::path(venv) / "bin" / "python";
  }
  const char* data = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = data != nullptr && *data != '\0' ? std::filesystem::path(data)
                                     : home != nullptr                ? std::filesystem::path(home) / ".local" / "share"
                                                                      : std::filesystem::path(".");
  return base / "mmsim" / "venv" / "bin" / "python";
}

}  // namespace

bool run_python_tool(const std::string& tool, const std::filesystem::path& argument, std::string* command) {
  const std::filesystem::path python = venv_python();
  const std::filesystem::path script = std::filesystem::path(MMSIM_TOOLS_DIR) / tool;
  *command = "'" + python.string() + "' '" + script.string() + "' '" + argument.string() + "'";
  if (!std::filesystem::exists(python) || !std::filesystem::exists(script)) return false;
  // What this process printed so far goes out before the tool's own output.
  std::cout.flush();
  std::fflush(nullptr);
  return std::system(command->c_str()) == 0;
}

}  // namespace mmsim::cli
