#pragma once
// Torch objects written to files through mmsim's checked writes.

#include <torch/serialize.h>

#include <filesystem>
#include <sstream>

#include "mmsim/core/files.hpp"

namespace mmsim::train {

/// Serialises `value` (a module, an optimiser: what torch::save takes) in
/// memory, then writes it to `file` with write_file: a failed write (a full
/// disk) throws Error naming the file and the reason, where torch's own file
/// writer would end the process from a destructor.
template <class Value>
void save_torch(const Value& value, const std::filesystem::path& file) {
  std::ostringstream bytes;
  torch::save(value, bytes);
  write_file(file, bytes.str());
}

}  // namespace mmsim::train
