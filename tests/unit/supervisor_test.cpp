// SPDX-License-Identifier: Apache-2.0
// One or more scenario tests per safety rule (DESIGN.md "Safety model"; docs/safety.md maps rule -> test).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/unit/supervisor_rig.hpp"

namespace treadd::testing {
namespace {


// ---- Rule 1: per-direction speed caps, refused (never clamped) with the cap and the profile ----

TEST(SpeedCap, when_speed_above_reverse_cap_expect_refusal_naming_cap_and_profile) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  ASSERT_TRUE(rig.send(SpeedCmd{3.0}).accepted);
  rig.run_for(10s);
  Reply r = rig.send(SpeedCmd{6.0});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::above_cap);
  EXPECT_DOUBLE_EQ(rig.sup.status().target_kmh, 3.0) << "a refused command changes nothing";
}

TEST(SpeedCap, when_speed_equals_cap_expect_accepted) {
  Rig rig;
  rig.start();
  EXPECT_TRUE(rig.send(SpeedCmd{4.0}).accepted);
}

TEST(SpeedCap, when_running_forward_expect_forward_cap_applies) {
  Rig rig;
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), std::nullopt, Direction::forward}).accepted);
  EXPECT_TRUE(rig.send(SpeedCmd{5.5}).accepted);
  EXPECT_FALSE(rig.send(SpeedCmd{6.5}).accepted);
}

TEST(SpeedCap, when_profile_exceeds_machine_ceiling_expect_ceiling_wins) {
  Rig rig;
  Profile p = test_profile();
  p.reverse_cap_kmh = 10;  // the machine's reverse ceiling is 6
  rig.start(p);
  Reply r = rig.send(SpeedCmd{7.0});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::above_cap);
}

TEST(SpeedCap, when_speed_is_negative_or_not_a_number_expect_refusal) {
  Rig rig;
  rig.start();
  EXPECT_FALSE(rig.send(SpeedCmd{-1.0}).accepted);
  EXPECT_FALSE(rig.send(SpeedCmd{std::nan("")}).accepted);
  EXPECT_FALSE(rig.send(SpeedCmd{std::numeric_limits<double>::infinity()}).accepted);
}

TEST(SpeedCap, when_step_larger_than_profile_step_limit_expect_refusal) {
  Rig rig;
  Profile p = test_profile();
  p.max_step_kmh = 1.0;
  rig.start(p);
  EXPECT_TRUE(rig.send(SpeedCmd{1.5}).accepted);
  Reply r = rig.send(SpeedCmd{3.0});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::step_limit);
}

TEST(SpeedCap, when_no_session_expect_speed_refused) {
  Rig rig;
  EXPECT_FALSE(rig.send(SpeedCmd{1.0}).accepted);
  rig.run_for(1s);
  EXPECT_EQ(rig.commanded(), 0);
}

// ---- Rule 2: accel/decel ramps, separate for reverse, every tick ----

TEST(Ramp, when_target_raised_expect_setpoint_rises_at_reverse_accel) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{4.0});
  rig.run_for(1s);
  EXPECT_NEAR(rig.commanded(), 0.2 * 3.6, 0.03);  // reverse_accel 0.2 m/s² = 0.72 km/h per second
}

TEST(Ramp, when_forward_expect_forward_accel) {
  Rig rig;
  rig.send(StartCmd{test_profile(), std::nullopt, Direction::forward});
  rig.send(SpeedCmd{5.0});
  rig.run_for(1s);
  EXPECT_NEAR(rig.commanded(), 0.25 * 3.6, 0.03);
}

TEST(Ramp, when_stopping_expect_setpoint_falls_at_reverse_decel) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.6});
  rig.run_for(10s);
  ASSERT_DOUBLE_EQ(rig.commanded(), 3.6);
  rig.send(StopCmd{});
  rig.run_for(1s);
  EXPECT_NEAR(rig.commanded(), 3.6 - 0.3 * 3.6, 0.03);
}

