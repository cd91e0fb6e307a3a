// SPDX-License-Identifier: Apache-2.0
// Typed, unit-checked reading of one YAML mapping, collecting every error with its line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "config/diagnostics.hpp"
#include "config/loader.hpp"
#include "config/model.hpp"

namespace treadd {

enum class Need { required, optional };

class YamlSection {
 public:
  // `path` names the section in messages ("profile 'lumbar-early'", "drive").
  YamlSection(const YAML::Node& node, std::string path, Diagnostics& diag);

  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }
  YAML::Mark mark_of(const std::string& key) const;  // the key's value, or the section itself

  // Each reader leaves `out` unchanged when the key is absent or wrong; returns true if read.
  bool speed(const std::string& key, double& out, Need need);
  bool accel(const std::string& key, double& out, Need need);
  bool duration(const std::string& key, Millis& out, Need need);
  bool metres(const std::string& key, double& out, Need need);
  bool hertz(const std::string& key, double& out, Need need);
  bool integer(const std::string& key, int& out, Need need, int min, int max);
  bool text(const std::string& key, std::string& out, Need need);
  bool direction(const std::string& key, Direction& out, Need need);
  bool ratio(const std::string& key, double& out, Need need);  // a bare positive number (km/h per Hz)

  // Returns the node (or an undefined node) and marks the key as known.
  YAML::Node child(const std::string& key);

  void error(const YAML::Mark& mark, const std::string& message);
  void error_at(const std::string& key, const std::string& message);
  // A required key that is not there (`message`: the default says so by name). Said at the section;
  // if finish() then meets a typo of it, the one error moves there: "did you mean 'segments'?".
  void missing(const std::string& key, const std::string& message = "");
  // Reports keys that no reader asked for, naming the accepted ones. Once: a loader may finish a
  // section early, before checks across its keys, and parse_document finishes every top section.
  void finish();

  // A key is unsound when its value was not read as written: a wrong unit, a value refused (above a
  // ceiling, not a direction), a required key missing, or the key a typo most likely meant. A check
  // that compares keys runs only when all of them are sound: with one unsound, its value is a default
  // the clinician never wrote, and a second error built on it would be false (a cap written
  // "3,5 km/h" then made every program segment "above the reverse cap of 0.0 km/h").
  bool sound(std::string_view key) const { return !unsound_.contains(std::string(key)); }
  bool sound(std::initializer_list<std::string_view> keys) const;

  const std::string& path() const { return path_; }

 private:
  std::optional<std::string> scalar(const std::string& key, Need need);
  // Inside { } a comma separates entries: "speed: 4,5 km/h" reads as speed '4' and a key '5 km/h'.
  // The decimal comma as written ("4,5 km/h") when `key`'s value is such a split, else nothing.
  std::optional<std::string> split_by_a_comma(const std::string& key) const;
  template <class T, class Parse>
  bool with_unit(const std::string& key, T& out, Need need, Parse parse);

  YAML::Node node_;
  std::string path_;
  Diagnostics& diag_;
  std::set<std::string> known_;
  std::set<std::string> unsound_;
  struct Missing {
    std::size_t error;   // its number in diag_
    std::string reason;  // said with the typo that meant it: "'segments' is required", or the caller's words
  };
  std::map<std::string, Missing> missing_;  // the required keys not there
  bool valid_ = true;
  bool finished_ = false;
};

// YAML keeps both of two equal keys in a mapping and a lookup silently takes the first: a cap the
// clinician lowered further down would be ignored. Every mapping of every file is checked.
void check_duplicate_keys(const YAML::Node& node, Diagnostics& diag, int depth = 0);

// The largest configuration file treadd reads: real files are a few kilobytes, and a bigger one
// would cost seconds and gigabytes to parse (checked before parsing, with a clear error).
constexpr std::size_t max_config_bytes = 256 * 1024;

// Where a text stops being UTF-8 (0-based line and column, in characters), if it does: a Latin-1
// profile name would pass YAML and then break every reply that carries it.
struct TextPosition {
  int line0 = 0;
  int column0 = 0;
};
std::optional<TextPosition> first_invalid_utf8(std::string_view text);

// Parses one YAML document and hands its top-level mapping to `fill(top, root, value, diag)`;
// the result holds the value only when the whole file had no error.
template <class T, class Fill>
Loaded<T> parse_document(const std::string& yaml_text, const std::string& file_name, const char* top_name, Fill fill) {
  Diagnostics diag(file_name);
  if (yaml_text.size() > max_config_bytes) {
    diag.error(0, 0, "the file is " + std::to_string(yaml_text.size() / 1024) + " KiB; configuration files may be at most " +
                         std::to_string(max_config_bytes / 1024) + " KiB");
    return {std::nullopt, diag.all()};
  }
  if (const auto bad = first_invalid_utf8(yaml_text)) {
    diag.error(bad->line0, bad->column0,
               "not UTF-8 text (a byte that is not UTF-8 here, e.g. a name saved as Latin-1): save the file as UTF-8");
    return {std::nullopt, diag.all()};
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    diag.error(e.mark.line, e.mark.column, std::string("not valid YAML: ") + e.msg);
    return {std::nullopt, diag.all()};
  }
  // A key given twice is an error, but not the only one worth reading: the rest of the file is
  // checked too, so every error shows at once (the file is refused whatever follows).
  check_duplicate_keys(root, diag);
  T value;
  YamlSection top(root, top_name, diag);
  if (top.valid()) {
    fill(top, root, value, diag);
    top.finish();
  }
  if (!diag.empty()) return {std::nullopt, diag.in_line_order()};
  return {std::move(value), {}};
}

}  // namespace treadd
