// SPDX-License-Identifier: Apache-2.0
// Boundaries and bounds of the safety rules, pinned exactly: each test here was written for a
// mutant that the scenario tests let through (tools/mutation/mutate.py), so each fails when its
// comparison, clamp or statement in daemon/supervisor/ is changed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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

// Session time reached at the machine's longest session: both limits hold on one tick, and the
// one that stops (max_session) outranks the one that would cool down — no cool-down past the ceiling.
TEST(Bounds, a_session_time_at_the_ceiling_ends_by_max_session_without_a_cool_down) {
  Rig rig;
  Profile p = test_profile();
  p.session_time = 60min;  // the ceiling
  ASSERT_TRUE(rig.start(p).accepted);
  rig.send(SpeedCmd{2.0});
  bool cooled = false;
  ASSERT_TRUE(rig.run_until([&] {
    cooled = cooled || rig.state() == State::cooling_down;
    return rig.state() == State::idle;
  }, 62min));
  EXPECT_FALSE(cooled);
  EXPECT_EQ(rig.sup.status().last_ending->rule, RuleId::max_session);
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
      rig.fb.turning = d;
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
  EXPECT_EQ(rig.sup.status().target_kmh, 0.5) << "the new direction starts at the start speed";
  EXPECT_TRUE(rig.send(SpeedCmd{5.5}).accepted) << "above the reverse cap, within the forward cap";
  EXPECT_FALSE(rig.send(SpeedCmd{6.5}).accepted);
}

TEST(Bounds, a_change_at_standstill_runs_under_the_new_directions_cap_from_zero) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{0.0});
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(DirectionCmd{Direction::forward, false}).accepted);
  EXPECT_EQ(rig.sup.status().target_kmh, 0.0);
  rig.run_for(1s);
  EXPECT_EQ(rig.commanded(), 0.0) << "nothing moves until a speed is set";
  EXPECT_TRUE(rig.send(SpeedCmd{5.5}).accepted);
}

TEST(Bounds, a_direction_without_a_cap_is_refused_at_start_and_on_change) {
  Rig rig;
  Profile p = test_profile();
  p.forward_cap_kmh = 0;
  EXPECT_FALSE(rig.send(StartCmd{p, std::nullopt, Direction::forward}).accepted);
  ASSERT_TRUE(rig.start(p).accepted);
  rig.run_for(3s);
  rig.send(SpeedCmd{0.0});
  rig.run_for(3s);
  EXPECT_FALSE(rig.send(DirectionCmd{Direction::forward, false}).accepted);
}

// ---- times are exact: a 20-minute session warns, cools down and ends on the tick ----

TEST(Bounds, the_warning_comes_once_and_exactly_at_its_time) {
  Rig rig;
  Profile p = test_profile();  // 20 min, warning 2 min before
  ASSERT_TRUE(rig.start(p).accepted);
  int warnings = 0;
  auto count = [&] {
    for (const Event& e : rig.sup.events()) warnings += e.kind == Event::Kind::warning ? 1 : 0;
    rig.sup.clear_events();
  };
  rig.sup.clear_events();
  for (Millis t = rig.period; t < 18min; t += rig.period) {
    rig.tick();
    count();
  }
  EXPECT_EQ(warnings, 0) << "17:59.98";
  rig.tick();
  count();
  EXPECT_EQ(warnings, 1) << "18:00";
  ASSERT_TRUE(rig.sup.status().warning.has_value());
  EXPECT_EQ(rig.sup.status().warning->id, NoticeId::time_left);
  EXPECT_EQ(fact<Span>(rig.sup.status().warning->facts, "left").value, 2min);
  rig.run_for(1min);
  count();
  EXPECT_EQ(warnings, 1) << "once";
}

