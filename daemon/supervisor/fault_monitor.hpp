// SPDX-License-Identifier: Apache-2.0
// Plausibility checks on drive feedback (Klipper-style: compare what was asked with what was
// measured over a window). Detection only: it reports every condition that holds and decides
// nothing (the safety policy does). Pure: fed readings and times, never reads a clock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/supervisor/conditions.hpp"

namespace treadd {

struct MotionReference {
  Direction direction = Direction::reverse;  // the way the drive is told to turn
  double commanded_kmh = 0;
  double overspeed_cap_kmh = 0;  // the active cap for the belt's direction
  bool driving = false;          // the drive is told to run (tracking is checked only then)
};

class FaultMonitor {
 public:
  explicit FaultMonitor(const SafetySettings& settings) : settings_(settings) {}

  // Every condition this tick reveals, in the order a fault is named by: the loop, the conditions
  // that outlast a stopped belt (standing), the drive's restarts and link, then its readings.
  Conditions evaluate(const TickInputs& in, const MotionReference& ref, TimePoint now);
  // The conditions one reading shows at `now` and that outlast a stopped belt (a link down or
  // silent, the drive's trip, the safety key out, a drive setting lost): the ones a reset waits for.
  Conditions standing(const DriveFeedback& fb, TimePoint now) const;
  // After a reset: the readings before the latch are not compared with the ones after it.
  void clear();

 private:
  SafetySettings settings_;
  std::optional<std::uint32_t> drive_restarts_;
  std::optional<TimePoint> wrong_turn_since_;
  std::uint64_t last_sequence_ = 0;
  std::optional<std::uint32_t> link_generation_;
  std::optional<double> last_measured_;
  std::optional<TimePoint> tracking_since_;
  int overruns_in_a_row_ = 0;
  std::optional<TimePoint> last_check_;  // the previous tick: a long gap is a stalled loop
};

}  // namespace treadd