TEST(Ramp, when_new_target_arrives_mid_ramp_expect_same_rate) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{4.0});
  rig.run_for(500ms);
  const double mid = rig.commanded();
  rig.send(SpeedCmd{2.0});
  rig.run_for(500ms);
  EXPECT_NEAR(rig.commanded() - mid, 0.72 * 0.5, 0.03);
}

TEST(Ramp, when_a_tick_comes_late_expect_no_larger_step_than_max_gap_allows) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{4.0});
  rig.run_for(200ms);
  const double before = rig.commanded();
  rig.now += 5s;  // the loop stalled
  rig.tick();
  EXPECT_LE(rig.commanded() - before, kmh_per_s(0.2) * 0.100 + 1e-9);
}

// ---- Rule 3: start from standstill, at the start speed, after an explicit start only ----

TEST(Start, when_started_expect_target_is_start_speed_and_ramp_from_zero) {
  Rig rig;
  rig.start();
  EXPECT_DOUBLE_EQ(rig.sup.status().target_kmh, 0.5);
  EXPECT_EQ(rig.commanded(), 0);
  rig.tick();
  EXPECT_GT(rig.commanded(), 0);
  EXPECT_LE(rig.commanded(), 0.5);
}

TEST(Start, when_belt_still_moving_expect_start_refused) {
  Rig rig;
  rig.sensor_offset_kmh = 1.0;  // someone is pushing the belt
  rig.run_for(3s);
  Reply r = rig.start();
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::not_at_standstill);
}

TEST(Start, when_stopped_expect_belt_never_restarts_by_itself) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.0});
  rig.run_for(10s);
  rig.send(StopCmd{});
  rig.run_for(30min);
  EXPECT_EQ(rig.state(), State::idle);
  EXPECT_EQ(rig.commanded(), 0);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::stop);
}

TEST(Start, when_session_running_expect_second_start_refused) {
  Rig rig;
  rig.start();
  EXPECT_FALSE(rig.start().accepted);
}

TEST(Start, when_profile_forbids_direction_expect_refusal) {
  Rig rig;
  Profile p = test_profile();
  p.forward_cap_kmh = 0;
  Reply r = rig.send(StartCmd{p, std::nullopt, Direction::forward});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::direction_not_allowed);
}

TEST(Start, when_rest_between_sessions_not_over_expect_refusal_with_time_left) {
  Rig rig;
  Profile p = test_profile();
  p.rest_between = 10min;
  rig.start(p);
  rig.run_for(5s);
  rig.send(StopCmd{});
  rig.run_for(10s);
  Reply r = rig.start(p);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::rest_between);
  rig.run_for(10min);
  EXPECT_TRUE(rig.start(p).accepted);
}

// ---- Rule 4: direction change only at standstill ----

TEST(Direction, when_reverse_to_forward_requested_while_moving_expect_refusal) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{2.0});
  rig.run_for(5s);
  Reply r = rig.send(DirectionCmd{Direction::forward, false});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::not_at_standstill);
  EXPECT_EQ(rig.sup.drive_command().direction, Direction::reverse);
}

TEST(Direction, when_change_via_stop_expect_ramp_down_dwell_then_ramp_up_other_way) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{2.0});
  rig.run_for(5s);
  ASSERT_TRUE(rig.send(DirectionCmd{Direction::forward, true}).accepted);
  std::optional<TimePoint> stopped_at;
  bool flipped = false;
  for (int i = 0; i < 1000 && !flipped; ++i) {
    rig.tick();
    if (rig.fb.measured_kmh < 0.1 && !stopped_at) stopped_at = rig.now;
    if (rig.fb.measured_kmh >= 0.1) stopped_at.reset();
    if (rig.sup.drive_command().direction == Direction::forward) {
      flipped = true;
      ASSERT_TRUE(stopped_at.has_value()) << "flipped while the belt moved";
      EXPECT_GE(rig.now - *stopped_at, 2s) << "flipped before the standstill dwell";
    }
  }
  ASSERT_TRUE(flipped);
  rig.run_for(3s);
  EXPECT_GT(rig.commanded(), 0);
  EXPECT_EQ(rig.state(), State::running);
}