TEST(Bounds, the_cool_down_begins_exactly_at_session_time_and_the_session_ends_with_it) {
  Rig rig;
  Profile p = test_profile();
  ASSERT_TRUE(rig.start(p).accepted);
  rig.run_for(20min - rig.period);
  EXPECT_EQ(rig.state(), State::running);
  rig.tick();
  EXPECT_EQ(rig.state(), State::cooling_down);
  rig.run_for(1min - rig.period);
  EXPECT_EQ(rig.state(), State::cooling_down);
  rig.tick();
  EXPECT_EQ(rig.state(), State::stopping);
}

TEST(Bounds, a_pause_ends_the_session_only_after_max_pause) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(2s);
  ASSERT_TRUE(rig.send(PauseCmd{}).accepted);
  rig.run_for(5min);  // exactly max_pause
  EXPECT_EQ(rig.state(), State::paused);
  rig.tick();
  EXPECT_NE(rig.state(), State::paused);
  EXPECT_EQ(rig.sup.status().last_ending->rule, RuleId::max_pause);
}

TEST(Bounds, presence_is_lost_only_after_the_presence_time) {
  Rig rig;
  Profile p = test_profile();
  p.presence_timeout = 2s;
  ASSERT_TRUE(rig.start(p).accepted);
  rig.run_for(2s);
  EXPECT_EQ(rig.state(), State::running) << "exactly 2 s without a heartbeat";
  rig.tick();
  EXPECT_EQ(rig.state(), State::stopping);
}

TEST(Bounds, program_segments_change_on_the_tick_and_the_last_stays_shown_while_stopping) {
  Rig rig;
  const Program g = test_program("steps", {{Direction::reverse, 1.0, 10s}, {Direction::reverse, 2.0, 10s}, {Direction::reverse, 1.5, 10s}});
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), g, std::nullopt}).accepted);
  rig.run_for(10s - rig.period);
  EXPECT_EQ(rig.sup.status().segment->index, 0u);
  EXPECT_NEAR(rig.sup.status().segment->remaining_s, 0.02, 1e-9);
  ASSERT_TRUE(rig.sup.status().segment->next.has_value());
  EXPECT_EQ(rig.sup.status().segment->next->speed_kmh, 2.0);
  rig.tick();
  EXPECT_EQ(rig.sup.status().segment->index, 1u);
  EXPECT_EQ(rig.sup.status().target_kmh, 2.0);
  rig.run_for(20s - rig.period);  // 29.98 s: no drift from the segment changes
  EXPECT_EQ(rig.sup.status().segment->index, 2u);
  EXPECT_FALSE(rig.sup.status().segment->next.has_value());
  EXPECT_EQ(rig.state(), State::running);
  rig.tick();
  EXPECT_EQ(rig.state(), State::stopping);
  const Status st = rig.sup.status();
  EXPECT_EQ(st.segment->index, 2u) << "the last segment, not one past it";
  EXPECT_EQ(st.segment->count, 3u);
}

TEST(Bounds, a_program_segment_exactly_at_the_cap_is_allowed_and_the_first_sets_the_direction) {
  Rig rig;
  const Program g = test_program("forward-first", {{Direction::forward, 6.0, 1min}, {Direction::forward, 4.0, 1min}});
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), g, std::nullopt}).accepted);  // forward cap 6
  EXPECT_EQ(rig.sup.status().direction, Direction::forward);
  EXPECT_EQ(rig.sup.drive_command().direction, Direction::forward);
}

// ---- what the drive is told: run while the setpoint ramps, stop when there is nothing to do ----

TEST(Bounds, the_drive_is_told_to_run_from_the_start_and_through_the_ramp_down) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::run) << "at once, before the first tick";
  rig.send(SpeedCmd{2.0});
  rig.run_for(20s);
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] { return rig.commanded() < 0.9; }, 20s));
  EXPECT_GT(rig.commanded(), 0.0);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::run) << "our ramp, not the drive's stop ramp";
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 20s));
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::stop);
}

