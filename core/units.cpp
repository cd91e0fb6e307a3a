// SPDX-License-Identifier: Apache-2.0
#include "core/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace treadd::units {
namespace {

struct Quantity {
  double number;
  std::string unit;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<Quantity> split(std::string_view text) {
  text = trim(text);
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || !std::isfinite(number)) return std::nullopt;
  return Quantity{number, std::string(trim(std::string_view(end, text.data() + text.size() - end)))};
}

}  // namespace

bool decimal_comma(std::string_view text) {
  text = trim(text);
  const std::size_t comma = text.find(',');
  return comma != std::string_view::npos && comma > 0 && comma + 1 < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[comma - 1])) != 0 &&
         std::isdigit(static_cast<unsigned char>(text[comma + 1])) != 0;
}

namespace {

// Looks the unit up among `accepted` (a quantity's spellings).
template <std::size_t N>
std::optional<double> parse_with(std::string_view text, std::string& why, const char* example,
                                 const UnitSpelling (&accepted)[N]) {
  auto q = split(text);
  if (!q) {
    why = "expected a number with a unit, like '" + std::string(example) + "', got '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (q->unit.empty()) {
    why = "'" + std::string(text) + "' has no unit; write it like '" + example + "'";
    return std::nullopt;
  }
  if (decimal_comma(text)) {
    why = "'" + std::string(trim(text)) + "' has a decimal comma; write a decimal point, like '" + example + "'";
    return std::nullopt;
  }
  for (const auto& [unit, factor] : accepted) {
    if (q->unit == unit) return q->number * factor;
  }
  why = "unit '" + q->unit + "' is not accepted here; write it like '" + example + "'";
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_kmh(std::string_view text, std::string& why) {
  return parse_with(text, why, "3.5 km/h", speed_spellings);
}

std::optional<double> parse_mps2(std::string_view text, std::string& why) {
  return parse_with(text, why, "0.2 m/s2", acceleration_spellings);
}

std::optional<double> parse_metres(std::string_view text, std::string& why) {
  return parse_with(text, why, "1500 m", distance_spellings);
}

std::optional<double> parse_hz(std::string_view text, std::string& why) {
  return parse_with(text, why, "50 Hz", frequency_spellings);
}

std::optional<Millis> parse_duration(std::string_view text, std::string& why) {
  auto seconds = parse_with(text, why, "90s", duration_spellings);
  if (!seconds) return std::nullopt;
  return Millis{static_cast<long long>(std::llround(*seconds * 1000.0))};
}

std::string format_duration(Millis d) {
  const auto ms = d.count();
  char buf[48];
  if (ms % 60000 == 0 && ms != 0) {
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(ms / 60000));
  } else if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(ms / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  }
  return buf;
}

std::string format_kmh(double kmh) {
  if (!std::isfinite(kmh)) return "an invalid speed";
  // Shown to one decimal: anything that would print as -0.0 is 0.0.
  if (std::abs(kmh) < 0.05) kmh = 0.0;
  char buf[48];
  // A hostile or mistyped number (1e308) is shown whole in exponent form, never cut off.
  std::snprintf(buf, sizeof buf, std::abs(kmh) < 1e6 ? "%.1f km/h" : "%.3g km/h", kmh);
  return buf;
}

}  // namespace treadd::units
