// SPDX-License-Identifier: Apache-2.0
// A variable-frequency drive driving a belt, as physics: the drive's own ramps, a fast-stop ramp,
// direction reversal only through 0 Hz, a comms-loss watchdog, latched fault codes, and belt inertia.
// Pure and stepped by the caller, so the simulated drive and treadsim share one model.
#pragma once

#include "config/model.hpp"

namespace treadd {

struct VfdParameters {
  double max_hz = 60.0;
  double accel_hz_per_s = 10.0;      // the drive's own ramp (its parameter group 01)
  double decel_hz_per_s = 10.0;
  double fast_stop_hz_per_s = 40.0;  // emergency ramp
  double belt_time_constant_s = 0.15;  // belt and rider inertia: first-order lag behind the motor
  double watchdog_s = 0;               // comms-loss timeout; 0 = off (most drives ship so)
};

enum class VfdRun { stop, run, fast_stop };

class VfdModel {
 public:
  explicit VfdModel(VfdParameters p = {}) : p_(p) {}

  void set_parameters(const VfdParameters& p) { p_ = p; }
  const VfdParameters& parameters() const { return p_; }

  // A command from the master; also feeds the comms-loss watchdog.
  void command(VfdRun run, Direction direction, double setpoint_hz);
  // Any valid telegram from the master feeds the comms-loss watchdog, as on real drives.
  void heard_master() { since_command_s_ = 0; }
  VfdRun run_state() const { return run_; }
  void step(double dt_s);

  void trip(int fault_code);   // latches; the motor coasts
  bool reset_fault();          // only at 0 Hz; returns whether it cleared
  int fault_code() const { return fault_code_; }

  double output_hz() const { return output_hz_; }
  double belt_hz() const { return belt_hz_; }  // what a speed sensor on the belt sees
  Direction direction() const { return direction_; }
  bool running() const { return run_ == VfdRun::run && fault_code_ == 0; }

  static constexpr int watchdog_fault_code = 16;  // "communication loss" on this model

 private:
  VfdParameters p_;
  VfdRun run_ = VfdRun::stop;
  Direction direction_ = Direction::forward;
  Direction wanted_direction_ = Direction::forward;
  double setpoint_hz_ = 0;
  double output_hz_ = 0;
  double belt_hz_ = 0;
  double since_command_s_ = 0;
  int fault_code_ = 0;
};

}  // namespace treadd