TEST(Bounds, a_paused_belt_at_standstill_is_told_to_stop) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(PauseCmd{}).accepted);
  rig.run_for(10s);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::stop);
  ASSERT_TRUE(rig.send(ResumeCmd{}).accepted);
  EXPECT_EQ(rig.sup.status().target_kmh, 0.5) << "resumes at the target it had";
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::run);
}

// ---- status says what is true ----

TEST(Bounds, status_reports_the_session_as_it_is) {
  Supervisor fresh(test_settings());
  EXPECT_FALSE(fresh.status().at_standstill) << "before any reading, standstill is not known";
  Rig rig;
  Profile p = test_profile();
  ASSERT_TRUE(rig.start(p).accepted);
  rig.send(SpeedCmd{3.6});  // 1 m/s
  rig.run_for(60s);
  const Status st = rig.sup.status();
  EXPECT_DOUBLE_EQ(st.session_s, 60.0);
  EXPECT_DOUBLE_EQ(st.session_limit_s, 1200.0);
  EXPECT_NEAR(st.distance_m, 60 - 2.5, 0.1) << "60 s at 1 m/s, less half of the 5 s ramp";
  EXPECT_FALSE(st.warning.has_value());
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 30s));
  EXPECT_EQ(rig.sup.status().last_ending->reason, "stopped by operator");
}

TEST(Bounds, a_new_session_starts_without_the_last_sessions_warning) {
  Rig rig;
  Profile p = test_profile();
  p.session_time = 3min;
  p.warning_before_end = 1min;
  p.cooldown_time = 10s;
  ASSERT_TRUE(rig.start(p).accepted);
  rig.run_for(2min + 1s);
  ASSERT_TRUE(rig.sup.status().warning.has_value());
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 30s));
  rig.run_for(3s);
  ASSERT_TRUE(rig.start(p).accepted);
  EXPECT_FALSE(rig.sup.status().warning.has_value());
}

// ---- rest between sessions: exactly the rest, and the time left said right ----

TEST(Bounds, rest_between_sessions_ends_exactly_and_the_refusal_says_what_is_left) {
  Rig rig;
  Profile p = test_profile();
  p.rest_between = 10min;
  ASSERT_TRUE(rig.start(p).accepted);
  rig.run_for(1s);
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 10s));
  const TimePoint ended = rig.now;
  rig.run_for(4min);
  const Reply r = rig.start(p);
  ASSERT_FALSE(r.accepted);
  ASSERT_EQ(r.rule, RuleId::rest_between);
  EXPECT_EQ(fact<Span>(r.facts, "left").value, 6min) << "the rest still to wait, in whole seconds";
  while (rig.now - ended < 10min - rig.period) rig.tick();
  EXPECT_FALSE(rig.start(p).accepted);
  rig.tick();
  EXPECT_TRUE(rig.start(p).accepted) << "exactly 10 min after the end";
}

// ---- latches ----

TEST(Bounds, after_a_reset_no_fault_is_shown) {
  Rig rig;
  rig.fb.fault_code = 7;
  rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  rig.fb.fault_code = 0;
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_FALSE(rig.sup.status().fault.has_value());
}

TEST(Bounds, unlock_during_a_latched_stop_leaves_no_lock_behind) {
  Rig rig;
  ASSERT_TRUE(rig.send(LockCmd{}, Role::operator_role).accepted);
  rig.send(EStopCmd{}, Role::viewer);
  ASSERT_TRUE(rig.send(UnlockCmd{}).accepted);
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_EQ(rig.state(), State::idle);
  EXPECT_TRUE(rig.start().accepted);
}

// ---- the fault monitor's limits, exactly ----

TEST(Bounds, the_link_timeout_is_exact) {
  Rig rig;
  rig.link_replies = false;  // the last reply was at rig.now
  const TimePoint last = rig.fb.received_at;
  while (rig.now - last < 500ms) rig.tick();
  EXPECT_NE(rig.state(), State::faulted) << "exactly 500 ms";
  rig.tick();
  EXPECT_EQ(rig.state(), State::faulted);
}