TEST(Direction, when_at_standstill_for_dwell_expect_change_accepted_at_once) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{0.0});
  rig.run_for(3s);
  EXPECT_TRUE(rig.send(DirectionCmd{Direction::forward, false}).accepted);
  EXPECT_EQ(rig.sup.drive_command().direction, Direction::forward);
}

TEST(Direction, when_stopped_but_dwell_not_over_expect_refusal) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{0.0});
  rig.run_for(3s);
  rig.send(SpeedCmd{0.5});
  rig.run_for(2s);
  rig.send(SpeedCmd{0.0});
  rig.run_until([&] { return rig.fb.measured_kmh < 0.1; }, 5s);
  rig.run_for(500ms);
  EXPECT_FALSE(rig.send(DirectionCmd{Direction::forward, false}).accepted);
}

// ---- Rule 5: session time, warning, cool-down, distance ----

TEST(Session, when_warning_time_reached_expect_warning_event_and_status) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.0});
  rig.sup.clear_events();
  rig.run_for(17min + 59s);
  EXPECT_FALSE(rig.sup.status().warning.has_value());
  rig.run_for(2s);
  ASSERT_TRUE(rig.sup.status().warning.has_value());
  EXPECT_EQ(rig.sup.status().warning->id, NoticeId::time_left);
  bool saw = false;
  for (const auto& e : rig.sup.events()) saw = saw || e.kind == Event::Kind::warning;
  EXPECT_TRUE(saw);
}

// The warning counts down, and the cool-down shows its own time left: a frozen "20 s left" during
// the cool-down told the patient the wrong thing.
TEST(Session, the_warning_counts_down_and_the_cooldown_shows_its_time_left) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.5});
  rig.run_for(19min + 10s);
  const Notice early = *rig.sup.status().warning;
  rig.run_for(20s);
  const Notice later = *rig.sup.status().warning;
  EXPECT_EQ(early.id, NoticeId::time_left);
  const Millis early_left = fact<Span>(early.facts, "left").value, later_left = fact<Span>(later.facts, "left").value;
  EXPECT_LE(std::abs(early_left.count() - 50000), 100);
  EXPECT_LE(std::abs((early_left - later_left).count() - 20000), 100) << "the time left must count down";
  EXPECT_FALSE(rig.sup.status().cooldown_left_s.has_value());
  rig.run_for(40s);
  ASSERT_EQ(rig.state(), State::cooling_down);
  const Status cooling = rig.sup.status();
  ASSERT_TRUE(cooling.cooldown_left_s.has_value());
  EXPECT_NEAR(*cooling.cooldown_left_s, 60 - 9.9, 0.5);
  ASSERT_TRUE(cooling.warning.has_value());
  EXPECT_EQ(cooling.warning->id, NoticeId::cooling_down_left) << "not the session's time left";
  EXPECT_EQ(kmh_fact(cooling.warning->facts, "speed"), 1.5);
  rig.run_for(20s);
  EXPECT_NEAR(*rig.sup.status().cooldown_left_s, 60 - 29.9, 0.5);
}

TEST(Session, when_session_time_reached_expect_cooldown_then_stop) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.5});
  rig.run_for(20min + 100ms);
  EXPECT_EQ(rig.state(), State::cooling_down);
  rig.run_for(30s);
  EXPECT_NEAR(rig.commanded(), 1.5, 1e-9);
  rig.run_for(31s);
  EXPECT_EQ(rig.state(), State::stopping);
  rig.run_for(10s);
  EXPECT_EQ(rig.state(), State::idle);
  EXPECT_EQ(rig.commanded(), 0);
  EXPECT_EQ(rig.sup.status().last_ending->rule, RuleId::session_time);
}

