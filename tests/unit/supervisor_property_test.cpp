// SPDX-License-Identifier: Apache-2.0
// Seeded random command/feedback/fault sequences; invariants checked on every tick, on the setpoint
// that reaches the drive — never on the path that asked for it: hand commands, programs (with
// segments above the start speed and steps above max_step), pauses, resumes, direction changes,
// slowing a program by hand, e-stops, faults and resets all feed the same checks.
// Reproduce a failure with TREADD_PROPERTY_SEED=<seed printed>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <set>

#include "tests/unit/supervisor_rig.hpp"

namespace treadd::testing {
namespace {

constexpr int runs = 50;
constexpr int ticks_per_run = 20000;  // 50 x 20,000 = 1,000,000 ticks

struct Checker {
  const Supervisor& sup;
  bool latched_estop = false;
  bool may_move = false;  // a start was accepted since the last end of a session
  // The fastest segment of the running program: nothing (staff included) makes the belt faster.
  double program_max_kmh = -1;  // -1: no program runs
  // The setpoint the drive was last told twice in a row (0 once it was told 0): every rise counts
  // from here — to the start speed from 0, by at most max_step from anything else.
  double held_kmh = 0;

  void after_command(const Command& c, const Reply& r) {
    if (const auto* start = std::get_if<StartCmd>(&c); start && r.accepted) {
      may_move = true;
      program_max_kmh = -1;
      if (start->program) {
        program_max_kmh = 0.0;
        for (const Segment& seg : start->program->segments) program_max_kmh = std::max(program_max_kmh, seg.speed_kmh);
      }
    }
    if (std::holds_alternative<ResetCmd>(c) && r.accepted) latched_estop = false;
  }
};

std::uint64_t seed_for(int run) {
  if (const char* s = std::getenv("TREADD_PROPERTY_SEED")) return std::strtoull(s, nullptr, 10);
  return 0x7ead0000u + static_cast<std::uint64_t>(run);
}

// A program as a clinician might write one: fast first segments, big jumps, turns, now and then a
// segment above the cap (refused at start).
Program random_program(std::mt19937_64& rng, const Profile& profile) {
  std::uniform_int_distribution<int> count(1, 5), seconds(3, 40);
  std::bernoulli_distribution coin(0.5), over_cap(0.05);
  Program g;
  g.name = "random";
  g.profile = profile.name;
  for (int i = count(rng); i > 0; --i) {
    const Direction d = coin(rng) ? Direction::reverse : Direction::forward;
    const double cap = profile.cap_kmh(d);
    const double kmh = over_cap(rng) ? cap + 1 : std::uniform_real_distribution<double>(0.2, cap)(rng);
    g.segments.push_back({d, kmh, Millis(seconds(rng) * 1000)});
  }
  return g;
}

Command random_command(std::mt19937_64& rng, const Profile& profile) {
  std::uniform_int_distribution<int> pick(0, 14);
  std::uniform_real_distribution<double> speed(-0.5, 8.0);
  std::bernoulli_distribution coin(0.5);
  switch (pick(rng)) {
    case 0: return StartCmd{profile, std::nullopt, coin(rng) ? Direction::reverse : Direction::forward};
    case 1:
    case 14: return StartCmd{profile, random_program(rng, profile), std::nullopt};
    case 2:
    case 3:
    case 4: return SpeedCmd{speed(rng)};
    case 5: return DirectionCmd{coin(rng) ? Direction::reverse : Direction::forward, coin(rng)};
    case 6: return PauseCmd{};
    case 7: return ResumeCmd{};
    case 8: return StopCmd{};
    case 9: return EStopCmd{};
    case 10: return ResetCmd{};
    case 11: return LockCmd{};
    case 12: return UnlockCmd{};
    default: return HeartbeatCmd{};
  }
}

void one_run(std::uint64_t seed, std::set<State>& visited, long& ticks) {
  SCOPED_TRACE("TREADD_PROPERTY_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  // Busy runs hammer the command path; calm ones live long enough to reach the session limits.
  const double rates[] = {0.02, 0.002, 0.0002};
  std::bernoulli_distribution command_now(rates[seed % 3]), fault_now(rates[seed % 3] / 40), heal_now(0.01),
      jitter(0.001);
  Rig rig;
  Profile profile = test_profile();
  profile.presence_timeout = std::bernoulli_distribution(0.3)(rng) ? std::optional<Millis>(5s) : std::nullopt;
  profile.session_time = 3min;
  profile.warning_before_end = 30s;
  profile.max_pause = 20s;
  profile.cooldown_time = 20s;
  // A step limit in most runs (smaller and larger than the start speed), a varied start speed.
  const double steps[] = {0.3, 0.8, 1.0, 2.5};
  if (seed % 5 != 0) profile.max_step_kmh = steps[(seed / 5) % 4];
  profile.start_speed_kmh = std::uniform_real_distribution<double>(0.3, 1.2)(rng);
  Checker check{rig.sup};
  const double standstill = rig.sup.settings().safety.standstill_kmh;

  for (int i = 0; i < ticks_per_run; ++i) {
    if (i == 0 || command_now(rng)) {
      Command c = i == 0 ? Command{StartCmd{profile, std::nullopt, std::nullopt}} : random_command(rng, profile);
      const Role role = static_cast<Role>(std::uniform_int_distribution<int>(0, 2)(rng));
      Reply r = rig.sup.handle(Request{c, role, "prop"}, rig.now);
      check.after_command(c, r);
      if (rig.state() == State::estopped) {
        check.latched_estop = true;
        ASSERT_EQ(rig.commanded(), 0) << "e-stop must zero the setpoint at once";
      }
    }
    if (fault_now(rng)) {
      switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
        case 0: rig.fb.fault_code = 9; break;
        case 1: rig.link_replies = false; break;
        case 2: rig.fb.safety_key_present = false; break;
        case 3: rig.sensor_offset_kmh = 1.0; break;
        default: rig.overrun = true; break;
      }
    }
    if (heal_now(rng)) {
      rig.fb.fault_code = 0;
      rig.link_replies = true;
      rig.fb.safety_key_present = true;
      rig.sensor_offset_kmh = 0;
      rig.overrun = false;
    }
    rig.period = jitter(rng) ? Millis(std::uniform_int_distribution<int>(1, 300)(rng)) : 20ms;

    const DriveCommand before = rig.sup.drive_command();
    const double measured_before = rig.fb.measured_kmh;
    const TimePoint t0 = rig.now;
    rig.tick();
    ++ticks;
    visited.insert(rig.state());
    const DriveCommand& after = rig.sup.drive_command();
    const Status st = rig.sup.status();
    const double dt = std::min(std::chrono::duration<double>(rig.now - t0).count(),
                               std::chrono::duration<double>(rig.sup.settings().max_tick_gap).count());
    const Ceilings& c = rig.sup.settings().ceilings;

    // 1. commanded speed never above the active cap
    const double ceiling = after.direction == Direction::forward ? c.forward_max_kmh : c.reverse_max_kmh;
    const double cap = st.profile ? st.profile->cap_kmh(after.direction) : ceiling;
    ASSERT_LE(after.setpoint_kmh, cap + 1e-9) << "tick " << i;
    // 2. the setpoint never changes faster than the ramp (a fast stop hands braking to the drive)
    const double delta = after.setpoint_kmh - before.setpoint_kmh;
    if (delta > 0) {
      ASSERT_TRUE(st.profile.has_value()) << "speeding up without a session, tick " << i;
      ASSERT_LE(delta, kmh_per_s(st.profile->accel_for(after.direction)) * dt + 1e-9) << "tick " << i;
      // 5. no motion after a stop without a new start
      ASSERT_TRUE(check.may_move) << "moving without a start, tick " << i;
    } else if (delta < 0 && after.motion != Motion::fast_stop) {
      const double decel = st.profile ? st.profile->decel_for(after.direction) : c.max_decel_mps2;
      ASSERT_LE(-delta, kmh_per_s(std::max(decel, 0.0)) * dt + 1e-9) << "tick " << i;
    }
    // 3. never a direction change while the belt moves
    if (after.direction != before.direction) {
      ASSERT_LT(measured_before, standstill) << "direction flipped while moving, tick " << i;
      ASSERT_EQ(after.setpoint_kmh, 0) << "tick " << i;
    }
    // 4. after an e-stop the setpoint is 0 until reset
    if (check.latched_estop) {
      ASSERT_EQ(after.setpoint_kmh, 0) << "tick " << i;
    }
    // 6. the one gate: from a setpoint of 0 the belt rises no higher than the start speed before it
    //    has held a speed; from a held speed no more than max_step up, and while the session runs
    //    (not stopping, pausing or cooling down) no more than max_step down — whatever asked.
    if (after.motion == Motion::run && st.profile) {
      const double step = st.profile->max_step_kmh.value_or(1e9);
      const double highest = check.held_kmh == 0 ? st.profile->start_speed_kmh : check.held_kmh + step;
      ASSERT_LE(after.setpoint_kmh, highest + 1e-9)
          << "tick " << i << ": held " << check.held_kmh << ", state " << to_string(st.state);
      if (delta < 0 && st.state == State::running) {
        ASSERT_GE(after.setpoint_kmh, check.held_kmh - step - 1e-9) << "tick " << i;
      }
    }
    if (after.setpoint_kmh == 0) {
      check.held_kmh = 0;
    } else if (after.setpoint_kmh == before.setpoint_kmh && after.motion == Motion::run) {
      check.held_kmh = after.setpoint_kmh;
    }
    // 7. a program's session never runs faster than the program's fastest segment
    if (check.program_max_kmh >= 0 && st.profile) {
      ASSERT_LE(after.setpoint_kmh, check.program_max_kmh + 1e-9) << "tick " << i;
    }
    if (st.state == State::idle || st.state == State::faulted || st.state == State::estopped ||
        st.state == State::locked) {
      check.may_move = false;
      check.program_max_kmh = -1;
    }
  }
}

TEST(SupervisorProperty, invariants_hold_over_a_million_random_ticks) {
  std::set<State> visited;
  long ticks = 0;
  for (int run = 0; run < runs; ++run) {
    ASSERT_NO_FATAL_FAILURE(one_run(seed_for(run), visited, ticks));
    if (std::getenv("TREADD_PROPERTY_SEED")) return;
  }
  EXPECT_EQ(ticks, 1000000);
  // The random walk must reach every state, or the invariants were checked on too little.
  for (State s : {State::idle, State::locked, State::running, State::changing_direction, State::paused,
                  State::cooling_down, State::stopping, State::faulted, State::estopped}) {
    EXPECT_TRUE(visited.count(s)) << "never visited " << to_string(s);
  }
}

}  // namespace
}  // namespace treadd::testing