TEST(Bounds, a_loop_gap_of_exactly_the_link_timeout_is_not_a_stall) {
  Rig rig;
  rig.now += 500ms - rig.period;
  rig.tick();  // 500 ms since the last tick, and the reading is fresh
  EXPECT_EQ(rig.state(), State::idle);
  rig.now += 500ms;
  rig.tick();  // 520 ms
  EXPECT_EQ(rig.state(), State::faulted);
}

TEST(Bounds, a_drive_fault_is_named_without_a_link_timing) {
  Rig rig;
  rig.fb.fault_code = 7;
  rig.tick();
  const Fault fault = *rig.sup.status().fault;
  EXPECT_EQ(fault.rule, RuleId::drive_fault);
  ASSERT_EQ(fault.facts.size(), 1u) << "the code alone, no link timing";
  EXPECT_EQ(std::get<DriveFaultCode>(fault.facts[0].value).value, 7);
}

TEST(Bounds, impossible_readings_are_faults) {
  for (double bad : {std::nan(""), -0.5, std::numeric_limits<double>::infinity()}) {
    Rig rig;
    rig.link_replies = false;
    rig.fb.sequence++;
    rig.fb.received_at = rig.now + rig.period;
    rig.fb.measured_kmh = bad;
    rig.tick();
    ASSERT_EQ(rig.state(), State::faulted) << bad;
    EXPECT_EQ(rig.sup.status().fault->rule, RuleId::implausible_reading);
  }
}

TEST(Bounds, a_jump_of_exactly_the_implausible_step_is_plausible_and_a_bigger_one_is_named_with_its_size) {
  for (double jump : {2.0, 2.5}) {
    Rig rig;
    rig.link_replies = false;
    for (double kmh : {1.0, 1.0 + jump}) {
      rig.fb.sequence++;
      rig.fb.received_at = rig.now + rig.period;
      rig.fb.measured_kmh = kmh;
      rig.tick();
    }
    if (jump == 2.0) {
      EXPECT_EQ(rig.state(), State::idle);
    } else {
      ASSERT_EQ(rig.state(), State::faulted);
      const Fault fault = *rig.sup.status().fault;
      EXPECT_EQ(fact<Word>(fault.facts, "how").value, "jump");
      EXPECT_DOUBLE_EQ(fact<Kmh>(fault.facts, "jump").value, 2.5);
      EXPECT_DOUBLE_EQ(fact<Kmh>(fault.facts, "limit").value, 2.0);
    }
  }
}

TEST(Bounds, exactly_cap_plus_margin_is_not_overspeed) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{4.0});
  rig.run_for(30s);
  rig.sensor_offset_kmh = 0.5;  // 4.5 km/h: reverse cap 4 plus margin 0.5
  rig.run_for(1s);
  EXPECT_EQ(rig.state(), State::running);
}

TEST(Bounds, tracking_tolerates_exactly_its_tolerance_and_latches_at_exactly_its_time) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{3.0});
  rig.run_for(10s);
  rig.sensor_offset_kmh = -1.5;  // exactly the tolerance
  rig.run_for(10s);
  EXPECT_EQ(rig.state(), State::running);
  rig.sensor_offset_kmh = -1.75;
  rig.tick();  // the excursion starts here
  rig.run_for(3s - rig.period);
  EXPECT_EQ(rig.state(), State::running) << "2.98 s";
  rig.tick();
  EXPECT_EQ(rig.state(), State::faulted) << "3 s";
}

TEST(Bounds, separate_short_tracking_excursions_do_not_add_up) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{3.0});
  rig.run_for(10s);
  for (int i = 0; i < 3; ++i) {
    rig.sensor_offset_kmh = -1.75;
    rig.run_for(2s);
    rig.sensor_offset_kmh = 0;
    rig.run_for(1s);
  }
  EXPECT_EQ(rig.state(), State::running);
}

