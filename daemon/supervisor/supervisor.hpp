// SPDX-License-Identifier: Apache-2.0
// The safety supervisor: the only code that decides what the drive is told.
// A deterministic state machine (PX4 failsafe style): fed (inputs, now), returns outputs.
// It reads no clock, does no I/O and starts no thread, so tests run hours of session in microseconds.
#pragma once

#include <map>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "daemon/supervisor/fault_monitor.hpp"
#include "daemon/supervisor/safety_policy.hpp"
#include "daemon/supervisor/types.hpp"

namespace treadd {

struct SupervisorSettings {
  Ceilings ceilings;
  SafetySettings safety;
  // A late tick may not turn into one big setpoint step: the ramp's dt is capped here.
  Millis max_tick_gap{100};
  // Why no session may start on this machine at all (its drive has not passed commissioning);
  // nothing = sessions may start.
  std::optional<std::string> start_blocked;
  RoleGroups role_groups;  // named in a role refusal
};

struct SegmentStatus {
  std::size_t index = 0;  // 0-based
  std::size_t count = 0;
  Segment current;
  double remaining_s = 0;
  std::optional<Segment> next;
  // Staff lowered this segment's speed by hand: it holds until the segment ends (remaining_s).
  std::optional<double> lowered_to_kmh;
};

struct Status {
  State state = State::idle;
  Direction direction = Direction::reverse;
  Motion motion = Motion::stop;
  double target_kmh = 0;
  double commanded_kmh = 0;
  double measured_kmh = 0;
  std::optional<Profile> profile;  // effective limits of the running session
  std::optional<std::string> program;
  std::optional<SegmentStatus> segment;
  double session_s = 0;
  double session_limit_s = 0;
  double distance_m = 0;
  std::optional<Fault> fault;
  std::optional<Notice> warning;  // the session's warning, live (time left)
  std::optional<double> cooldown_left_s;  // while cooling down
  std::optional<Ending> last_ending;  // how the last session ended
  bool at_standstill = true;
};

class Supervisor {
 public:
  explicit Supervisor(SupervisorSettings settings);

  // A command, handled at once (e-stop does not wait for the next tick). Read drive_command() after it.
  Reply handle(const Request& request, TimePoint now);
  // One control tick.
  const DriveCommand& update(const TickInputs& inputs, TimePoint now);

  const DriveCommand& drive_command() const { return drive_; }
  Status status() const;
  State state() const { return state_; }
  const SupervisorSettings& settings() const { return settings_; }
  // The daemon's verdict on the drive's commissioning (SupervisorSettings::start_blocked).
  void block_starts(std::optional<std::string> why) { settings_.start_blocked = std::move(why); }
  // At start-up, before any command: the lock-out the daemon found persisted (or could not read).
  void restore_lockout() {
    locked_ = true;
    if (state_ == State::idle) state_ = State::locked;
  }

  // Events since the last call; the caller logs and records them.
  const std::vector<Event>& events() const { return events_; }
  void clear_events() { events_.clear(); }

 private:
  struct Session {
    Profile profile;  // effective: the clinician's values bounded by the machine's ceilings
    std::optional<Program> program;
    Direction direction = Direction::reverse;
    // What the session's source asks for now (the start speed, a hand `speed`, the program's
    // segment); only the gate turns it into `target_kmh`, the target the ramp follows.
    double goal_kmh = 0;
    double target_kmh = 0;
    // The target the belt last held (0 after the setpoint reached 0): the gate's steps count from it.
    double settled_kmh = 0;
    // A program's speed lowered by hand: only lower, and only until the segment ends.
    std::optional<double> lowered_to_kmh;
    Millis elapsed{0};  // active time, pauses excluded
    double distance_m = 0;
    bool warned = false;
    std::optional<TimePoint> paused_at;
    Millis cooldown_elapsed{0};
    Ending ending;  // set when the session begins to stop
    Direction pending_direction = Direction::reverse;
    double pending_goal_kmh = 0;
    std::size_t segment = 0;
    Millis segment_elapsed{0};
    TimePoint last_heartbeat{};
  };

  Reply start(const StartCmd& cmd, const Request& request, TimePoint now);
  Reply set_speed(const SpeedCmd& cmd, const std::string& who);
  Reply lower_program_speed(double kmh, const std::string& who);
  // Whether the gate holds the target below the goal, and why: the start speed first, or steps.
  Facts stepping() const;
  Reply set_direction(const DirectionCmd& cmd, TimePoint now);
  Reply pause(TimePoint now);
  Reply resume();
  Reply stop(const StopCmd& cmd, const std::string& who);
  Reply emergency_stop(TimePoint now);
  Reply reset(TimePoint now);
  Reply lock(TimePoint now);
  Reply unlock();

  // The session's limits that hold now, as conditions (detection only: the policy chooses by the
  // rule table's reaction column, advance_session applies).
  Conditions session_limits(TimePoint now) const;
  void advance_session(Millis dt, TimePoint now);
  // A session limit the policy chose: a cool-down slows a running session, anything else stops it.
  void slow_or_stop(const Fault& limit);
  void advance_program(Millis dt);
  void begin_direction_change(Direction to, double goal_kmh);
  // The one gate (safety rule 3 and the step limit): the target the session may adopt now for its
  // goal, whatever set the goal — start, hand command, program segment, resume, direction change.
  double gated_target() const;
  // Before a tick's ramp: the target the belt holds (or 0) is where the next step counts from.
  void note_where_the_belt_holds();
  // The gated target becomes the one the ramp follows: after every tick and every command.
  void adopt_gated_target();
  // A stop by a rule carries its id and facts; an operator's stop or a completed program has none.
  void begin_stop(Ending ending);
  void end_session(Ending ending, TimePoint now);
  // What the policy latched this tick: recorded, and the state changes if things got worse.
  void apply(const SafetyPolicy::Latched& latched, TimePoint now);
  double target_for_state() const;
  void ramp_commanded(double dt_s);
  void refresh_drive_command();
  bool at_standstill(TimePoint now) const;
  // The not_at_standstill refusal: where the belt is (moving, settling, unknown), the action that
  // waits for standstill and what may be done instead (words of wording.cpp).
  Reply refuse_unless_standstill(TimePoint now, std::string_view action, std::string_view alternative) const;
  double active_cap(Direction d) const;
  Profile effective(const Profile& p) const;
  void emit(Event::Kind kind, NoticeId notice, Facts facts = {}) {
    events_.push_back(Event{kind, std::nullopt, notice, std::move(facts), {}, {}});
  }
  void emit(Event::Kind kind, RuleId rule, Facts facts) { events_.push_back(Event{kind, rule, std::nullopt, std::move(facts), {}, {}}); }

  SupervisorSettings settings_;
  FaultMonitor monitor_;   // detects: every condition, each tick
  SafetyPolicy policy_;    // decides: the latched rules, by the rule table's columns
  State state_ = State::idle;
  bool locked_ = false;  // a lock-out outlives e-stops, faults and resets; only unlock clears it
  std::optional<Session> session_;
  std::optional<Fault> fault_;
  Direction direction_ = Direction::reverse;  // the belt's direction; changes only at standstill
  double commanded_kmh_ = 0;
  double measured_kmh_ = 0;
  DriveFeedback last_feedback_;
  std::optional<TimePoint> standstill_since_;
  std::optional<TimePoint> last_tick_;
  std::optional<Ending> last_ending_;
  std::map<std::string, TimePoint> last_end_by_profile_;
  DriveCommand drive_;
  bool acknowledge_drive_fault_ = false;  // one command carries the drive's fault reset
  std::vector<Event> events_;
};

}  // namespace treadd
