#pragma once
// The names of an enum's values as config files write them. Every choice key
// has one table, declared next to its enum as `enum_names(Enum)` (found by
// argument-dependent lookup): the config parser, to_string, to_yaml and the
// key tables of docs/configuration.md all read it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mmsim/core/error.hpp"

namespace mmsim {

template <class Enum>
struct EnumName {
  Enum value;
  const char* name;
};

/// The N named values of Enum, in the order error messages and docs list them.
template <class Enum, std::size_t N>
struct EnumTable {
  EnumName<Enum> entries[N];

  /// The name of `value`. A value the table lacks is a bug: InternalError.
  const char* name(Enum value) const {
    for (const EnumName<Enum>& entry : entries) {
      if (entry.value == value) return entry.name;
    }
    fail_assert("value in its enum table", __FILE__, __LINE__,
                "enum value " + std::to_string(static_cast<long long>(value)) + " has no name");
  }

  /// The value named `name` (case-sensitive), or nothing.
  std::optional<Enum> find(std::string_view name) const {
    for (const EnumName<Enum>& entry : entries) {
      if (name == entry.name) return entry.value;
    }
    return std::nullopt;
  }

  /// Every value, in table order.
  std::vector<Enum> values() const {
    std::vector<Enum> all;
    for (const EnumName<Enum>& entry : entries) all.push_back(entry.value);
    return all;
  }

  /// "a, b, c": every name, in table order.
  std::string names() const {
    std::string list;
    for (const EnumName<Enum>& entry : entries) list += (list.empty() ? "" : ", ") + std::string(entry.name);
    return list;
  }

  /// Why `text` names no value: "'text' is not one of: a, b, c".
  std::string rejection(std::string_view text) const {
    return "'" + std::string(text) + "' is not one of: " + names();
  }

  /// The value named `text`; ConfigError naming `key` otherwise.
  Enum parse(std::string_view text, const std::string& key) const {
    const std::optional<Enum> value = find(text);
    if (!value) throw ConfigError(key, rejection(text));
    return *value;
  }
};

/// An EnumTable whose size is the number of entries given.
template <class Enum, std::size_t N>
constexpr EnumTable<Enum, N> enum_table(const EnumName<Enum> (&entries)[N]) {
  EnumTable<Enum, N> table{};
  for (std::size_t i = 0; i < N; ++i) table.entries[i] = entries[i];
  return table;
}

}  // namespace mmsim