TEST(Bounds, after_a_link_loss_at_speed_and_a_reset_the_treadmill_runs_again) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{4.0});
  rig.run_for(30s);
  rig.link_replies = false;  // the belt coasts down under the drive's fast stop, unseen
  rig.run_for(10s);
  ASSERT_EQ(rig.state(), State::faulted);
  rig.link_replies = true;   // back: 0 km/h, a jump from the last reading of 4 km/h
  rig.run_for(3s);
  ASSERT_TRUE(rig.send(ResetCmd{}).accepted);
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{2.0});
  rig.run_for(15s);
  EXPECT_EQ(rig.state(), State::running) << (rig.sup.status().fault ? to_string(rig.sup.status().fault->rule) : "");
}

TEST(Bounds, program_segments_do_not_drift_even_at_a_fine_tick) {
  Rig rig;
  rig.period = 1ms;
  const Program g = test_program("fine", {{Direction::reverse, 0.5, 1s}, {Direction::reverse, 0.6, 1s}, {Direction::reverse, 0.7, 1s}});
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), g, std::nullopt}).accepted);
  rig.run_for(2s - rig.period);
  EXPECT_EQ(rig.sup.status().segment->index, 1u) << "1.999 s";
  rig.tick();
  EXPECT_EQ(rig.sup.status().segment->index, 2u) << "2.000 s";
}

TEST(Bounds, a_session_end_is_an_event_with_its_reason) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.run_for(2s);
  rig.sup.clear_events();
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] {
    for (const Event& e : rig.sup.events()) {
      if (e.kind == Event::Kind::session_ended) return e.text == "stopped by operator";
    }
    return false;
  }, 10s));
}

TEST(Bounds, a_fault_zeroes_the_setpoint_on_the_tick_it_latches) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  rig.send(SpeedCmd{3.0});
  rig.run_for(20s);
  ASSERT_GT(rig.commanded(), 2.9);
  rig.fb.fault_code = 9;
  rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::fast_stop);
  EXPECT_EQ(rig.commanded(), 0.0) << "not ramped: the drive's fast stop brakes";
  EXPECT_EQ(rig.sup.status().commanded_kmh, 0.0);
  EXPECT_EQ(rig.sup.status().motion, Motion::fast_stop);
}

TEST(Bounds, status_names_the_program_and_its_current_segment) {
  Rig rig;
  const Program g = test_program("two", {{Direction::reverse, 1.0, 1min}, {Direction::reverse, 2.0, 1min}});
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), g, std::nullopt}).accepted);
  rig.run_for(10s);
  const Status st = rig.sup.status();
  ASSERT_TRUE(st.program.has_value());
  EXPECT_EQ(*st.program, "two");
  EXPECT_EQ(st.segment->current.speed_kmh, 1.0);
  EXPECT_EQ(st.segment->current.duration, 1min);
  EXPECT_EQ(st.commanded_kmh, 1.0);
  EXPECT_EQ(st.motion, Motion::run);
}

TEST(Bounds, any_cap_above_zero_allows_its_direction) {
  Rig rig;
  Profile p = test_profile();
  p.forward_cap_kmh = 0.8;  // a slow forward walk only
  p.start_speed_kmh = 0.5;
  ASSERT_TRUE(rig.send(StartCmd{p, std::nullopt, Direction::forward}).accepted);
  rig.send(StopCmd{});
  ASSERT_TRUE(rig.run_until([&] { return rig.state() == State::idle; }, 10s));
  rig.run_for(3s);
  ASSERT_TRUE(rig.start(p).accepted);  // reverse
  rig.send(SpeedCmd{0.0});
  rig.run_for(3s);
  EXPECT_TRUE(rig.send(DirectionCmd{Direction::forward, false}).accepted);
}

}  // namespace
}  // namespace treadd::testing
