// What passes between the supervisor and a drive: plain values, no Modbus, no patients.
#pragma once

#include <cstdint>

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
  Direction direction = Direction::reverse;
  int fault_code = 0;  // 0 = none
  bool safety_key_present = true;
};

}  // namespace treadd
