#pragma once
// Config key tables: one table per config section lists every key once, as
// written in YAML, with the member it fills, its allowed values and a
// one-line doc; the struct's default is the key's default. The tables drive
// parsing (type errors, unknown keys), range checks, to_yaml and the key
// tables of docs/configuration.md (docs/architecture.md).

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace mmsim::config {

/// Where each key's value came from, by full key ("train.gamma"): "file.yaml:12"
/// or "--set train.gamma=2". Keys left at their defaults are absent.
using Origins = std::map<std::string, std::string>;

/// A number for messages and docs: integers in full, others in the shortest
/// form that reads back the same ("3e-5", "0.15").
std::string format_number(double value);

/// The numbers a key allows. Every number must also be finite.
struct Range {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false;
  bool high_open = false;

  static Range any() { return {}; }
  static Range at_least(double low) { return {low, std::numeric_limits<double>::infinity(), false, false}; }
  static Range above(double low) { return {low, std::numeric_limits<double>::infinity(), true, false}; }
  static Range closed(double low, double high) { return {low, high, false, false}; }
  static Range open(double low, double high) { return {low, high, true, true}; }
  /// (low, high]
  static Range above_up_to(double low, double high) { return {low, high, true, false}; }

  bool contains(double value) const {
    return std::isfinite(value) && (low_open ? value > low : value >= low) &&
           (high_open ? value < high : value <= high);
  }
  /// ">= 1", "> 0", "in (0, 1]", "in [1, 1e6]", or "" for any finite number.
  std::string describe() const;
};

/// Reports a failed check as ConfigError: the key, the problem, and where the
/// values involved came from when the config was parsed from YAML.
class Checker {
 public:
  /// `prefix` is the section's key ("train"); `origins` may be null (a struct
  /// checked without a file); `fallback` names the config when no key involved
  /// has an origin.
  explicit Checker(std::string prefix, const Origins* origins = nullptr, std::string fallback = {})
      : prefix_(std::move(prefix)), origins_(origins), fallback_(std::move(fallback)) {}

  /// The full key of `name` ("" = the section itself).
  std::string key(const std::string& name) const;
  Checker child(const std::string& name) const { return Checker(key(name), origins_, fallback_); }

  /// Throws ConfigError for key(name): `problem`, then where key(name) and the
  /// `related` keys (names in this section) got their values.
  [[noreturn]] void fail(const std::string& name, const std::string& problem,
                         const std::vector<std::string>& related = {}) const;

 private:
  std::string prefix_;
  const Origins* origins_;
  std::string fallback_;
};

/// What a parse reads from: the config's name in messages, the directory
/// relative paths resolve against, the --set assignments by key, and the
/// origins it records.
struct ParseSource {
  std::string name;
  std::filesystem::path base_dir;
  std::map<std::string, std::string> overrides;
  Origins origins;
};

/// A YAML mapping being read. Remembers the keys read, so that unknown
/// (misspelt) keys are reported instead of silently ignored, and records where
/// each value came from.
class Reader {
 public:
  Reader(YAML::Node node, std::string prefix, ParseSource* source);

  std::string key(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "." + name; }
  const std::filesystem::path& base_dir() const { return source_->base_dir; }

  /// The value of `name` (undefined or null when absent); marks it known.
  YAML::Node get(const std::string& name);
  Reader child(const std::string& name) { return Reader(get(name), key(name), source_); }

  /// Throws for the first key of the mapping that was never read.
  void reject_unknown() const;

  /// Throws ConfigError for `full_key`, naming the file:line of `at` or the
  /// --set that gave the value.
  [[noreturn]] void fail(const std::string& full_key, const YAML::Node& at, const std::string& problem) const;

  /// A node as one line of YAML, for messages.
  static std::string text(const YAML::Node& node);

 private:
  std::string where(const std::string& full_key, const YAML::Node& at) const;

  YAML::Node node_;
  std::string prefix_;
  ParseSource* source_;
  std::set<std::string> known_;
};

/// One row of a docs key table.
struct KeyDoc {
  std::string key;
  std::string default_value;
  std::string allowed;
  std::string meaning;
};

/// One entry of a table over the section struct S.
template <class S>
class Key {
 public:
  Key(std::string name, std::string doc) : name_(std::move(name)), doc_(std::move(doc)) {}
  virtual ~Key() = default;

  /// The key as written in YAML, relative to its section; "" for keys that
  /// stand in the enclosing section (a flattened sub-struct).
  const std::string& name() const { return name_; }
  const std::string& doc() const { return doc_; }

  /// Reads the key's value into `s`; leaves `s` as it is when the key is absent.
  virtual void read(Reader& section, S& s) const = 0;
  virtual void write(YAML::Emitter& out, const S& s) const = 0;
  /// Fails through `checker` when the value is outside what the key allows.
  virtual void check(const S& s, const Checker& checker) const = 0;
  /// Appends the docs rows of the key, named `prefix` + name.
  virtual void document(const S& defaults, const std::string& prefix, std::vector<KeyDoc>& rows) const = 0;

 private:
  std::string name_;
  std::string doc_;
};

template <class S>
using KeyPtr = std::shared_ptr<const Key<S>>;

/// The keys of one section, in to_yaml's order, and its rules across keys.
template <class S>
struct Table {
  std::vector<KeyPtr<S>> keys;
  /// Checked after every key's own range; null when the section has none.
  void (*cross_check)(const S& s, const Checker& checker) = nullptr;
};

template <class S>
void read_keys(const Table<S>& table, Reader& section, S& s) {
  for (const KeyPtr<S>& key : table.keys) key->read(section, s);
}

template <class S>
void write_keys(const Table<S>& table, YAML::Emitter& out, const S& s) {
  for (const KeyPtr<S>& key : table.keys) key->write(out, s);
}

template <class S>
void check_keys(const Table<S>& table, const S& s, const Checker& checker) {
  for (const KeyPtr<S>& key : table.keys) key->check(s, checker);
  if (table.cross_check != nullptr) table.cross_check(s, checker);
}

template <class S>
void document_keys(const Table<S>& table, const S& defaults, const std::string& prefix, std::vector<KeyDoc>& rows) {
  for (const KeyPtr<S>& key : table.keys) key->document(defaults, prefix, rows);
}

// ---------------------------------------------------------------------------
// Values: how each member type is read, written, described and checked.
// ---------------------------------------------------------------------------

template <class T>
inline constexpr bool kIsNumber = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

template <class T, class = void>
inline constexpr bool kIsChoice = false;
/// A choice: an enum with a name table (config/enum_table.hpp).
template <class T>
inline constexpr bool kIsChoice<T, std::void_t<decltype(enum_names(std::declval<T>()))>> = std::is_enum_v<T>;

/// "an integer", "a non-negative integer" or "a number".
template <class T>
std::string number_noun() {
  if constexpr (std::is_floating_point_v<T>) return "a number";
  if constexpr (std::is_unsigned_v<T>) return "a non-negative integer";
  return "an integer";
}

/// A value as messages and docs show it.
template <class T>
std::string display(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (kIsChoice<T>) {
    return enum_names(value).name(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return format_number(value);
  } else if constexpr (kIsNumber<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else {
    std::string list;
    for (const auto& item : value) list += (list.empty() ? "" : ", ") + display(item);
    return "[" + list + "]";
  }
}

/// A scalar key: a flag, a number, a text or a choice.
template <class S, class T>
class ValueKey final : public Key<S> {
 public:
  /// `noun` describes a text ("a directory"); `accepts` (texts only, may be
  /// null) is its rule, told by the noun.
  ValueKey(std::string name, T S::*member, Range range, std::string noun, bool (*accepts)(const std::string&),
           std::string doc)
      : Key<S>(std::move(name), std::move(doc)), member_(member), range_(range), noun_(std::move(noun)),
        accepts_(accepts) {}

  void read(Reader& section, S& s) const override {
    const YAML::Node node = section.get(this->name());
    if (!node || node.IsNull()) return;
    const std::string key = section.key(this->name());
    if constexpr (kIsChoice<T>) {
      const std::string given = node.IsScalar() ? node.Scalar() : Reader::text(node);
      const auto value = enum_names(T{}).find(given);
      if (!value) section.fail(key, node, enum_names(T{}).rejection(given));
      s.*member_ = *value;
    } else {
      try {
        s.*member_ = node.as<T>();
      } catch (const YAML::Exception&) {
        section.fail(key, node, "expected " + allowed() + ", got '" + Reader::text(node) + "'");
      }
    }
  }

  void write(YAML::Emitter& out, const S& s) const override {
    out << YAML::Key << this->name() << YAML::Value;
    if constexpr (kIsChoice<T>) {
      out << enum_names(s.*member_).name(s.*member_);
    } else {
      out << s.*member_;
    }
  }

  void check(const S& s, const Checker& checker) const override {
    const T& value = s.*member_;
    if constexpr (kIsNumber<T>) {
      if (!range_.contains(static_cast<double>(value))) {
        checker.fail(this->name(), "expected " + allowed() + ", got " + display(value));
      }
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (accepts_ != nullptr && !accepts_(value)) {
        checker.fail(this->name(), "expected " + allowed() + ", got '" + value + "'");
      }
    }
  }

  void document(const S& defaults, const std::string& prefix, std::vector<KeyDoc>& rows) const override {
    const T& value = defaults.*member_;
    std::string shown = std::is_same_v<T, std::string> && display(value).empty() ? "\"\"" : display(value);
    std::string allowed_text = allowed();
    if constexpr (kIsChoice<T>) {
      allowed_text.clear();
      for (const auto& entry : enum_names(T{}).entries) {
        allowed_text += (allowed_text.empty() ? "`" : ", `") + std::string(entry.name) + "`";
      }
    }
    rows.push_back({prefix + this->name(), "`" + shown + "`", allowed_text, this->doc()});
  }

  /// What the key allows, as messages and docs say it.
  std::string allowed() const {
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    if constexpr (kIsChoice<T>) return "one of: " + enum_names(T{}).names();
    if constexpr (kIsNumber<T>) {
      const std::string bounds = range_.describe();
      return number_noun<T>() + (bounds.empty() ? "" : " " + bounds);
    }
    return noun_;
  }

 private:
  T S::*member_;
  Range range_;
  std::string noun_;
  bool (*accepts_)(const std::string&);
};

/// A list key written in flow style ([a, b]): numbers or texts.
template <class S, class Item>
class ListKey final : public Key<S> {
 public:
  /// `item` names one element ("window"); numbers must lie in `range`;
  /// `max_items` = 0 allows any count.
  ListKey(std::string name, std::vector<Item> S::*member, std::string item, Range range, std::size_t max_items,
          std::string doc)
      : Key<S>(std::move(name), std::move(doc)), member_(member), item_(std::move(item)), range_(range),
        max_items_(max_items) {}

  void read(Reader& section, S& s) const override {
    const YAML::Node node = section.get(this->name());
    if (!node || node.IsNull()) return;
    try {
      s.*member_ = node.as<std::vector<Item>>();
    } catch (const YAML::Exception&) {
      section.fail(section.key(this->name()), node, "expected " + allowed() + ", got '" + Reader::text(node) + "'");
    }
  }

  void write(YAML::Emitter& out, const S& s) const override {
    out << YAML::Key << this->name() << YAML::Value << YAML::Flow << s.*member_;
  }

  void check(const S& s, const Checker& checker) const override {
    const std::vector<Item>& items = s.*member_;
    if (max_items_ > 0 && items.size() > max_items_) {
      checker.fail(this->name(), "expected " + allowed() + ", got " + std::to_string(items.size()) + " " + item_ + "s");
    }
    if constexpr (kIsNumber<Item>) {
      for (std::size_t k = 0; k < items.size(); ++k) {
        if (!range_.contains(static_cast<double>(items[k]))) {
          checker.fail(this->name(), "expected " + allowed() + ", got " + item_ + " " + display(items[k]) + " (item " +
                                         std::to_string(k + 1) + ")");
        }
      }
    }
  }

  void document(const S& defaults, const std::string& prefix, std::vector<KeyDoc>& rows) const override {
    rows.push_back({prefix + this->name(), "`" + display(defaults.*member_) + "`", allowed(), this->doc()});
  }

  /// "a list of up to 8 windows >= 1".
  std::string allowed() const {
    std::string text = "a list of " + (max_items_ > 0 ? "up to " + std::to_string(max_items_) + " " : "") + item_ + "s";
    if constexpr (kIsNumber<Item>) {
      const std::string bounds = range_.describe();
      if (!bounds.empty()) text += " " + bounds;
    }
    return text;
  }

 private:
  std::vector<Item> S::*member_;
  std::string item_;
  Range range_;
  std::size_t max_items_;
};

/// When a nested section's values are checked.
enum class Checked {
  on_load,     ///< when the config is parsed
  when_built,  ///< only by what builds from it (the env sections: validate(EnvConfig) when an env is built)
};

/// A nested section: the sub-struct `member` read through its own table,
/// under the key `name`, or in the enclosing mapping when the name is empty.
/// With Sub = S and no member, a YAML mapping over members of S itself
/// (train.clip holds TrainConfig::clip and TrainConfig::clip_max).
template <class S, class Sub>
class SectionKey final : public Key<S> {
 public:
  SectionKey(std::string name, Sub S::*member, const Table<Sub>& table, Checked checked = Checked::on_load)
      : Key<S>(std::move(name), ""), member_(member), table_(&table), checked_(checked) {}

  void read(Reader& section, S& s) const override {
    if (this->name().empty()) {
      read_keys(*table_, section, part(s));
      return;
    }
    Reader child = section.child(this->name());
    read_keys(*table_, child, part(s));
    child.reject_unknown();
  }

  void write(YAML::Emitter& out, const S& s) const override {
    if (this->name().empty()) {
      write_keys(*table_, out, part(s));
      return;
    }
    out << YAML::Key << this->name() << YAML::Value << YAML::BeginMap;
    write_keys(*table_, out, part(s));
    out << YAML::EndMap;
  }

  void check(const S& s, const Checker& checker) const override {
    if (checked_ == Checked::when_built) return;
    check_keys(*table_, part(s), this->name().empty() ? checker : checker.child(this->name()));
  }

  void document(const S& defaults, const std::string& prefix, std::vector<KeyDoc>& rows) const override {
    document_keys(*table_, part(defaults), this->name().empty() ? prefix : prefix + this->name() + ".", rows);
  }

  /// The nested section's table.
  const Table<Sub>& table() const { return *table_; }

 private:
  template <class Struct>
  auto& part(Struct& s) const {
    if constexpr (std::is_same_v<S, Sub>) {
      if (member_ == nullptr) return s;
    }
    return s.*member_;
  }

  Sub S::*member_;
  const Table<Sub>* table_;
  Checked checked_;
};

// ---------------------------------------------------------------------------
// Table entries. Every factory takes the key as written in YAML, the member
// it fills and a one-line doc for docs/configuration.md.
// ---------------------------------------------------------------------------

template <class S>
KeyPtr<S> flag(std::string name, bool S::*member, std::string doc) {
  return std::make_shared<ValueKey<S, bool>>(std::move(name), member, Range::any(), "", nullptr, std::move(doc));
}

/// An integer or a number inside `range`.
template <class S, class T>
KeyPtr<S> number(std::string name, T S::*member, Range range, std::string doc) {
  static_assert(kIsNumber<T>, "number() takes an arithmetic member");
  return std::make_shared<ValueKey<S, T>>(std::move(name), member, range, "", nullptr, std::move(doc));
}

/// A text described by `noun` ("a directory"), accepted by `accepts` when given.
template <class S>
KeyPtr<S> text(std::string name, std::string S::*member, std::string noun, std::string doc,
               bool (*accepts)(const std::string&) = nullptr) {
  return std::make_shared<ValueKey<S, std::string>>(std::move(name), member, Range::any(), std::move(noun), accepts,
                                                    std::move(doc));
}

/// One of the names of the enum's table.
template <class S, class T>
KeyPtr<S> choice(std::string name, T S::*member, std::string doc) {
  static_assert(kIsChoice<T>, "choice() takes an enum with enum_names()");
  return std::make_shared<ValueKey<S, T>>(std::move(name), member, Range::any(), "", nullptr, std::move(doc));
}

/// A flow list of `item`s, numbers inside `range`, at most `max_items` (0 = any count).
template <class S, class Item>
KeyPtr<S> list(std::string name, std::vector<Item> S::*member, std::string item, std::string doc,
               Range range = Range::any(), std::size_t max_items = 0) {
  return std::make_shared<ListKey<S, Item>>(std::move(name), member, std::move(item), range, max_items,
                                            std::move(doc));
}

/// The sub-struct `member` as the nested section `name`.
template <class S, class Sub>
KeyPtr<S> section(std::string name, Sub S::*member, const Table<Sub>& table, Checked checked = Checked::on_load) {
  return std::make_shared<SectionKey<S, Sub>>(std::move(name), member, table, checked);
}

/// The keys of the sub-struct `member` in the enclosing section.
template <class S, class Sub>
KeyPtr<S> flattened(Sub S::*member, const Table<Sub>& table) {
  return std::make_shared<SectionKey<S, Sub>>("", member, table);
}

/// Members of S under the nested section `name`.
template <class S>
KeyPtr<S> group(std::string name, const Table<S>& table) {
  return std::make_shared<SectionKey<S, S>>(std::move(name), nullptr, table);
}

}  // namespace mmsim::config
