// SPDX-License-Identifier: Apache-2.0
// What passes between the supervisor and a drive: plain values, no Modbus, no patients.
#pragma once

#include <cstdint>
#include <optional>

#include "core/direction.hpp"
#include "core/time.hpp"

namespace treadd {

// `fast_stop` is the drive's own emergency ramp (IEC 60204-1 category 1 stop).
enum class Motion { stop, run, fast_stop };
const char* to_string(Motion m);

struct DriveCommand {
  Motion motion = Motion::stop;
  Direction direction = Direction::reverse;
  double setpoint_kmh = 0;  // magnitude; the direction is explicit, never a sign
  bool acknowledge_fault = false;  // ask the drive to clear its latched trip (sent once)
  bool operator==(const DriveCommand&) const = default;
};

// The latest reading the HAL has, as of `received_at`.
struct DriveFeedback {
  std::uint64_t sequence = 0;  // increments with each valid reading
  TimePoint received_at{};
  bool link_up = false;  // the HAL's own verdict (N consecutive failures)
  std::uint32_t link_generation = 0;  // bumped each time the HAL had to reopen the link
  double measured_kmh = 0;
  // The way the drive says the belt turns (its status turn bits or the sign of its output), never
  // the way it was told to: nullopt when it says nothing now (standstill, a turn in progress) or
  // can say nothing at all (see direction_verified).
  std::optional<Direction> turning;
  bool direction_verified = false;  // the drive has a source for `turning` (status bits or a signed output)
  int fault_code = 0;  // 0 = none
  bool safety_key_present = true;
  // Bumped each time the drive is found to have restarted (a power-up counter that went back, or a
  // setting treadd writes that it forgot): a restart mid-session is named as one, not as the speed
  // jump or lost link it also causes.
  std::uint32_t drive_restarts = 0;
  // A setting the drive must hold (a read-only check of its profile, re-read while connected) that it
  // no longer holds: 1-based index into the profile's parameters, 0 = all hold; and what it reads.
  std::uint16_t setting_lost = 0;
  std::uint16_t setting_raw = 0;
};

}  // namespace treadd
