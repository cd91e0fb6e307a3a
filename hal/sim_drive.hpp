// SPDX-License-Identifier: Apache-2.0
// The built-in simulated drive (`drive.transport: sim`): a VfdModel plus a belt, with a feedback
// lag like a real drive's, and hooks that tests and demos use to inject faults.
#pragma once

#include <vector>
#include <functional>
#include <string>

#include "hal/motor_drive.hpp"
#include "hal/vfd_model.hpp"

namespace treadd {

struct SimDriveOptions {
  double kmh_per_hz = 0.2;
  VfdParameters vfd;
  std::chrono::milliseconds feedback_lag{40};
  std::chrono::milliseconds physics_step{5};
  // What status calls it: on an unconfigured machine it stands in for a drive nobody set up yet.
  std::string description = "simulated drive";
};

class SimDrive final : public MotorDrive {
 public:
  using Clock = std::function<TimePoint()>;
  SimDrive(SimDriveOptions options, Clock clock);

  void connect() override;
  void disconnect() override;
  void command(const DriveCommand& cmd) override;
  void emergency_stop() override;
  DriveFeedback feedback() override;
  std::string describe() const override { return options_.description; }
  // Silent: commands are not delivered and no new reading arrives, the link still up; an
  // emergency stop still goes out.
  void set_silent(bool silent) override { silent_ = silent; }

  // Fault injection (tests, demos).
  void inject_fault(int code);
  void cut_link(bool cut) { link_cut_ = cut; }
  void set_safety_key(bool present) { safety_key_present_ = present; }
  void set_sensor_offset_kmh(double offset) { sensor_offset_kmh_ = offset; }

  const VfdModel& model() const { return vfd_; }
  std::uint64_t commands_received() const { return commands_received_; }

 private:
  void advance();
  void apply(const DriveCommand& cmd);

  SimDriveOptions options_;
  Clock clock_;
  VfdModel vfd_;
  bool connected_ = false;
  bool link_cut_ = false;
  bool silent_ = false;
  bool safety_key_present_ = true;
  double sensor_offset_kmh_ = 0;
  TimePoint simulated_until_{};
  struct Sample {
    TimePoint at;
    double kmh;
    Direction direction;
    int fault;
  };
  // The last few physics samples, a fixed ring: the drive's feedback lag without allocating per tick.
  std::vector<Sample> ring_;
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  DriveFeedback last_;
  std::uint64_t commands_received_ = 0;
};

}  // namespace treadd
