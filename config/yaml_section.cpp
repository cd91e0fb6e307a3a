// SPDX-License-Identifier: Apache-2.0
#include "config/yaml_section.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <map>
#include <vector>

#include "core/spelling.hpp"
#include "core/units.hpp"

namespace treadd {

std::optional<TextPosition> first_invalid_utf8(std::string_view text) {
  TextPosition at;
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    std::uint32_t lowest = 0;
    if (b < 0x80) len = 1;
    else if ((b & 0xE0) == 0xC0) len = 2, lowest = 0x80;
    else if ((b & 0xF0) == 0xE0) len = 3, lowest = 0x800;
    else if ((b & 0xF8) == 0xF0) len = 4, lowest = 0x10000;
    else return at;  // a continuation byte with no lead, or 0xF8..0xFF
    if (i + len > text.size()) return at;
    std::uint32_t code = len == 1 ? b : b & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return at;
      code = (code << 6) | (c & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (code < lowest || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return at;
    if (b == '\n') {
      ++at.line0;
      at.column0 = 0;
    } else {
      ++at.column0;
    }
    i += len;
  }
  return std::nullopt;
}

void check_duplicate_keys(const YAML::Node& node, Diagnostics& diag, int depth) {
  // Deeper than any treadd file goes; also keeps a hostile file from recursing without bound.
  if (depth > 32) return;
  if (node.IsMap()) {
    std::map<std::string, YAML::Mark> first_seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar()) {
        const std::string key = kv.first.Scalar();
        auto [it, inserted] = first_seen.emplace(key, kv.first.Mark());
        if (!inserted) {
          diag.error(kv.first.Mark().line, kv.first.Mark().column,
                     "the key '" + key + "' is given twice in one mapping (lines " +
                         std::to_string(it->second.line + 1) + " and " + std::to_string(kv.first.Mark().line + 1) +
                         "); keep one, so nobody has to guess which value is in force");
        }
      }
      check_duplicate_keys(kv.second, diag, depth + 1);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) check_duplicate_keys(item, diag, depth + 1);
  }
}

YamlSection::YamlSection(const YAML::Node& node, std::string path, Diagnostics& diag)
    : node_(node), path_(std::move(path)), diag_(diag) {
  if (!node_.IsMap()) {
    valid_ = false;
    error(node_.Mark(), path_ + " must be a mapping of 'key: value' lines");
  }
}

void YamlSection::error(const YAML::Mark& mark, const std::string& message) {
  diag_.error(mark.line, mark.column, message);
}

void YamlSection::error_at(const std::string& key, const std::string& message) {
  error(mark_of(key), message);
}

YAML::Mark YamlSection::mark_of(const std::string& key) const {
  if (valid_) {
    for (const auto& kv : node_) {
      if (kv.first.Scalar() == key) return kv.second.Mark();
    }
  }
  return node_.Mark();
}

YAML::Node YamlSection::child(const std::string& key) {
  known_.insert(key);
  if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& kv : node_) {
    if (kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::optional<std::string> YamlSection::scalar(const std::string& key, Need need) {
  YAML::Node value = child(key);
  if (!valid_) return std::nullopt;
  if (!value.IsDefined() || value.IsNull()) {
    if (need == Need::required) error(node_.Mark(), path_ + " is missing the required key '" + key + "'");
    return std::nullopt;
  }
  if (!value.IsScalar()) {
    error(value.Mark(), path_ + "." + key + " must be a single value, not a list or mapping");
    return std::nullopt;
  }
  return value.Scalar();
}

template <class T, class Parse>
bool YamlSection::with_unit(const std::string& key, T& out, Need need, Parse parse) {
  auto text = scalar(key, need);
  if (!text) return false;
  std::string why;
  auto parsed = parse(*text, why);
  if (!parsed) {
    error_at(key, path_ + "." + key + ": " + why);
    return false;
  }
  if (*parsed <= T{}) {
    error_at(key, path_ + "." + key + " must be greater than zero, got '" + *text + "'");
    return false;
  }
  out = *parsed;
  return true;
}

bool YamlSection::speed(const std::string& key, double& out, Need need) {
  return with_unit(key, out, need, units::parse_kmh);
}
bool YamlSection::accel(const std::string& key, double& out, Need need) {
  return with_unit(key, out, need, units::parse_mps2);
}
bool YamlSection::duration(const std::string& key, Millis& out, Need need) {
  return with_unit(key, out, need, units::parse_duration);
}
bool YamlSection::metres(const std::string& key, double& out, Need need) {
  return with_unit(key, out, need, units::parse_metres);
}
bool YamlSection::hertz(const std::string& key, double& out, Need need) {
  return with_unit(key, out, need, units::parse_hz);
}

bool YamlSection::ratio(const std::string& key, double& out, Need need) {
  auto text = scalar(key, need);
  if (!text) return false;
  double value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || !std::isfinite(value) || value <= 0) {
    error_at(key, path_ + "." + key + " must be a positive number, got '" + *text + "'" +
                      (units::decimal_comma(*text) ? ": write a decimal point, not a comma" : ""));
    return false;
  }
  out = value;
  return true;
}

bool YamlSection::integer(const std::string& key, int& out, Need need, int min, int max) {
  auto text = scalar(key, need);
  if (!text) return false;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max) {
    error_at(key, path_ + "." + key + " must be a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", got '" + *text + "'");
    return false;
  }
  out = value;
  return true;
}

bool YamlSection::text(const std::string& key, std::string& out, Need need) {
  auto value = scalar(key, need);
  if (!value) return false;
  if (value->empty()) {
    error_at(key, path_ + "." + key + " must not be empty");
    return false;
  }
  out = *value;
  return true;
}

bool YamlSection::direction(const std::string& key, Direction& out, Need need) {
  auto value = scalar(key, need);
  if (!value) return false;
  if (auto d = parse_direction(*value)) {
    out = *d;
    return true;
  }
  error_at(key, path_ + "." + key + " must be " + direction_words + ", got '" + *value + "'");
  return false;
}

void YamlSection::finish() {
  if (!valid_) return;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (known_.count(key)) continue;
    std::string accepted, nearest;
    // A typo: the accepted key within two edits (and not a short word turned into another).
    const std::size_t limit = std::min<std::size_t>(2, key.size() / 3);
    std::size_t best = limit + 1;
    for (const auto& k : known_) {
      accepted += (accepted.empty() ? "" : ", ") + k;
      if (const std::size_t d = edit_distance(key, k); d < best) {
        best = d;
        nearest = k;
      }
    }
    if (best > limit) nearest.clear();
    error(kv.first.Mark(), path_ + " has an unknown key '" + key + "'" +
                               (nearest.empty() ? "" : ": did you mean '" + nearest + "'?") + " (accepted: " + accepted + ")");
  }
}

}  // namespace treadd