TEST(Session, when_max_distance_reached_expect_stop) {
  Rig rig;
  Profile p = test_profile();
  p.max_distance_m = 100;
  rig.start(p);
  rig.send(SpeedCmd{3.6});  // 1 m/s
  rig.run_for(90s);
  EXPECT_EQ(rig.state(), State::running) << "about 88 m so far";
  ASSERT_TRUE(rig.run_until([&] { return rig.state() != State::running; }, 30s));
  EXPECT_NEAR(rig.sup.status().distance_m, 100, 0.5);
  rig.run_for(10s);
  EXPECT_EQ(rig.state(), State::idle);
  EXPECT_EQ(rig.sup.status().last_ending->rule, RuleId::max_distance);
}

// ---- Rule 6: pause and resume ----

TEST(Pause, when_paused_expect_ramp_to_zero_and_resume_to_previous_target) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.0});
  rig.run_for(10s);
  ASSERT_TRUE(rig.send(PauseCmd{}).accepted);
  rig.run_for(1s);
  EXPECT_NEAR(rig.commanded(), 3.0 - 1.08, 0.03) << "pause ramps, it does not cut";
  rig.run_for(10s);
  EXPECT_EQ(rig.commanded(), 0);
  EXPECT_EQ(rig.state(), State::paused);
  EXPECT_FALSE(rig.send(SpeedCmd{2.0}).accepted);
  ASSERT_TRUE(rig.send(ResumeCmd{}).accepted);
  rig.run_for(10s);
  EXPECT_DOUBLE_EQ(rig.commanded(), 3.0);
}

TEST(Pause, when_paused_longer_than_max_pause_expect_session_ends) {
  Rig rig;
  rig.start();
  rig.run_for(5s);
  rig.send(PauseCmd{});
  rig.run_for(5min + 1s);
  rig.run_for(1s);
  EXPECT_EQ(rig.state(), State::idle);
  EXPECT_EQ(rig.sup.status().last_ending->rule, RuleId::max_pause);
  EXPECT_FALSE(rig.send(ResumeCmd{}).accepted);
}

TEST(Pause, when_paused_expect_session_clock_stops) {
  Rig rig;
  rig.start();
  rig.run_for(10s);
  rig.send(PauseCmd{});
  const double at_pause = rig.sup.status().session_s;
  rig.run_for(2min);
  EXPECT_NEAR(rig.sup.status().session_s, at_pause, 0.05);
}

// ---- Rule 7: emergency stop, at once, latched, reset by a clinician at standstill ----

TEST(EStop, when_estop_received_expect_fast_stop_before_any_tick) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{4.0});
  rig.run_for(10s);
  ASSERT_TRUE(rig.send(EStopCmd{}, Role::viewer).accepted) << "anyone may e-stop";
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::fast_stop);
  EXPECT_EQ(rig.commanded(), 0);
  EXPECT_EQ(rig.state(), State::estopped);
}

TEST(EStop, when_estopped_expect_latched_for_ever_without_reset) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.0});
  rig.run_for(5s);
  rig.send(EStopCmd{});
  EXPECT_FALSE(rig.start().accepted);
  EXPECT_FALSE(rig.send(SpeedCmd{1.0}).accepted);
  EXPECT_FALSE(rig.send(ResumeCmd{}).accepted);
  rig.run_for(2h);
  EXPECT_EQ(rig.state(), State::estopped);
  EXPECT_EQ(rig.commanded(), 0);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::fast_stop);
}

TEST(EStop, when_reset_while_belt_moves_expect_refusal) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{4.0});
  rig.run_for(10s);
  rig.send(EStopCmd{});
  rig.run_for(100ms);
  Reply r = rig.send(ResetCmd{});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::not_at_standstill);
}

TEST(EStop, when_operator_resets_expect_refusal_naming_clinician_role) {
  Rig rig;
  rig.start();
  rig.send(EStopCmd{});
  rig.run_for(5s);
  Reply r = rig.send(ResetCmd{}, Role::operator_role);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::role_required);
  EXPECT_EQ(rig.state(), State::estopped);
}

