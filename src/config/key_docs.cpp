#include "config/key_docs.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "config/sections.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim::config {
namespace {

constexpr const char* kTopLevel = "top level";
const std::string kBegin = "<!-- keys: ";
const std::string kBeginEnd = " -->\n";
const std::string kEnd = "<!-- end keys -->\n";

/// The docs rows of every section, in to_yaml's order; a row's key is
/// relative to its section.
std::vector<std::pair<std::string, std::vector<KeyDoc>>> sections() {
  const Config defaults;
  std::vector<KeyDoc> rows;
  document_keys(config_keys(), defaults, "", rows);
  std::vector<std::pair<std::string, std::vector<KeyDoc>>> tables;
  for (KeyDoc& row : rows) {
    // A key's section is its first component.
    const std::size_t dot = row.key.find('.');
    const std::string section = dot == std::string::npos ? kTopLevel : row.key.substr(0, dot);
    if (dot != std::string::npos) row.key.erase(0, dot + 1);
    if (tables.empty() || tables.back().first != section) tables.push_back({section, {}});
    tables.back().second.push_back(std::move(row));
  }
  return tables;
}

/// A table cell: a '|' would end it.
std::string cell(const std::string& text) {
  std::string escaped;
  for (const char c : text) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
  return escaped;
}

std::string markdown_table(const std::vector<KeyDoc>& rows) {
  std::string table = "| key | default | allowed | meaning |\n| --- | --- | --- | --- |\n";
  for (const KeyDoc& row : rows) {
    table += "| `" + row.key + "` | " + cell(row.default_value) + " | " + cell(row.allowed) + " | " +
             cell(row.meaning) + " |\n";
  }
  return table;
}

}  // namespace

std::string with_key_tables(const std::string& markdown) {
  const auto tables = sections();
  std::set<std::string> written;
  std::string out;
  std::size_t at = 0;
  for (std::size_t begin = markdown.find(kBegin); begin != std::string::npos; begin = markdown.find(kBegin, at)) {
    const std::size_t name_end = markdown.find(kBeginEnd, begin);
    if (name_end == std::string::npos) throw Error("a '" + kBegin + "' marker without its '" + kBeginEnd + "'");
    const std::string name = markdown.substr(begin + kBegin.size(), name_end - begin - kBegin.size());
    const auto table = std::find_if(tables.begin(), tables.end(), [&](const auto& t) { return t.first == name; });
    if (table == tables.end()) throw Error("the key table marker '" + name + "' names no config section");
    const std::size_t end = markdown.find(kEnd, name_end);
    if (end == std::string::npos) throw Error("the key table of '" + name + "' has no '" + kEnd + "' line");
    out += markdown.substr(at, name_end + kBeginEnd.size() - at) + markdown_table(table->second);
    at = end;
    written.insert(name);
  }
  out += markdown.substr(at);
  for (const auto& [name, rows] : tables) {
    if (written.count(name) == 0) throw Error("no key table for the config section '" + name + "'");
  }
  return out;
}

}  // namespace mmsim::config
