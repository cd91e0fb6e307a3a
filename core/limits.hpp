// SPDX-License-Identifier: Apache-2.0
// The limits the supervisor enforces, as plain values: the machine's ceilings and safety
// thresholds (machine.yaml), a clinician's profile and program (limits.yaml). Loaded and bounded
// by config/; the core only reads them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/direction.hpp"
#include "core/time.hpp"

namespace treadd {

// Absolute limits of this machine; no clinician value or command may exceed them.
struct Ceilings {
  double forward_max_kmh = 16.0;      // ceilings.forward_max
  double reverse_max_kmh = 8.0;       // ceilings.reverse_max
  double max_accel_mps2 = 0.5;        // ceilings.max_accel
  double max_decel_mps2 = 0.8;        // ceilings.max_decel
  double emergency_decel_mps2 = 1.5;  // ceilings.emergency_decel: drive's fast-stop ramp
  Millis max_session{std::chrono::minutes(60)};  // ceilings.max_session: a whole session, cool-down included
  // A profile's ramps must stop the belt from its cap within max_stop_time and reach its cap from
  // standstill within max_speedup_time: a near-zero decel would make `stop` mean nothing.
  Millis max_stop_time{10000};     // ceilings.max_stop_time
  Millis max_speedup_time{30000};  // ceilings.max_speedup_time
};

// Thresholds of the plausibility and standstill checks (machine.yaml `safety:`).
struct SafetySettings {
  double standstill_kmh = 0.1;                 // safety.standstill_below
  Millis standstill_dwell{2000};               // safety.standstill_dwell
  double overspeed_margin_kmh = 0.5;           // safety.overspeed_margin
  double tracking_tolerance_kmh = 1.5;         // safety.tracking_tolerance
  Millis tracking_time{3000};                  // safety.tracking_time
  Millis link_timeout{500};                    // safety.link_timeout: no valid feedback for this long
  double implausible_step_kmh = 2.0;           // safety.implausible_step: largest jump between two readings
  int max_overruns = 5;                        // safety.max_overruns: consecutive late ticks that latch a fault
  // The drive must report the wrong turn this long above standstill before it latches: a few polls,
  // so one garbled status word is not a fault, yet a drive turning the belt the wrong way from the start is caught below 1 km/h. Not a
  // YAML key: no machine needs it longer.
  Millis wrong_direction_time{100};
};

struct Profile {
  std::string name;
  Direction direction = Direction::reverse;  // direction: default direction at start
  double forward_cap_kmh = 0;                // forward_cap
  double reverse_cap_kmh = 0;                // reverse_cap
  double start_speed_kmh = 0.5;              // start_speed
  double accel_mps2 = 0.2;                   // accel
  double decel_mps2 = 0.3;                   // decel
  double reverse_accel_mps2 = 0.15;          // reverse_accel
  double reverse_decel_mps2 = 0.25;          // reverse_decel
  Millis session_time{std::chrono::minutes(20)};    // session_time
  Millis warning_before_end{std::chrono::minutes(1)};  // warning_before_end
  double cooldown_speed_kmh = 1.0;           // cooldown_speed
  Millis cooldown_time{std::chrono::minutes(1)};    // cooldown_time
  Millis max_pause{std::chrono::minutes(5)};        // max_pause
  std::optional<double> max_distance_m;      // max_distance
  std::optional<Millis> rest_between;        // rest_between
  std::optional<Millis> presence_timeout;    // operator_presence
  std::optional<double> max_step_kmh;        // max_step: largest step between two targets (the gate)

  double cap_kmh(Direction d) const { return d == Direction::forward ? forward_cap_kmh : reverse_cap_kmh; }
  double accel_for(Direction d) const { return d == Direction::forward ? accel_mps2 : reverse_accel_mps2; }
  double decel_for(Direction d) const { return d == Direction::forward ? decel_mps2 : reverse_decel_mps2; }
  bool operator==(const Profile&) const = default;
};

struct Segment {
  Direction direction = Direction::reverse;
  double speed_kmh = 0;
  Millis duration{0};
  bool operator==(const Segment&) const = default;
};

struct Program {
  std::string name;
  std::string profile;
  std::vector<Segment> segments;  // `repeat` blocks are expanded at load time
  bool operator==(const Program&) const = default;
};

}  // namespace treadd