TEST(EStop, when_clinician_resets_at_standstill_expect_idle_and_no_motion_until_new_start) {
  Rig rig;
  rig.start();
  rig.send(SpeedCmd{3.0});
  rig.run_for(5s);
  rig.send(EStopCmd{});
  rig.run_for(5s);
  ASSERT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_EQ(rig.state(), State::idle);
  rig.run_for(1min);
  EXPECT_EQ(rig.commanded(), 0);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::stop);
  EXPECT_TRUE(rig.start().accepted);
}

// ---- Rule 8: faults latch and name their cause (each latched rule: rules_test.cpp, EveryLatchedRule) ----

TEST(Fault, when_drive_trip_persists_expect_reset_to_acknowledge_it_once_then_succeed_after_it_clears) {
  Rig rig;
  rig.start();
  rig.fb.fault_code = 16;
  rig.tick();
  rig.run_for(5s);
  Reply r = rig.send(ResetCmd{});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::drive_trip_acknowledged);
  EXPECT_TRUE(rig.sup.drive_command().acknowledge_fault);
  EXPECT_EQ(rig.sup.drive_command().motion, Motion::fast_stop) << "acknowledging does not move anything";
  rig.tick();
  EXPECT_FALSE(rig.sup.drive_command().acknowledge_fault) << "sent once, not held";
  rig.fb.fault_code = 0;
  rig.tick();
  EXPECT_TRUE(rig.send(ResetCmd{}).accepted);
  EXPECT_FALSE(rig.sup.drive_command().acknowledge_fault);
}

TEST(Fault, when_hal_declares_link_down_expect_link_loss_at_once) {
  Rig rig;
  rig.start();
  rig.run_for(1s);
  rig.fb.link_up = false;
  rig.tick();
  EXPECT_EQ(rig.state(), State::faulted);
  EXPECT_EQ(rig.sup.status().fault->rule, RuleId::link_loss);
}

TEST(Fault, when_link_was_reopened_between_two_ticks_expect_link_loss) {
  Rig rig;
  rig.start();
  rig.run_for(1s);
  ++rig.fb.link_generation;  // dropped and reconnected faster than one tick: link_up never seen false
  rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  EXPECT_EQ(rig.sup.status().fault->rule, RuleId::link_loss);
  rig.run_for(3s);
  EXPECT_TRUE(rig.send(ResetCmd{}).accepted) << "the condition is gone; the latch needed a reset";
}

TEST(Fault, when_loop_overruns_repeatedly_expect_fault_but_not_for_isolated_ones) {
  Rig rig;
  rig.start();
  rig.overrun = true;
  for (int i = 0; i < 4; ++i) rig.tick();
  rig.overrun = false;
  rig.tick();
  EXPECT_EQ(rig.state(), State::running);
  rig.overrun = true;
  for (int i = 0; i < 5; ++i) rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  EXPECT_EQ(rig.sup.status().fault->rule, RuleId::loop_overrun);
}

TEST(Fault, when_estop_during_fault_expect_estop_wins) {
  Rig rig;
  rig.start();
  rig.fb.fault_code = 3;
  rig.tick();
  ASSERT_EQ(rig.state(), State::faulted);
  rig.send(EStopCmd{});
  EXPECT_EQ(rig.state(), State::estopped);
}

// ---- Rule 9: operator presence ----

TEST(Presence, when_heartbeat_stops_expect_ramp_to_stop) {
  Rig rig;
  Profile p = test_profile();
  p.presence_timeout = 3s;
  rig.start(p);
  rig.send(SpeedCmd{2.0});
  for (int i = 0; i < 10; ++i) {
    rig.run_for(1s);
    rig.send(HeartbeatCmd{}, Role::operator_role);
  }
  EXPECT_EQ(rig.state(), State::running);
  rig.run_for(3100ms);
  EXPECT_EQ(rig.state(), State::stopping);
  EXPECT_NE(rig.sup.drive_command().motion, Motion::fast_stop) << "presence loss ramps, it does not slam";
}

