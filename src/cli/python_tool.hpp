#pragma once
// Runs the project's Python tools (tools/*.py) with the virtual environment
// made by tools/setup.sh: the machine's own python3 may lack numpy.

#include <filesystem>
#include <string>

namespace mmsim::cli {

/// Runs `python tools/<tool> <argument>` with the venv's interpreter
/// ($MMSIM_VENV/bin/python, else
/// ${XDG_DATA_HOME:-~/.local/share}/mmsim/venv/bin/python); returns true on
/// success. `command` receives the command line, for a message saying how to
/// run it by hand.
bool run_python_tool(const std::string& tool, const std::filesystem::path& argument, std::string* command);

}  // namespace mmsim::cli
