// SPDX-License-Identifier: Apache-2.0
#include "hal/vfd_model.hpp"

#include <algorithm>
#include <cmath>

namespace treadd {

void VfdModel::command(VfdRun run, Direction direction, double setpoint_hz) {
  run_ = run;
  wanted_direction_ = direction;
  setpoint_hz_ = std::clamp(setpoint_hz, 0.0, p_.max_hz);
  since_command_s_ = 0;
}

void VfdModel::trip(int fault_code) {
  fault_code_ = fault_code;
}

bool VfdModel::reset_fault() {
  if (output_hz_ > 0.01) return false;
  fault_code_ = 0;
  return true;
}

void VfdModel::step(double dt_s) {
  if (dt_s <= 0) return;
  since_command_s_ += dt_s;
  // Comms-loss watchdog: the drive ramps the belt to a stop by itself when the master goes quiet.
  if (p_.watchdog_s > 0 && since_command_s_ > p_.watchdog_s && fault_code_ == 0 && run_ != VfdRun::stop) {
    run_ = VfdRun::stop;
    fault_code_ = watchdog_fault_code;
  }

  double target = 0;
  double rate = p_.decel_hz_per_s;
  if (fault_code_ != 0) {
    // A tripped drive removes torque; the belt coasts down on friction (modelled as the normal decel).
    target = 0;
  } else if (run_ == VfdRun::fast_stop) {
    rate = p_.fast_stop_hz_per_s;
  } else if (run_ == VfdRun::run) {
    // A reversal goes through 0 Hz: ramp down first, then switch the phase order.
    if (wanted_direction_ != direction_) {
      target = 0;
      if (output_hz_ <= 1e-9) direction_ = wanted_direction_;
    } else {
      target = setpoint_hz_;
    }
    if (target > output_hz_) rate = p_.accel_hz_per_s;
  }
  if (output_hz_ < target) {
    output_hz_ = std::min(target, output_hz_ + rate * dt_s);
  } else {
    output_hz_ = std::max(target, output_hz_ - rate * dt_s);
  }
  const double alpha = 1.0 - std::exp(-dt_s / p_.belt_time_constant_s);
  belt_hz_ += (output_hz_ - belt_hz_) * alpha;
  if (belt_hz_ < 1e-6) belt_hz_ = 0;
}

}  // namespace treadd