// ---- Rule 10: lock-out (ISO 20957-6 §6.6) ----

TEST(Lock, when_locked_expect_start_refused_until_clinician_unlocks) {
  Rig rig;
  ASSERT_TRUE(rig.send(LockCmd{}, Role::operator_role).accepted);
  EXPECT_FALSE(rig.start().accepted);
  EXPECT_FALSE(rig.send(UnlockCmd{}, Role::operator_role).accepted);
  EXPECT_TRUE(rig.send(UnlockCmd{}, Role::clinician).accepted);
  EXPECT_TRUE(rig.start().accepted);
}

TEST(Lock, when_session_running_expect_lock_refused) {
  Rig rig;
  rig.start();
  EXPECT_FALSE(rig.send(LockCmd{}).accepted);
}

// ---- Roles ----

TEST(Roles, when_viewer_starts_expect_refusal_naming_operator_role) {
  Rig rig;
  Reply r = rig.sup.handle(Request{StartCmd{test_profile(), std::nullopt, std::nullopt}, Role::viewer, "x"}, rig.now);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::role_required);
}

// ---- The one gate: every target, whatever asked for it, starts at the start speed from a
// standing belt and moves by at most max_step from the speed the belt last held ----

// The targets the belt held (the setpoint unchanged over a tick), in order, until `until`.
std::vector<double> held_speeds(Rig& rig, Millis until) {
  std::vector<double> held;
  double before = rig.commanded();
  for (Millis t{0}; t < until; t += rig.period) {
    rig.tick();
    const double now = rig.commanded();
    if (now == before && now > 0 && (held.empty() || held.back() != now)) held.push_back(now);
    before = now;
  }
  return held;
}

Profile stepped_profile() {
  Profile p = test_profile();
  p.start_speed_kmh = 0.5;
  p.max_step_kmh = 1.0;
  return p;
}

TEST(Gate, a_program_starts_at_the_start_speed_and_climbs_in_steps_no_larger_than_max_step) {
  Rig rig;
  Program g = test_program("jumps", {{Direction::reverse, 2.0, 60s}, {Direction::reverse, 3.5, 60s}, {Direction::reverse, 1.5, 60s}});
  const Reply r = rig.send(StartCmd{stepped_profile(), g, std::nullopt});
  ASSERT_TRUE(r.accepted);
  EXPECT_DOUBLE_EQ(rig.sup.status().target_kmh, 0.5) << "the first target is the start speed, not the segment's";
  EXPECT_EQ(r.notice, NoticeId::session_started);
  EXPECT_EQ(kmh_fact(r.facts, "target"), 0.5);
  EXPECT_EQ(held_speeds(rig, 60s), (std::vector<double>{0.5, 1.5, 2.0}));
  EXPECT_EQ(held_speeds(rig, 60s), (std::vector<double>{3.0, 3.5}));
  EXPECT_EQ(held_speeds(rig, 60s), (std::vector<double>{2.5, 1.5})) << "down in steps too";
}

TEST(Gate, resume_after_a_standstill_starts_again_at_the_start_speed) {
  Rig rig;
  Program g = test_program("jog", {{Direction::reverse, 3.0, 10min}});
  ASSERT_TRUE(rig.send(StartCmd{stepped_profile(), g, std::nullopt}).accepted);
  rig.run_for(60s);
  ASSERT_DOUBLE_EQ(rig.commanded(), 3.0);
  ASSERT_TRUE(rig.send(PauseCmd{}).accepted);
  rig.run_for(30s);
  ASSERT_EQ(rig.commanded(), 0);
  const Reply r = rig.send(ResumeCmd{});
  ASSERT_TRUE(r.accepted);
  EXPECT_DOUBLE_EQ(rig.sup.status().target_kmh, 0.5);
  EXPECT_EQ(held_speeds(rig, 60s), (std::vector<double>{0.5, 1.5, 2.5, 3.0}));
}

