// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/supervisor.hpp"

#include <algorithm>
#include <limits>

#include "core/ramp.hpp"

namespace treadd {

using std::chrono::duration;
using std::chrono::duration_cast;

Supervisor::Supervisor(SupervisorSettings settings)
    : settings_(settings), monitor_(settings.safety) {
  events_.reserve(16);
}

bool Supervisor::at_standstill(TimePoint now) const {
  return standstill_since_ && now - *standstill_since_ >= settings_.safety.standstill_dwell;
}

double Supervisor::active_cap(Direction d) const {
  if (session_) return session_->profile.cap_kmh(d);
  return d == Direction::forward ? settings_.ceilings.forward_max_kmh : settings_.ceilings.reverse_max_kmh;
}

Profile Supervisor::effective(const Profile& p) const {
  const Ceilings& c = settings_.ceilings;
  Profile e = p;
  e.forward_cap_kmh = std::min(p.forward_cap_kmh, c.forward_max_kmh);
  e.reverse_cap_kmh = std::min(p.reverse_cap_kmh, c.reverse_max_kmh);
  e.session_time = std::min(p.session_time, c.max_session);
  // The whole session, cool-down included, fits the machine's longest session.
  e.cooldown_time = std::min(p.cooldown_time, c.max_session - e.session_time);
  // Every ramp between the machine's floor and its ceiling: never faster than the ceiling, and
  // never so slow that `stop` or `start` would mean nothing (the loader refuses such a profile;
  // this holds even for one built in code).
  const double stop_s = std::chrono::duration<double>(c.max_stop_time).count();
  const double speedup_s = std::chrono::duration<double>(c.max_speedup_time).count();
  auto bounded_rate = [](double rate, double cap_kmh, double seconds, double ceiling) {
    return std::min(std::max(rate, rate_to_cover(cap_kmh, seconds)), ceiling);
  };
  e.decel_mps2 = bounded_rate(e.decel_mps2, e.forward_cap_kmh, stop_s, c.max_decel_mps2);
  e.reverse_decel_mps2 = bounded_rate(e.reverse_decel_mps2, e.reverse_cap_kmh, stop_s, c.max_decel_mps2);
  e.accel_mps2 = bounded_rate(e.accel_mps2, e.forward_cap_kmh, speedup_s, c.max_accel_mps2);
  e.reverse_accel_mps2 = bounded_rate(e.reverse_accel_mps2, e.reverse_cap_kmh, speedup_s, c.max_accel_mps2);
  return e;
}

const DriveCommand& Supervisor::update(const TickInputs& in, TimePoint now) {
  acknowledge_drive_fault_ = false;  // the acknowledge went out with the command right after reset
  Millis dt{0};
  if (last_tick_ && now > *last_tick_) dt = std::min(duration_cast<Millis>(now - *last_tick_), settings_.max_tick_gap);
  last_tick_ = now;

  const DriveFeedback& fb = in.feedback;
  last_feedback_ = fb;
  measured_kmh_ = fb.measured_kmh;
  if (fb.link_up && fb.measured_kmh < settings_.safety.standstill_kmh) {
    if (!standstill_since_) standstill_since_ = now;
  } else {
    standstill_since_.reset();
  }

  // The stricter of the commanded and the reported direction's cap: a drive that reports speed
  // without (or with a wrong) sign must not turn a reverse run into a check against the forward cap.
  const double overspeed_cap =
      session_ ? std::min(active_cap(fb.turning.value_or(direction_)), active_cap(direction_))
               : active_cap(fb.turning.value_or(direction_));
  MotionReference ref{direction_, commanded_kmh_, overspeed_cap, drive_.motion == Motion::run};
  apply(policy_.latch(monitor_.evaluate(in, ref, now)), now);

  if (session_) advance_session(dt, now);
  if (session_) note_where_the_belt_holds();
  ramp_commanded(duration<double>(dt).count());

  if (session_ && state_ == State::stopping && commanded_kmh_ == 0 && fb.measured_kmh < settings_.safety.standstill_kmh) {
    end_session(std::move(session_->ending), now);
    state_ = State::idle;
  }
  if (session_ && state_ == State::changing_direction && commanded_kmh_ == 0 && at_standstill(now)) {
    direction_ = session_->pending_direction;
    session_->direction = direction_;
    session_->goal_kmh = session_->pending_goal_kmh;
    session_->lowered_to_kmh.reset();
    state_ = State::running;
    emit(Event::Kind::direction_changed, NoticeId::direction_now, {{"direction", Word{to_string(direction_)}}});
  }
  // Adopted after this tick's ramp: a target the belt reached is held for a tick before the next
  // step, so every step starts from where the belt was.
  if (session_) adopt_gated_target();
  refresh_drive_command();
  return drive_;
}

double Supervisor::gated_target() const {
  const Session& s = *session_;
  const Profile& p = s.profile;
  double goal = std::min(s.goal_kmh, p.cap_kmh(s.direction));
  if (s.lowered_to_kmh) goal = std::min(goal, *s.lowered_to_kmh);
  const double step = p.max_step_kmh.value_or(std::numeric_limits<double>::infinity());
  // From a standing belt the first target is the start speed (rule 3), whatever asked for more;
  // after that no step larger than max_step from the target the belt last held, up or down.
  const double highest = s.settled_kmh == 0 ? std::min(p.start_speed_kmh, goal) : s.settled_kmh + step;
  const double lowest = std::max(0.0, s.settled_kmh - step);
  return std::clamp(goal, std::min(lowest, highest), highest);
}

void Supervisor::note_where_the_belt_holds() {
  Session& s = *session_;
  if (commanded_kmh_ == 0) {
    s.settled_kmh = 0;
  } else if (state_ == State::running && commanded_kmh_ == s.target_kmh) {
    s.settled_kmh = s.target_kmh;
  }
}

void Supervisor::adopt_gated_target() {
  Session& s = *session_;
  if (commanded_kmh_ == 0) s.settled_kmh = 0;
  s.target_kmh = gated_target();
}

Conditions Supervisor::session_limits(TimePoint now) const {
  Conditions c;
  const Session& s = *session_;
  const Profile& p = s.profile;
  if (state_ == State::stopping) return c;  // already ending
  const bool under_way = state_ == State::running || state_ == State::changing_direction;
  if (state_ == State::paused && s.paused_at && now - *s.paused_at > p.max_pause) {
    c.raise(RuleId::max_pause, {{"limit", Span{p.max_pause}}});
  }
  if (state_ != State::paused && s.elapsed >= settings_.ceilings.max_session) {
    c.raise(RuleId::max_session, {{"limit", Span{settings_.ceilings.max_session}}});
  }
  if (under_way && p.presence_timeout && now - s.last_heartbeat > *p.presence_timeout) {
    c.raise(RuleId::presence_lost, {{"limit", Span{*p.presence_timeout}}});
  }
  if (under_way && p.max_distance_m && s.distance_m >= *p.max_distance_m) {
    c.raise(RuleId::max_distance, {{"limit", Metres{*p.max_distance_m}}});
  }
  if (under_way && s.elapsed >= p.session_time) {
    c.raise(RuleId::session_time, {{"limit", Span{p.session_time}}, {"cooldown", Span{p.cooldown_time}}});
  }
  if (state_ == State::cooling_down && s.cooldown_elapsed >= p.cooldown_time) {
    c.raise(RuleId::session_time, {{"limit", Span{p.session_time}}, {"cooled_down", Span{p.cooldown_time}}});
  }
  return c;
}

void Supervisor::advance_session(Millis dt, TimePoint now) {
  Session& s = *session_;
  const Profile& p = s.profile;
  if (state_ != State::paused) {
    s.elapsed += dt;
    s.distance_m += distance_m(measured_kmh_, duration<double>(dt).count());
    if (state_ == State::cooling_down) s.cooldown_elapsed += dt;
  }
  // Detection, then the policy's choice by the table's reaction column, then its application.
  const std::optional<Fault> limit = policy_.session_end(session_limits(now));
  if (limit && rule(limit->rule).reaction == Reaction::stop_session) {
    begin_stop({limit->rule, limit->facts, {}, {}});
    return;
  }
  // The warning is due when the session goes on, or slows into its cool-down.
  if ((state_ == State::running || state_ == State::changing_direction) && !s.warned &&
      s.elapsed >= p.session_time - p.warning_before_end) {
    s.warned = true;
    emit(Event::Kind::warning, NoticeId::time_left, {{"left", Span{p.session_time - s.elapsed}}});
  }
  if (limit) {
    slow_or_stop(*limit);
    return;
  }
  if (s.program && state_ == State::running) advance_program(dt);
}

void Supervisor::slow_or_stop(const Fault& limit) {
  // A cool-down slows a running session to its cool-down speed, once (cooldown_elapsed starts at
  // 0); a session not running, or one whose cool-down is over, stops.
  if (rule(limit.rule).reaction == Reaction::cool_down && state_ == State::running) {
    state_ = State::cooling_down;
    emit(Event::Kind::warning, limit.rule, limit.facts);
    return;
  }
  begin_stop({limit.rule, limit.facts, {}, {}});
}

void Supervisor::advance_program(Millis dt) {
  Session& s = *session_;
  const auto& segments = s.program->segments;
  s.segment_elapsed += dt;
  if (s.segment_elapsed < segments[s.segment].duration) return;
  s.segment_elapsed = Millis{0};
  if (++s.segment >= segments.size()) {
    s.segment = segments.size() - 1;
    begin_stop({std::nullopt, {{"completed", Name{s.program->name}}}, {}, {}});
    return;
  }
  const Segment& next = segments[s.segment];
  if (s.lowered_to_kmh) {
    s.lowered_to_kmh.reset();
    emit(Event::Kind::hand_speed, NoticeId::program_speed_back, {{"segment", Count{static_cast<long long>(s.segment)}}});
  }
  if (next.direction != s.direction) {
    begin_direction_change(next.direction, next.speed_kmh);
  } else {
    s.goal_kmh = next.speed_kmh;  // the gate steps toward it
  }
}

void Supervisor::begin_direction_change(Direction to, double goal_kmh) {
  session_->pending_direction = to;
  session_->pending_goal_kmh = goal_kmh;
  state_ = State::changing_direction;
}

void Supervisor::begin_stop(Ending ending) {
  session_->ending = std::move(ending);
  state_ = State::stopping;
}

void Supervisor::end_session(Ending ending, TimePoint now) {
  if (!session_) return;
  last_end_by_profile_[session_->profile.name] = now;
  events_.push_back(Event{Event::Kind::session_ended, ending.rule, std::nullopt, ending.facts, ending.reason, ending.by});
  last_ending_ = std::move(ending);
  session_.reset();
}

void Supervisor::apply(const SafetyPolicy::Latched& latched, TimePoint now) {
  // Called from update() only, which then zeroes the setpoint (ramp_commanded) and sends the
  // fast stop (refresh_drive_command) in the same tick. Every newly latched rule is recorded (and
  // counted), all before the session ends so its record has them all; only what made things worse
  // changes the state, named by the first rule of the strongest reaction.
  for (const Fault& fault : latched.added) {
    emit(Event::Kind::fault, fault.rule, fault.facts);
  }
  if (!latched.worse || policy_.strongest() != Reaction::fast_stop_latch) return;
  for (const Fault& fault : latched.added) {
    if (rule(fault.rule).reaction != Reaction::fast_stop_latch) continue;
    fault_ = fault;
    state_ = State::faulted;
    end_session({fault.rule, fault.facts, {}, {}}, now);
    return;
  }
}

double Supervisor::target_for_state() const {
  if (!session_) return 0;
  switch (state_) {
    case State::running: return session_->target_kmh;
    case State::cooling_down: return std::min(session_->target_kmh, session_->profile.cooldown_speed_kmh);
    default: return 0;
  }
}

void Supervisor::ramp_commanded(double dt_s) {
  if (state_ == State::estopped || state_ == State::faulted) {
    commanded_kmh_ = 0;  // the drive's own fast-stop ramp brings the belt down
    return;
  }
  double accel = settings_.ceilings.max_accel_mps2;
  double decel = settings_.ceilings.max_decel_mps2;
  if (session_) {
    accel = session_->profile.accel_for(direction_);
    decel = session_->profile.decel_for(direction_);
  }
  commanded_kmh_ = ramp_toward(commanded_kmh_, target_for_state(), accel, decel, dt_s);
}

void Supervisor::refresh_drive_command() {
  drive_.acknowledge_fault = acknowledge_drive_fault_;
  drive_.direction = direction_;
  drive_.setpoint_kmh = commanded_kmh_;
  if (state_ == State::estopped || state_ == State::faulted) {
    drive_.motion = Motion::fast_stop;
  } else if (session_ && (commanded_kmh_ > 0 || target_for_state() > 0)) {
    drive_.motion = Motion::run;
  } else {
    drive_.motion = Motion::stop;
  }
}

Status Supervisor::status() const {
  Status st;
  st.state = state_;
  st.direction = direction_;
  st.motion = drive_.motion;
  st.target_kmh = target_for_state();
  st.commanded_kmh = commanded_kmh_;
  st.measured_kmh = measured_kmh_;
  st.fault = fault_;
  st.last_ending = last_ending_;
  st.at_standstill = last_tick_ ? at_standstill(*last_tick_) : false;
  if (session_) {
    const Session& s = *session_;
    st.profile = s.profile;
    st.session_s = duration<double>(s.elapsed).count();
    st.session_limit_s = duration<double>(s.profile.session_time).count();
    st.distance_m = s.distance_m;
    // Live, not the text of the moment the warning fired: the time left counts down.
    if (state_ == State::cooling_down) {
      const Millis left = std::max(Millis{0}, s.profile.cooldown_time - s.cooldown_elapsed);
      st.cooldown_left_s = duration<double>(left).count();
      st.warning = Notice{NoticeId::cooling_down_left, {{"speed", Kmh{s.profile.cooldown_speed_kmh}}, {"left", Span{left}}}};
    } else if (s.warned) {
      st.warning = Notice{NoticeId::time_left, {{"left", Span{std::max(Millis{0}, s.profile.session_time - s.elapsed)}}}};
    }
    if (s.program) {
      const auto& segs = s.program->segments;
      SegmentStatus seg;
      seg.index = s.segment;
      seg.count = segs.size();
      seg.current = segs[s.segment];
      seg.remaining_s = duration<double>(segs[s.segment].duration - s.segment_elapsed).count();
      if (s.segment + 1 < segs.size()) seg.next = segs[s.segment + 1];
      seg.lowered_to_kmh = s.lowered_to_kmh;
      st.program = s.program->name;
      st.segment = seg;
    }
  }
  return st;
}

}  // namespace treadd
