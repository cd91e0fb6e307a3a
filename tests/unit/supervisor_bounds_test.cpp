// Boundaries and bounds of the safety rules, pinned exactly: each test here was written for a
// mutant that the scenario tests let through (tools/mutation/mutate.py), so each fails when its
// comparison, clamp or statement in daemon/supervisor/ is changed.
#include <gtest/gtest.h>

#include "tests/unit/supervisor_rig.hpp"

namespace treadd::testing {
namespace {

// ---- the effective profile: bounded by the machine's ceilings and floors ----

TEST(Bounds, the_effective_profile_is_clamped_to_every_ceiling) {
  Rig rig;
  Profile p = test_profile();
  p.forward_cap_kmh = 20;      // ceiling 12
  p.reverse_cap_kmh = 9;       // ceiling 6
  p.accel_mps2 = 2;            // ceiling 0.5
  p.reverse_accel_mps2 = 2;
  p.decel_mps2 = 2;            // ceiling 0.8
  p.reverse_decel_mps2 = 2;
  p.session_time = 90min;      // ceiling 60 min
  ASSERT_TRUE(rig.start(p).accepted);
  const Profile e = *rig.sup.status().profile;
  EXPECT_EQ(e.forward_cap_kmh, 12);
  EXPECT_EQ(e.reverse_cap_kmh, 6);
  EXPECT_EQ(e.accel_mps2, 0.5);
  EXPECT_EQ(e.reverse_accel_mps2, 0.5);
  EXPECT_EQ(e.decel_mps2, 0.8);
  EXPECT_EQ(e.reverse_decel_mps2, 0.8);
  EXPECT_EQ(e.session_time, 60min);
  EXPECT_EQ(e.cooldown_time, 0min) << "no room left for a cool-down within max_session";
}

TEST(Bounds, the_cooldown_is_cut_to_what_is_left_of_max_session) {
  Rig rig;
  Profile p = test_profile();
  p.session_time = 50min;
  p.cooldown_time = std::chrono::hours(1000);
  ASSERT_TRUE(rig.start(p).accepted);
  EXPECT_EQ(rig.sup.status().profile->cooldown_time, 10min);
}

TEST(Bounds, ramps_too_slow_to_matter_are_raised_to_the_machine_floor_per_direction) {
  Rig rig;
  Profile p = test_profile();  // caps: reverse 4, forward 6 km/h
  p.accel_mps2 = p.reverse_accel_mps2 = p.decel_mps2 = p.reverse_decel_mps2 = 1e-9;
  ASSERT_TRUE(rig.start(p).accepted);
  const Profile e = *rig.sup.status().profile;
  // Stop from the cap within max_stop_time (10 s); reach the cap within max_speedup_time (30 s).
  EXPECT_DOUBLE_EQ(e.decel_mps2, 6 / 3.6 / 10);
  EXPECT_DOUBLE_EQ(e.reverse_decel_mps2, 4 / 3.6 / 10);
  EXPECT_DOUBLE_EQ(e.accel_mps2, 6 / 3.6 / 30);
  EXPECT_DOUBLE_EQ(e.reverse_accel_mps2, 4 / 3.6 / 30);
}

TEST(Bounds, a_ramp_floor_never_exceeds_the_ceiling) {
  SupervisorSettings s = test_settings();
  s.ceilings.max_stop_time = 1s;  // 6 km/h in 1 s would need 1.7 m/s2; the ceiling is 0.8
  Rig rig(s);
  Profile p = test_profile();
  p.decel_mps2 = 0.1;
  ASSERT_TRUE(rig.start(p).accepted);
  EXPECT_EQ(rig.sup.status().profile->decel_mps2, 0.8);
}

// ---- "below 0.1 km/h for 2 s": both edges ----

TEST(Bounds, exactly_the_standstill_threshold_is_not_standstill) {
  Rig rig;
  rig.sensor_offset_kmh = 0.1;  // the belt stands, the reading says exactly 0.1 km/h
  rig.run_for(5s);
  EXPECT_FALSE(rig.start().accepted);
  rig.sensor_offset_kmh = 0.099;
  rig.run_for(2100ms);
  EXPECT_TRUE(rig.start().accepted);
}

TEST(Bounds, a_start_is_allowed_exactly_when_the_dwell_has_passed) {
  Rig rig;
  rig.sensor_offset_kmh = 0.5;  // a reading that keeps the belt "moving"
  rig.run_for(1s);
  rig.sensor_offset_kmh = 0;
  rig.tick();  // standstill begins at this tick
  const TimePoint since = rig.now;
  while (rig.now - since < 2s - rig.period) rig.tick();
  EXPECT_FALSE(rig.start().accepted) << "1.98 s of the 2 s dwell";
  rig.tick();
  ASSERT_EQ(rig.now - since, 2s);
  EXPECT_TRUE(rig.start().accepted) << "exactly 2 s";
}

TEST(Bounds, a_stopping_session_ends_only_below_the_threshold) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{2.0});
  rig.run_for(10s);
  rig.send(StopCmd{});
  rig.sensor_offset_kmh = 0.1;  // the belt stops, the reading stays at exactly 0.1 km/h
  rig.run_for(20s);
  EXPECT_EQ(rig.state(), State::stopping);
  rig.sensor_offset_kmh = 0;
  rig.tick();
  EXPECT_EQ(rig.state(), State::idle);
}

// ---- with no session, the machine ceiling of the belt's own direction bounds overspeed ----

TEST(Bounds, with_no_session_overspeed_uses_the_ceiling_of_the_direction_the_belt_runs) {
  // A belt coasting up to 7 km/h with no session (reverse ceiling 6, forward 12, margin 0.5):
  // fine forward, overspeed in reverse.
  for (Direction d : {Direction::forward, Direction::reverse}) {
    Rig rig;
    rig.link_replies = false;  // the readings below are fed by hand
    for (double kmh = 0.5; kmh <= 7.0; kmh += 0.5) {
      rig.fb.sequence++;
      rig.fb.received_at = rig.now + rig.period;
      rig.fb.measured_kmh = kmh;
      rig.fb.direction = d;
      rig.tick();
    }
    EXPECT_EQ(rig.state(), d == Direction::forward ? State::idle : State::faulted) << to_string(d);
  }
}

// ---- after a direction change via stop, the new direction's cap applies ----

TEST(Bounds, after_a_change_via_stop_the_session_runs_under_the_new_directions_cap) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);  // reverse cap 4, forward cap 6
  rig.send(SpeedCmd{2.0});
  rig.run_for(5s);
  ASSERT_TRUE(rig.send(DirectionCmd{Direction::forward, true}).accepted);
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::running; }, 20s));
  EXPECT_EQ(rig.sup.status().direction, Direction::forward);
  EXPECT_TRUE(rig.send(SpeedCmd{5.5}).accepted) << "above the reverse cap, within the forward cap";
  EXPECT_FALSE(rig.send(SpeedCmd{6.5}).accepted);
}

}  // namespace
}  // namespace treadd::testing