TEST(Gate, without_a_step_limit_a_program_still_starts_at_the_start_speed) {
  Rig rig;
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), test_program("jog", {{Direction::reverse, 3.0, 10min}}), std::nullopt}).accepted);
  EXPECT_EQ(held_speeds(rig, 60s), (std::vector<double>{0.5, 3.0}));
}

TEST(Gate, a_hand_speed_before_the_belt_reached_the_start_speed_waits_for_it) {
  Rig rig;
  ASSERT_TRUE(rig.start().accepted);
  const Reply r = rig.send(SpeedCmd{3.0});
  ASSERT_TRUE(r.accepted);
  EXPECT_EQ(word_fact(r.facts, "stepping"), "from_start_speed");
  EXPECT_EQ(held_speeds(rig, 30s), (std::vector<double>{0.5, 3.0}));
}

TEST(Gate, a_reply_speaks_of_steps_only_when_the_belt_will_take_them) {
  // The reply is written after the gate: a change within max_step from a held speed is made in
  // one move and says so plainly; from a standing belt it names the start speed.
  Rig rig;
  ASSERT_TRUE(rig.send(StartCmd{stepped_profile(), std::nullopt, std::nullopt}).accepted);
  const Reply first = rig.send(SpeedCmd{1.0});
  ASSERT_TRUE(first.accepted);
  EXPECT_EQ(word_fact(first.facts, "stepping"), "from_start_speed");
  EXPECT_EQ(kmh_fact(first.facts, "start_speed"), 0.5);
  rig.run_for(30s);
  ASSERT_DOUBLE_EQ(rig.commanded(), 1.0);
  const Reply within = rig.send(SpeedCmd{1.8});
  ASSERT_TRUE(within.accepted);
  EXPECT_EQ(word_fact(within.facts, "stepping"), "none") << "one move: no steps to speak of";
  EXPECT_DOUBLE_EQ(rig.sup.status().target_kmh, 1.8);
}

TEST(Gate, staff_may_lower_a_program_until_its_segment_ends_but_never_raise_it) {
  Rig rig;
  Program g = test_program("jog", {{Direction::reverse, 3.0, 2min}, {Direction::reverse, 3.5, 2min}});
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), g, std::nullopt}).accepted);
  rig.run_for(30s);
  ASSERT_DOUBLE_EQ(rig.commanded(), 3.0);
  rig.sup.clear_events();
  const Reply lowered = rig.send(SpeedCmd{2.0});
  ASSERT_TRUE(lowered.accepted);
  EXPECT_EQ(lowered.notice, NoticeId::program_lowered);
  EXPECT_EQ(word_fact(lowered.facts, "stepping"), "none") << "lowered in one move: the gate holds no step back";
  EXPECT_EQ(fact<Count>(lowered.facts, "segment").value, 1);
  EXPECT_EQ(fact<Count>(lowered.facts, "segments").value, 2);
  EXPECT_EQ(fact<Span>(lowered.facts, "left").value, 90s);
  ASSERT_EQ(rig.sup.events().size(), 1u);
  EXPECT_EQ(rig.sup.events()[0].kind, Event::Kind::hand_speed);
  EXPECT_EQ(rig.sup.events()[0].notice, NoticeId::lowered_by_hand);
  EXPECT_EQ(kmh_fact(rig.sup.events()[0].facts, "speed"), 2.0);
  EXPECT_EQ(fact<Name>(rig.sup.events()[0].facts, "who").value, "test");
  EXPECT_EQ(rig.sup.status().segment->lowered_to_kmh, 2.0);
  const Reply raise = rig.send(SpeedCmd{2.5});
  EXPECT_EQ(raise.rule, RuleId::program_only_slower);
  EXPECT_DOUBLE_EQ(fact<Kmh>(raise.facts, "speed").value, 2.0) << "names the program's speed";
  rig.run_for(30s);
  EXPECT_DOUBLE_EQ(rig.commanded(), 2.0);
  rig.run_for(90s);  // the segment ends: the program's next speed, through the gate
  EXPECT_FALSE(rig.sup.status().segment->lowered_to_kmh.has_value());
  rig.run_for(30s);
  EXPECT_DOUBLE_EQ(rig.commanded(), 3.5);
}

