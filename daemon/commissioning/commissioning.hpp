// SPDX-License-Identifier: Apache-2.0
// The commissioning check a technician runs once per drive (`treadd --commission`), with the belt
// unloaded: every safety parameter of the profile read back, every panel-only setting confirmed,
// then belt runs that prove what the drive really does — feedback against command in both
// directions (and the belt's direction by the technician's eyes: no register shows a swapped motor
// phase), the normal stop, the emergency stop from 1.5 km/h and from the reverse ceiling, and the
// drive stopping the belt by itself when treadd goes silent. treadd refuses sessions until the last
// check passed. An e-stop (the e-stop socket, Ctrl-C, a hang-up) ends it at once with the fast stop.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "config/loader.hpp"
#include "daemon/records/commissioning_record.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

struct CommissioningIo {
  // A yes/no answer from the technician; nullopt when no answer can come (end of input).
  std::function<std::optional<bool>(const std::string& question)> ask;
  // A value read off the panel, for the report; nullopt at end of input.
  std::function<std::optional<std::string>(const std::string& prompt)> ask_value;
  std::function<void(const std::string& line)> say;  // progress, one line at a time
  // Set (from another thread) when the technician stops it: the e-stop socket, a signal.
  const std::atomic<bool>* stopped = nullptr;
  std::string technician;
  std::string answered_by;  // "the technician at a terminal" or "a script (--answers-from-stdin)", for the report
};

// The belt never runs faster than this during the slow checks (and never above a ceiling); the
// e-stop is also timed from the reverse ceiling, the fastest a patient can run backward.
constexpr double commissioning_max_kmh = 1.5;

// `rec.drive_answered` is false when the drive never answered: nothing was proven and the last
// report stays (the caller writes none).
struct CommissioningOutcome {
  CommissioningRecord record;
  bool drive_answered = true;
};

// Called once the drive answers and before anything else is asked or moved: the caller withdraws
// the last report here (withdraw_commissioning_record), so nothing can leave an old pass in force.
CommissioningOutcome commission(const FullConfig& config, MotorDrive& drive, const CommissioningIo& io,
                                const std::function<void(const CommissioningRecord&)>& before_checks);

}  // namespace treadd
