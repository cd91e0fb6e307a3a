// Parsing of values with explicit units ("3.5 km/h", "0.2 m/s2", "90s", "20min").
// Bare numbers are refused: a clinician must never wonder whether 4 meant km/h or mph.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/model.hpp"

namespace treadd::units {

// Each returns the value in the unit of its name, or nullopt with `why` filled in.
std::optional<double> parse_kmh(std::string_view text, std::string& why);
std::optional<double> parse_mps2(std::string_view text, std::string& why);
std::optional<double> parse_metres(std::string_view text, std::string& why);
std::optional<double> parse_hz(std::string_view text, std::string& why);
std::optional<Millis> parse_duration(std::string_view text, std::string& why);

// "90s", "20min", "1.5s" -> short human text used in messages.
std::string format_duration(Millis d);
std::string format_kmh(double kmh);

}  // namespace treadd::units