// ---- Programs ----

TEST(Program, when_program_runs_expect_segments_in_order_with_ramps) {
  Rig rig;
  Program g{"intervals", "lumbar-test",
            {{Direction::reverse, 2.0, 60s}, {Direction::reverse, 3.5, 60s}, {Direction::reverse, 1.5, 60s}}};
  ASSERT_TRUE(rig.send(StartCmd{test_profile(), g, std::nullopt}).accepted);
  rig.run_for(30s);
  EXPECT_DOUBLE_EQ(rig.commanded(), 2.0);
  EXPECT_EQ(rig.sup.status().segment->index, 0u);
  rig.run_for(31s);
  EXPECT_EQ(rig.sup.status().segment->index, 1u);
  EXPECT_LT(rig.commanded(), 3.5) << "ramps between segments";
  rig.run_for(20s);
  EXPECT_DOUBLE_EQ(rig.commanded(), 3.5);
  EXPECT_EQ(rig.send(SpeedCmd{4.0}).rule, RuleId::program_only_slower) << "the program steers; staff only slow it";
  rig.run_for(70s);
  EXPECT_DOUBLE_EQ(rig.commanded(), 1.5);
  rig.run_for(60s);
  EXPECT_EQ(rig.state(), State::idle);
  const Status ended = rig.sup.status();
  ASSERT_TRUE(ended.last_ending.has_value());
  EXPECT_EQ(fact<Name>(ended.last_ending->facts, "completed").value, "intervals") << "ended by its program";
}

TEST(Program, when_segment_changes_direction_expect_stop_dwell_and_restart) {
  Rig rig;
  Program g{"mixed", "lumbar-test", {{Direction::reverse, 2.0, 30s}, {Direction::forward, 3.0, 60s}}};
  rig.send(StartCmd{test_profile(), g, std::nullopt});
  rig.run_for(31s);
  EXPECT_EQ(rig.state(), State::changing_direction);
  EXPECT_EQ(rig.sup.drive_command().direction, Direction::reverse);
  rig.run_for(15s);
  EXPECT_EQ(rig.state(), State::running);
  EXPECT_EQ(rig.sup.drive_command().direction, Direction::forward);
  EXPECT_GT(rig.commanded(), 0);
}

TEST(Program, when_program_segment_above_cap_expect_start_refused) {
  Rig rig;
  Program g{"too-fast", "lumbar-test", {{Direction::reverse, 5.0, 60s}}};
  Reply r = rig.send(StartCmd{test_profile(), g, std::nullopt});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rule, RuleId::program_above_cap);
}

// Staff hear what they started: the profile, and the program with its length, not only a speed.
TEST(Supervisor, the_start_message_names_the_profile_and_the_program) {
  Rig rig;
  const Reply plain = rig.start();
  EXPECT_EQ(plain.notice, NoticeId::session_started);
  EXPECT_EQ(fact<Name>(plain.facts, "profile").value, "lumbar-test");
  EXPECT_EQ(word_fact(plain.facts, "program"), "none");
  rig.send(StopCmd{});
  rig.run_for(15s);
  const Reply with_program = rig.send(StartCmd{test_profile(), test_program("intervals", {{Direction::reverse, 1.0, 30s},
                                                                                         {Direction::reverse, 1.5, 30s}}),
                                               std::nullopt});
  ASSERT_TRUE(with_program.accepted);
  EXPECT_EQ(fact<Name>(with_program.facts, "program_name").value, "intervals");
  EXPECT_EQ(fact<Count>(with_program.facts, "segments").value, 2);
}

}  // namespace
}  // namespace treadd::testing
