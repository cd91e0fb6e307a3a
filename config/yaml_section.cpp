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
    return;
  }
  // A key given twice (an error of its own: check_duplicate_keys) holds two values, and a reader
  // takes the first: whichever the clinician meant, a check built on it could be false.
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second) unsound_.insert(kv.first.Scalar());
  }
}

void YamlSection::error(const YAML::Mark& mark, const std::string& message) {
  diag_.error(mark.line, mark.column, message);
}

void YamlSection::error_at(const std::string& key, const std::string& message) {
  unsound_.insert(key);
  error(mark_of(key), message);
}

void YamlSection::missing(const std::string& key, const std::string& message) {
  unsound_.insert(key);
  missing_[key] = Missing{diag_.all().size(), message.empty() ? "'" + key + "' is required" : message};
  error(node_.Mark(), message.empty() ? path_ + " is missing the required key '" + key + "'" : message);
}

bool YamlSection::sound(std::initializer_list<std::string_view> keys) const {
  return std::all_of(keys.begin(), keys.end(), [this](std::string_view k) { return sound(k); });
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
    if (need == Need::required) missing(key);
    return std::nullopt;
  }
  if (!value.IsScalar()) {
    unsound_.insert(key);
    error(value.Mark(), path_ + "." + key + " must be a single value, not a list or mapping");
    return std::nullopt;
  }
  return value.Scalar();
}

namespace {
bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool starts_with_a_digit(const std::string& s) { return !s.empty() && s[0] >= '0' && s[0] <= '9'; }
}  // namespace

std::optional<std::string> YamlSection::split_by_a_comma(const std::string& key) const {
  if (!valid_ || node_.Style() != YAML::EmitterStyle::Flow) return std::nullopt;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() != key) continue;
    const auto next = std::next(it);
    if (next == node_.end() || !it->second.IsScalar() || !all_digits(it->second.Scalar()) ||
        !starts_with_a_digit(next->first.Scalar()) || !(next->second.IsNull() || !next->second.IsDefined())) {
      return std::nullopt;
    }
    return it->second.Scalar() + "," + next->first.Scalar();
  }
  return std::nullopt;
}

template <class T, class Parse>
bool YamlSection::with_unit(const std::string& key, T& out, Need need, Parse parse) {
  auto text = scalar(key, need);
  if (!text) return false;
  if (const auto written = split_by_a_comma(key)) {
    std::string with_point = *written;
    with_point[with_point.find(',')] = '.';
    error_at(key, path_ + "." + key + ": '" + *written + "' has a decimal comma, and inside { } a comma separates "
                      "entries; write a decimal point: '" + with_point + "'");
    return false;
  }
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
  if (!valid_ || finished_) return;
  finished_ = true;
  std::string previous;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    const std::string before = std::exchange(previous, key);
    if (known_.count(key)) continue;
    // The second half of a number split by a decimal comma, when its first half's key said so
    // (and only then: a reader that took the '4' of '4,5' as a value must not go unreported).
    if (known_.count(before) && !sound(before) && split_by_a_comma(before)) continue;
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
    if (!nearest.empty()) unsound_.insert(nearest);  // what was meant is not what was read
    const std::string message = path_ + " has an unknown key '" + key + "'" +
                                (nearest.empty() ? "" : ": did you mean '" + nearest + "'?") + " (accepted: " + accepted + ")";
    // The required key this one misspells was said to be missing: one mistake, said once, here.
    if (auto m = missing_.find(nearest); !nearest.empty() && m != missing_.end()) {
      diag_.amend(m->second.error, kv.first.Mark().line, kv.first.Mark().column,
                  message.substr(0, message.find(" (accepted: ")) + " (" + m->second.reason + ")");
      missing_.erase(m);
      continue;
    }
    error(kv.first.Mark(), message);
  }
}

}  // namespace treadd
