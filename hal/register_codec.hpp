// SPDX-License-Identifier: Apache-2.0
// Pure translation between drive commands/feedback and a profile's register words.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "config/drive_profile.hpp"
#include "config/line_timing.hpp"
#include "hal/drive_types.hpp"

namespace treadd {

// `words` maps (type, address) to the raw value read. Missing words decode as zero.
using RegisterWords = std::map<std::pair<RegisterType, std::uint16_t>, std::uint16_t>;

struct CommandWords {
  std::uint16_t command = 0;
  std::uint16_t setpoint = 0;
};

CommandWords encode_command(const DriveProfile& p, const DriveCommand& cmd, double kmh_per_hz);


struct DecodedFeedback {
  double measured_kmh = 0;
  std::optional<Direction> direction;  // from the turn bits or a signed output; empty when it says nothing
  int fault_code = 0;
  bool safety_key_present = true;
  std::optional<std::uint16_t> restart_counter;  // restart kind counter: the drive's power-up count
  bool restart_flag = false;                     // restart kind flag_while_running: the flag is set
};

DecodedFeedback decode_feedback(const DriveProfile& p, const RegisterWords& words, double kmh_per_hz);

// ---- the drive's side of the same map ----
// treadsim answers with these, and a test round-trips every shipped profile through both sides, so
// the master and the simulated drive can never read one profile two ways.

// What a drive understands from the command and setpoint words: a run (direction and output Hz,
// never negative), a stop, or a fast stop (only if the profile's fast-stop word differs from stop).
struct DriveOrder {
  Motion motion = Motion::stop;
  std::optional<Direction> direction;  // a run's direction; empty for stops
  double hz = 0;
};
DriveOrder decode_command(const DriveProfile& p, const CommandWords& words);

// What a drive reports: its belt frequency and direction, its fault code (0 = none) and the safety key.
struct DriveState {
  double belt_hz = 0;
  Direction direction = Direction::forward;
  int fault_code = 0;
  bool safety_key_present = true;
  std::uint16_t powered_for_s = 0;   // seconds since power-up (restart kind counter)
  bool switch_on_inhibited = false;  // from power-up until a stop word (restart kind flag_while_running)
};
// The feedback words (and the drive's own fault number register) for that state.
RegisterWords encode_feedback(const DriveProfile& p, const DriveState& state);

double decode_scaled(const ScaledRegister& r, std::uint16_t raw);
std::uint16_t encode_scaled(const ScaledRegister& r, double value);

}  // namespace treadd
