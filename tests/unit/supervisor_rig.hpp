// SPDX-License-Identifier: Apache-2.0
// A supervisor on simulated time with an ideal belt: tests script `rig.run_for(5s)` and nothing sleeps.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/ramp.hpp"
#include "daemon/supervisor/supervisor.hpp"

namespace treadd::testing {

using namespace std::chrono_literals;

inline Ceilings test_ceilings() {
  Ceilings c;
  c.forward_max_kmh = 12;
  c.reverse_max_kmh = 6;
  c.max_accel_mps2 = 0.5;
  c.max_decel_mps2 = 0.8;
  c.emergency_decel_mps2 = 1.5;
  c.max_session = 60min;
  return c;
}

// A fact by name and type; a missing fact, or one of another type, throws naming it (the test
// fails cleanly, never reads through a null pointer).
template <class T>
T fact(const Facts& facts, std::string_view name) {
  const Fact* f = find_fact(facts, name);
  if (f == nullptr) throw std::runtime_error("no fact '" + std::string(name) + "'");
  if (!std::holds_alternative<T>(f->value)) throw std::runtime_error("fact '" + std::string(name) + "' is of another type");
  return std::get<T>(f->value);
}
inline double kmh_fact(const Facts& facts, std::string_view name) { return fact<Kmh>(facts, name).value; }
inline std::string_view word_fact(const Facts& facts, std::string_view name) { return fact<Word>(facts, name).value; }

inline Profile test_profile() {
  Profile p;
  p.name = "lumbar-test";
  p.direction = Direction::reverse;
  p.reverse_cap_kmh = 4;
  p.forward_cap_kmh = 6;
  p.start_speed_kmh = 0.5;
  p.accel_mps2 = 0.25;
  p.decel_mps2 = 0.3;
  p.reverse_accel_mps2 = 0.2;
  p.reverse_decel_mps2 = 0.3;
  p.session_time = 20min;
  p.warning_before_end = 2min;
  p.cooldown_speed_kmh = 1.5;
  p.cooldown_time = 1min;
  p.max_pause = 5min;
  return p;
}

inline Program test_program(std::string name, std::vector<Segment> segments) {
  Program g;
  g.name = std::move(name);
  g.profile = test_profile().name;
  g.segments = std::move(segments);
  return g;
}

inline SupervisorSettings test_settings() {
  SupervisorSettings s;
  s.ceilings = test_ceilings();
  return s;
}

struct Rig {
  explicit Rig(SupervisorSettings s = test_settings()) : sup(s) {
    fb.link_up = true;
    run_for(3s);  // settle at standstill so a start is allowed
  }

  Supervisor sup;
  TimePoint now = TimePoint{} + 1h;
  DriveFeedback fb;
  bool overrun = false;
  bool link_replies = true;   // false: feedback stops arriving
  double sensor_offset_kmh = 0;
  Millis period = 20ms;

  // The ideal belt follows the setpoint; in a fast stop it brakes at the emergency rate.
  void plant(Millis dt) {
    const DriveCommand& cmd = sup.drive_command();
    const double dt_s = std::chrono::duration<double>(dt).count();
    if (cmd.motion == Motion::fast_stop) {
      belt_kmh = std::max(0.0, belt_kmh - kmh_per_s(sup.settings().ceilings.emergency_decel_mps2) * dt_s);
    } else {
      belt_kmh = cmd.setpoint_kmh;
    }
    if (belt_kmh == 0) belt_direction = cmd.direction;
  }

  void tick() {
    now += period;
    plant(period);
    if (link_replies) {
      ++fb.sequence;
      fb.received_at = now;
      fb.measured_kmh = belt_kmh + sensor_offset_kmh;
      fb.turning = belt_kmh > 0 ? std::optional(turn_reported(belt_direction)) : std::nullopt;
      fb.direction_verified = true;
    }
    sup.update(TickInputs{fb, overrun}, now);
  }

  void run_for(Millis d) {
    for (Millis t{0}; t < d; t += period) tick();
  }

  template <class Pred>
  bool run_until(Pred pred, Millis limit) {
    for (Millis t{0}; t < limit; t += period) {
      if (pred()) return true;
      tick();
    }
    return pred();
  }

  Reply send(Command c, Role role = Role::clinician) { return sup.handle(Request{std::move(c), role, "test"}, now); }
  Reply start(Profile p = test_profile()) { return send(StartCmd{std::move(p), std::nullopt, std::nullopt}); }

  double commanded() const { return sup.drive_command().setpoint_kmh; }
  State state() const { return sup.state(); }

  double belt_kmh = 0;
  Direction belt_direction = Direction::reverse;
  bool belt_turns_wrong_way = false;  // a miswired motor, or a drive that ignores the direction word
  Direction turn_reported(Direction d) const {
    if (!belt_turns_wrong_way) return d;
    return d == Direction::forward ? Direction::reverse : Direction::forward;
  }
};

}  // namespace treadd::testing
