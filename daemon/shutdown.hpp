// SPDX-License-Identifier: Apache-2.0
// Stopping the daemon (SIGTERM, SIGINT): the belt is ramped down as for a normal stop, and the
// daemon exits once it is at rest — or, past a bound, leaves the rest to the drive's own ramp.
// Pure of I/O and clocks: main.cpp asks it on a timer with the time and whether the belt rests.
#pragma once

#include <optional>

#include "core/time.hpp"

namespace treadd {

class ShutdownSequence {
 public:
  // Longest controlled ramp-down before the drive is simply told to stop: a belt that never comes to
  // rest (a drive that ignores us) must not keep the daemon from exiting.
  static constexpr Millis bound{60000};

  // True the first time only: the caller then commands the stop.
  bool begin(TimePoint now) {
    if (started_) return false;
    started_ = now;
    return true;
  }
  bool started() const { return started_.has_value(); }
  // Whether the daemon may exit now.
  bool may_exit(bool belt_at_rest, TimePoint now) const {
    return started_ && (belt_at_rest || now - *started_ > bound);
  }

 private:
  std::optional<TimePoint> started_;
};

}  // namespace treadd
