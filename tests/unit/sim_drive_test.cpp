// SPDX-License-Identifier: Apache-2.0
// The simulated drive behaves like a VFD plus belt: own ramps, reversal through 0 Hz, fast stop,
// latched trips, comms-loss watchdog, feedback lag, and fault hooks.
#include <gtest/gtest.h>

#include "hal/sim_drive.hpp"

namespace treadd {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  TimePoint now = TimePoint{} + 1h;
  SimDrive::Clock fn() {
    return [this] { return now; };
  }
};

TEST(VfdModel, when_reversal_commanded_while_turning_expect_ramp_through_zero) {
  VfdModel vfd({.max_hz = 60, .accel_hz_per_s = 10, .decel_hz_per_s = 10});
  vfd.command(VfdRun::run, Direction::forward, 20);
  for (int i = 0; i < 300; ++i) vfd.step(0.01);
  ASSERT_NEAR(vfd.output_hz(), 20, 1e-6);
  vfd.command(VfdRun::run, Direction::reverse, 20);
  vfd.step(0.5);
  EXPECT_EQ(vfd.direction(), Direction::forward) << "still turning forward";
  EXPECT_NEAR(vfd.output_hz(), 15, 1e-6);
  for (int i = 0; i < 400; ++i) vfd.step(0.01);
  EXPECT_EQ(vfd.direction(), Direction::reverse);
  EXPECT_NEAR(vfd.output_hz(), 20, 1e-6);
}

TEST(VfdModel, when_master_goes_quiet_expect_watchdog_stops_and_trips) {
  VfdModel vfd({.max_hz = 60, .accel_hz_per_s = 10, .decel_hz_per_s = 10, .watchdog_s = 0.5});
  vfd.command(VfdRun::run, Direction::reverse, 10);
  for (int i = 0; i < 40; ++i) vfd.step(0.01);
  for (int i = 0; i < 200; ++i) vfd.step(0.01);
  EXPECT_EQ(vfd.fault_code(), VfdModel::watchdog_fault_code);
  EXPECT_EQ(vfd.output_hz(), 0);
}

TEST(VfdModel, when_fast_stop_expect_faster_than_normal_decel) {
  VfdModel vfd({.max_hz = 60, .accel_hz_per_s = 10, .decel_hz_per_s = 10, .fast_stop_hz_per_s = 40});
  vfd.command(VfdRun::run, Direction::reverse, 20);
  for (int i = 0; i < 300; ++i) vfd.step(0.01);
  vfd.command(VfdRun::fast_stop, Direction::reverse, 0);
  vfd.step(0.25);
  EXPECT_NEAR(vfd.output_hz(), 10, 1e-6);
}

TEST(SimDrive, when_running_expect_measured_speed_follows_with_lag_and_inertia) {
  FakeClock clock;
  SimDrive drive(SimDriveOptions{}, clock.fn());
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 3.0});
  clock.now += 50ms;
  const double early = drive.feedback().measured_kmh;
  clock.now += 10s;
  DriveFeedback fb = drive.feedback();
  EXPECT_LT(early, 0.5);
  EXPECT_NEAR(fb.measured_kmh, 3.0, 0.01);
  EXPECT_EQ(fb.turning, Direction::reverse);
  EXPECT_TRUE(fb.direction_verified);
  EXPECT_TRUE(fb.link_up);
}

// Commissioning's backstop test, on the MotorDrive interface: a silent treadd sends nothing and
// hears nothing new, the link still up; the drive's own watchdog stops the belt meanwhile.
TEST(SimDrive, when_silent_expect_no_command_delivered_no_new_reading_and_the_watchdog_stops_the_belt) {
  FakeClock clock;
  SimDriveOptions opt;
  opt.vfd.watchdog_s = 0.5;
  SimDrive drive(opt, clock.fn());
  MotorDrive& motor = drive;
  motor.connect();
  for (int i = 0; i < 50; ++i) {  // treadd speaks every 100 ms, well within the watchdog
    motor.command({Motion::run, Direction::reverse, 3.0});
    clock.now += 100ms;
  }
  const DriveFeedback before = motor.feedback();
  ASSERT_NEAR(before.measured_kmh, 3.0, 0.01);
  motor.set_silent(true);
  const auto received = drive.commands_received();
  motor.command({Motion::run, Direction::reverse, 3.0});
  clock.now += 5s;
  const DriveFeedback silent = motor.feedback();
  EXPECT_EQ(drive.commands_received(), received) << "a silent treadd sends nothing";
  EXPECT_TRUE(silent.link_up);
  EXPECT_EQ(silent.sequence, before.sequence) << "and hears nothing new";
  motor.set_silent(false);
  const DriveFeedback after = motor.feedback();
  EXPECT_LT(after.measured_kmh, 0.1) << "the drive's own comms-loss stop stopped the belt";
  EXPECT_EQ(after.fault_code, VfdModel::watchdog_fault_code);
}

TEST(SimDrive, when_link_cut_expect_feedback_goes_stale_and_link_down) {
  FakeClock clock;
  SimDrive drive(SimDriveOptions{}, clock.fn());
  drive.connect();
  const TimePoint before = drive.feedback().received_at;
  drive.cut_link(true);
  clock.now += 1s;
  DriveFeedback fb = drive.feedback();
  EXPECT_FALSE(fb.link_up);
  EXPECT_EQ(fb.received_at, before);
}

TEST(SimDrive, when_fault_injected_expect_code_reported_and_belt_coasts) {
  FakeClock clock;
  SimDrive drive(SimDriveOptions{}, clock.fn());
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 3.0});
  clock.now += 5s;
  drive.inject_fault(7);
  clock.now += 10s;
  DriveFeedback fb = drive.feedback();
  EXPECT_EQ(fb.fault_code, 7);
  EXPECT_LT(fb.measured_kmh, 0.01);
}

TEST(SimDrive, when_emergency_stop_expect_fast_stop_at_once) {
  FakeClock clock;
  SimDriveOptions opt;
  opt.vfd.fast_stop_hz_per_s = 40;
  SimDrive drive(opt, clock.fn());
  drive.connect();
  drive.command({Motion::run, Direction::reverse, 4.0});
  clock.now += 10s;
  drive.emergency_stop();
  clock.now += 1s;
  EXPECT_LT(drive.feedback().measured_kmh, 0.1);
  EXPECT_EQ(drive.model().output_hz(), 0);
}

}  // namespace
}  // namespace treadd
