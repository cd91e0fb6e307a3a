// SPDX-License-Identifier: Apache-2.0
#include "config/profile_keys.hpp"

#include <sstream>

namespace treadd {

// clang-format off
const std::array<ProfileKey, 17> profile_keys = {{
  {"direction", Quantity::direction, &Profile::direction, false, "reverse", nullptr, "", {},
   "direction a session starts in"},
  {"reverse_cap", Quantity::speed, &Profile::reverse_cap_kmh, false, "none (forbids reverse)", nullptr,
   "ceilings.reverse_max", &Ceilings::reverse_max_kmh, "highest backward speed; reverse_cap or forward_cap is required"},
  {"forward_cap", Quantity::speed, &Profile::forward_cap_kmh, false, "none (forbids forward)", nullptr,
   "ceilings.forward_max", &Ceilings::forward_max_kmh, "highest forward speed"},
  {"start_speed", Quantity::speed, &Profile::start_speed_kmh, true, "", nullptr, "", {},
   "speed a session starts at (at most the cap of the start direction)"},
  {"accel", Quantity::accel, &Profile::accel_mps2, true, "", nullptr, "ceilings.max_accel", &Ceilings::max_accel_mps2,
   "forward ramp up; must reach the cap within ceilings.max_speedup_time"},
  {"decel", Quantity::accel, &Profile::decel_mps2, true, "", nullptr, "ceilings.max_decel", &Ceilings::max_decel_mps2,
   "forward ramp down; must stop the belt from the cap within ceilings.max_stop_time"},
  {"reverse_accel", Quantity::accel, &Profile::reverse_accel_mps2, false, "accel", &Profile::accel_mps2,
   "ceilings.max_accel", &Ceilings::max_accel_mps2, "backward ramp up (same bound as accel)"},
  {"reverse_decel", Quantity::accel, &Profile::reverse_decel_mps2, false, "decel", &Profile::decel_mps2,
   "ceilings.max_decel", &Ceilings::max_decel_mps2, "backward ramp down (same bound as decel)"},
  {"session_time", Quantity::duration, &Profile::session_time, true, "", nullptr, "ceilings.max_session",
   &Ceilings::max_session, "longest session; with cooldown_time at most ceilings.max_session"},
  {"warning_before_end", Quantity::duration, &Profile::warning_before_end, false, "1min", nullptr, "", {},
   "warning shown this long before the end (shorter than session_time)"},
  {"cooldown_speed", Quantity::speed, &Profile::cooldown_speed_kmh, false, "1 km/h", nullptr, "", {},
   "speed of the automatic cool-down at the end (at most the cap)"},
  {"cooldown_time", Quantity::duration, &Profile::cooldown_time, false, "1min", nullptr, "", {},
   "length of the cool-down"},
  {"max_pause", Quantity::duration, &Profile::max_pause, false, "5min", nullptr, "", {},
   "a longer pause ends the session"},
  {"max_distance", Quantity::distance, &Profile::max_distance_m, false, "none", nullptr, "", {},
   "the session ends after this distance"},
  {"rest_between", Quantity::duration, &Profile::rest_between, false, "none", nullptr, "", {},
   "rest before this profile may start again"},
  {"operator_presence", Quantity::duration, &Profile::presence_timeout, false, "none", nullptr, "", {},
   "the belt ramps to a stop when no operator heartbeat (treadctl hold) came for this long"},
  {"max_step", Quantity::speed, &Profile::max_step_kmh, false, "none", nullptr, "", {},
   "largest step between two targets: a larger `speed` is refused, a program's or resume's larger change is made in steps"},
}};
// clang-format on

std::string_view unit_of(Quantity q) {
  switch (q) {
    case Quantity::direction: return "reverse/forward";
    case Quantity::speed: return "km/h";
    case Quantity::accel: return "m/s²";
    case Quantity::duration: return "duration";
    case Quantity::distance: return "m / km";
  }
  return "";
}

std::string_view json_suffix(Quantity q) {
  switch (q) {
    case Quantity::direction: return "";
    case Quantity::speed: return "_kmh";
    case Quantity::accel: return "_mps2";
    case Quantity::duration: return "_s";
    case Quantity::distance: return "_m";
  }
  return "";
}

std::string json_name(const ProfileKey& k) { return std::string(k.key) + std::string(json_suffix(k.quantity)); }

namespace {
std::string default_of(const ProfileKey& k) { return k.required ? "required" : std::string(k.default_text); }
}  // namespace

std::string profile_keys_markdown() {
  std::ostringstream s;
  s << "| key | unit | default | bounded by | meaning |\n|---|---|---|---|---|\n";
  for (const ProfileKey& k : profile_keys) {
    s << "| `" << k.key << "` | " << unit_of(k.quantity) << " | " << default_of(k) << " | "
      << (k.ceiling_key.empty() ? "" : "`" + std::string(k.ceiling_key) + "`") << " | " << k.meaning << " |\n";
  }
  return s.str();
}

std::string profile_keys_roff() {
  std::ostringstream s;
  for (const ProfileKey& k : profile_keys) {
    s << ".TP\n.B " << k.key << "\n" << unit_of(k.quantity) << "; " << default_of(k);
    if (!k.ceiling_key.empty()) s << "; at most " << k.ceiling_key;
    s << ". " << k.meaning << ".\n";
  }
  std::string out = s.str();
  std::string escaped;
  for (char c : out) {
    if (c == '-') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace treadd
