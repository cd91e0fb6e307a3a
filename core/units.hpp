// SPDX-License-Identifier: Apache-2.0
// Units and the physics between them: km/h, m/s, m/s², Hz at the motor, metres, durations.
// Parsing of values with explicit units ("3.5 km/h", "0.2 m/s2", "90s", "20min"): bare numbers
// are refused, since a clinician must never wonder whether 4 meant km/h or mph.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace treadd::units {

// ---- physics: the one place each conversion is written ----
inline constexpr double kmh_per_mps = 3.6;
constexpr double kmh_from_mps(double mps) { return mps * kmh_per_mps; }
constexpr double mps_from_kmh(double kmh) { return kmh / kmh_per_mps; }
// A rate of change of speed in m/s² as km/h per second.
constexpr double kmh_per_s(double mps2) { return kmh_from_mps(mps2); }
// Seconds to change speed by `delta_kmh` at `mps2`.
constexpr double seconds_to_change(double delta_kmh, double mps2) { return mps_from_kmh(delta_kmh) / mps2; }
// The belt speed and the motor's output frequency, through the belt's km/h per Hz.
constexpr double hz_from_kmh(double kmh, double kmh_per_hz) { return kmh / kmh_per_hz; }
constexpr double kmh_from_hz(double hz, double kmh_per_hz) { return hz * kmh_per_hz; }

// ---- parsing ----
// The spellings each quantity accepts, and no others, declared once: the parsers read them and
// treadd.yaml(5) lists them (Units.the_manual_lists_exactly_the_spellings_the_parser_accepts).
struct UnitSpelling {
  std::string_view unit;
  double factor;  // to the unit of the parser's name
};
inline constexpr UnitSpelling speed_spellings[] = {{"km/h", 1.0}, {"kmh", 1.0}, {"m/s", kmh_per_mps}};
inline constexpr UnitSpelling acceleration_spellings[] = {{"m/s2", 1.0}, {"m/s^2", 1.0}, {"m/s²", 1.0}};
inline constexpr UnitSpelling duration_spellings[] = {{"ms", 0.001}, {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}};
inline constexpr UnitSpelling distance_spellings[] = {{"m", 1.0}, {"km", 1000.0}};
inline constexpr UnitSpelling frequency_spellings[] = {{"Hz", 1.0}, {"hz", 1.0}};

// A number written with a decimal comma ("3,5 km/h", as many clinicians write it): said so,
// never read as 3 with a unit of ",5 km/h".
bool decimal_comma(std::string_view text);
// Each returns the value in the unit of its name, or nullopt with `why` filled in.
std::optional<double> parse_kmh(std::string_view text, std::string& why);
std::optional<double> parse_mps2(std::string_view text, std::string& why);
std::optional<double> parse_metres(std::string_view text, std::string& why);
std::optional<double> parse_hz(std::string_view text, std::string& why);
std::optional<Millis> parse_duration(std::string_view text, std::string& why);

// ---- text for people ----
// "90s", "20min", "1.5s" -> short human text used in messages.
std::string format_duration(Millis d);
std::string format_kmh(double kmh);

}  // namespace treadd::units
