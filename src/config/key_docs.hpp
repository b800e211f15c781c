#pragma once
// The key tables of docs/configuration.md, generated from the config key
// tables (config/keys.hpp).

#include <string>

namespace mmsim::config {

/// `markdown` with the lines between each `<!-- keys: SECTION -->` line and
/// the next `<!-- end keys -->` line replaced by the table of SECTION's keys
/// (`top level` for the keys outside every section). Throws Error for a marker
/// that names no section, a marker without its end, or a section without a
/// table.
std::string with_key_tables(const std::string& markdown);

}  // namespace mmsim::config
