// SPDX-License-Identifier: Apache-2.0
// Command handling of the supervisor: each refusal says why, with the limit that refused it.
#include <cmath>

#include "daemon/supervisor/supervisor.hpp"

namespace treadd {
namespace {

const CommandSpec& spec_of(const Command& c) {
  return std::visit(
      [](const auto& cmd) -> const CommandSpec& {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, StartCmd>) {
          return StartRequest::spec;  // the daemon resolved the request's profile into this command
        } else {
          return T::spec;
        }
      },
      c);
}

// A refusal that names a latched fault: {fault} reads as that fault's own sentence, from its facts.
Reply refused_naming(RuleId refusal, const Fault& fault) {
  Facts facts{{"fault", RuleRef{fault.rule}}};
  facts.insert(facts.end(), fault.facts.begin(), fault.facts.end());
  return Reply::refused(refusal, std::move(facts));
}

}  // namespace

Reply Supervisor::handle(const Request& request, TimePoint now) {
  if (auto refused = check_role(spec_of(request.command), request.role, settings_.role_groups)) return *refused;
  Reply reply = std::visit(
      [&](const auto& cmd) -> Reply {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, StartCmd>) return start(cmd, request, now);
        if constexpr (std::is_same_v<T, SpeedCmd>) return set_speed(cmd, request.who);
        if constexpr (std::is_same_v<T, DirectionCmd>) return set_direction(cmd, now);
        if constexpr (std::is_same_v<T, PauseCmd>) return pause(now);
        if constexpr (std::is_same_v<T, ResumeCmd>) return resume();
        if constexpr (std::is_same_v<T, StopCmd>) return stop(cmd, request.who);
        if constexpr (std::is_same_v<T, EStopCmd>) return emergency_stop(now);
        if constexpr (std::is_same_v<T, ResetCmd>) return reset(now);
        if constexpr (std::is_same_v<T, LockCmd>) return lock(now);
        if constexpr (std::is_same_v<T, UnlockCmd>) return unlock();
        if constexpr (std::is_same_v<T, HeartbeatCmd>) {
          if (!session_) return Reply::ok(NoticeId::holding_for_session);
          session_->last_heartbeat = now;
          return Reply::ok();
        }
      },
      request.command);
  if (session_) adopt_gated_target();  // whatever the command changed, the target passes the gate
  refresh_drive_command();
  return reply;
}

Reply Supervisor::refuse_unless_standstill(TimePoint now, std::string_view action, std::string_view alternative) const {
  Facts facts{{"action", Word{action}},
              {"below", Kmh{settings_.safety.standstill_kmh}},
              {"dwell", Span{settings_.safety.standstill_dwell}},
              {"alternative", Word{alternative}}};
  if (!last_feedback_.link_up) {
    facts.push_back({"belt", Word{"unknown_speed"}});
  } else if (standstill_since_) {
    facts.push_back({"belt", Word{"settling"}});
    facts.push_back({"settled", Elapsed{std::chrono::duration_cast<Millis>(now - *standstill_since_)}});
  } else {
    facts.push_back({"belt", Word{"moving"}});
    facts.push_back({"measured", Kmh{measured_kmh_}});
  }
  return Reply::refused(RuleId::not_at_standstill, std::move(facts));
}

Reply Supervisor::start(const StartCmd& cmd, const Request& request, TimePoint now) {
  switch (state_) {
    case State::estopped: return Reply::refused(RuleId::estop_latched);
    case State::faulted: return refused_naming(RuleId::fault_latched, *fault_);
    case State::locked: return Reply::refused(RuleId::locked_out);
    case State::idle: break;
    default: return Reply::refused(RuleId::session_running);
  }
  if (settings_.start_blocked) return Reply::refused(RuleId::drive_not_commissioned, {{"why", Name{*settings_.start_blocked}}});
  if (!at_standstill(now)) return refuse_unless_standstill(now, "start", "none");
  Profile p = effective(cmd.profile);
  const Direction dir = cmd.direction.value_or(p.direction);
  if (p.cap_kmh(dir) <= 0) {
    return Reply::refused(RuleId::direction_not_allowed, {{"profile", Name{p.name}}, {"direction", Word{to_string(dir)}}});
  }
  if (p.rest_between) {
    auto it = last_end_by_profile_.find(p.name);
    if (it != last_end_by_profile_.end() && now - it->second < *p.rest_between) {
      const auto left = std::chrono::duration_cast<Millis>(*p.rest_between - (now - it->second));
      return Reply::refused(RuleId::rest_between,
                            {{"profile", Name{p.name}},
                             {"rest", Span{*p.rest_between}},
                             {"left", Span{std::chrono::ceil<std::chrono::seconds>(left)}}});
    }
  }
  Session s;
  s.direction = dir;
  s.goal_kmh = std::min(p.start_speed_kmh, p.cap_kmh(dir));
  if (cmd.program) {
    if (cmd.program->segments.empty()) return Reply::refused(RuleId::program_empty, {{"program", Name{cmd.program->name}}});
    const Segment& first = cmd.program->segments.front();
    for (const Segment& seg : cmd.program->segments) {
      if (seg.speed_kmh > p.cap_kmh(seg.direction)) {
        return Reply::refused(RuleId::program_above_cap, {{"program", Name{cmd.program->name}},
                                                          {"asked", Kmh{seg.speed_kmh}},
                                                          {"direction", Word{to_string(seg.direction)}},
                                                          {"cap", Kmh{p.cap_kmh(seg.direction)}},
                                                          {"profile", Name{p.name}}});
      }
    }
    s.direction = first.direction;
    s.goal_kmh = first.speed_kmh;  // reached through the start speed and steps (the gate)
    s.program = cmd.program;
  }
  s.profile = std::move(p);
  s.last_heartbeat = now;
  direction_ = s.direction;
  session_ = std::move(s);
  state_ = State::running;
  adopt_gated_target();
  const Session& started = *session_;
  // The program, if any, as the line reads it: named in the journal, with its length in the reply.
  auto with_program = [&](Facts facts, std::string_view phrase) {
    if (!started.program) {
      facts.push_back({"program", Word{"none"}});
      return facts;
    }
    facts.push_back({"program", Word{phrase}});
    facts.push_back({"program_name", Name{started.program->name}});
    facts.push_back({"segments", Count{static_cast<long long>(started.program->segments.size())}});
    return facts;
  };
  const Fact profile{"profile", Name{started.profile.name}}, direction{"direction", Word{to_string(direction_)}};
  emit(Event::Kind::session_started, NoticeId::started_by,
       with_program({profile, direction, {"who", Name{request.who}}}, "program_named"));
  return Reply::ok(NoticeId::session_started,
                   with_program({profile, direction, {"target", Kmh{started.target_kmh}}}, "program_with_segments"));
}

Reply Supervisor::set_speed(const SpeedCmd& cmd, const std::string& who) {
  if (!std::isfinite(cmd.kmh) || cmd.kmh < 0) {
    return Reply::refused(RuleId::speed_not_a_number);
  }
  if (!session_) return Reply::refused(RuleId::no_session, {{"hint", Word{"start_with_profile"}}});
  switch (state_) {
    case State::running: break;
    case State::paused: return Reply::refused(RuleId::session_paused);
    case State::changing_direction: return Reply::refused(RuleId::session_changing_direction);
    case State::cooling_down: return Reply::refused(RuleId::session_cooling_down);
    default: return Reply::refused(RuleId::session_stopping);
  }
  Session& s = *session_;
  const double cap = s.profile.cap_kmh(s.direction);
  if (cmd.kmh > cap) {
    return Reply::refused(RuleId::above_cap, {{"asked", Kmh{cmd.kmh}},
                                              {"direction", Word{to_string(s.direction)}},
                                              {"cap", Kmh{cap}},
                                              {"profile", Name{s.profile.name}}});
  }
  if (s.profile.max_step_kmh && std::abs(cmd.kmh - s.target_kmh) > *s.profile.max_step_kmh + 1e-9) {
    return Reply::refused(RuleId::step_limit, {{"from", Kmh{s.target_kmh}},
                                               {"to", Kmh{cmd.kmh}},
                                               {"step", Kmh{*s.profile.max_step_kmh}},
                                               {"profile", Name{s.profile.name}}});
  }
  if (s.program) return lower_program_speed(cmd.kmh, who);
  s.goal_kmh = cmd.kmh;
  adopt_gated_target();
  Facts facts{{"target", Kmh{cmd.kmh}}, {"direction", Word{to_string(s.direction)}}};
  for (Fact& f : stepping()) facts.push_back(std::move(f));
  return Reply::ok(NoticeId::target_set, std::move(facts));
}

// Staff may slow a running program (a patient in pain mid-jog), never speed it up: the lowered
// speed holds until the segment ends, then the program's next segment is reached through the gate.
Reply Supervisor::lower_program_speed(double kmh, const std::string& who) {
  Session& s = *session_;
  const double program_kmh = std::min(s.goal_kmh, s.lowered_to_kmh.value_or(s.goal_kmh));
  if (kmh >= program_kmh) {
    return Reply::refused(RuleId::program_only_slower,
                          {{"program", Name{s.program->name}}, {"speed", Kmh{program_kmh}}});
  }
  s.lowered_to_kmh = kmh;
  adopt_gated_target();
  const auto& segs = s.program->segments;
  const Millis left = segs[s.segment].duration - s.segment_elapsed;
  const Facts until{{"until", Word{"until_segment_ends"}},
                    {"segment", Count{static_cast<long long>(s.segment + 1)}},
                    {"segments", Count{static_cast<long long>(segs.size())}},
                    {"left", Span{std::chrono::ceil<std::chrono::seconds>(left)}},
                    {"speed", Kmh{kmh}}};
  Facts event = until;
  event.push_back({"who", Name{who}});
  emit(Event::Kind::hand_speed, NoticeId::lowered_by_hand, std::move(event));
  Facts reply = until;
  reply.push_back({"program_name", Name{s.program->name}});
  for (Fact& f : stepping()) reply.push_back(std::move(f));
  return Reply::ok(NoticeId::program_lowered, std::move(reply));
}

Facts Supervisor::stepping() const {
  const Session& s = *session_;
  const double goal = std::min(s.goal_kmh, s.lowered_to_kmh.value_or(s.goal_kmh));
  if (s.target_kmh == goal) return {{"stepping", Word{"none"}}};
  if (s.settled_kmh == 0) return {{"stepping", Word{"from_start_speed"}}, {"start_speed", Kmh{s.profile.start_speed_kmh}}};
  return {{"stepping", Word{"in_steps"}}, {"step", Kmh{s.profile.max_step_kmh.value_or(0)}}};
}

Reply Supervisor::set_direction(const DirectionCmd& cmd, TimePoint now) {
  if (!session_) return Reply::refused(RuleId::no_session, {{"hint", Word{"choose_direction_at_start"}}});
  Session& s = *session_;
  if (state_ != State::running) {
    return Reply::refused(RuleId::not_running, {{"action", Word{"direction_can_change"}}, {"state", Word{to_string(state_)}}});
  }
  if (s.program) return Reply::refused(RuleId::program_in_control, {{"program", Name{s.program->name}}, {"what", Word{"direction"}}});
  if (cmd.direction == s.direction) return Reply::ok(NoticeId::already_that_way, {{"direction", Word{to_string(s.direction)}}});
  if (s.profile.cap_kmh(cmd.direction) <= 0) {
    return Reply::refused(RuleId::direction_not_allowed,
                          {{"profile", Name{s.profile.name}}, {"direction", Word{to_string(cmd.direction)}}});
  }
  const double new_goal = std::min(s.profile.start_speed_kmh, s.profile.cap_kmh(cmd.direction));
  if (commanded_kmh_ == 0 && at_standstill(now)) {
    direction_ = cmd.direction;
    s.direction = cmd.direction;  // the target is 0 already: the belt stands because it was asked to
    s.goal_kmh = 0;
    emit(Event::Kind::direction_changed, NoticeId::direction_now, {{"direction", Word{to_string(direction_)}}});
    return Reply::ok(NoticeId::direction_set, {{"direction", Word{to_string(direction_)}}});
  }
  if (!cmd.via_stop) return refuse_unless_standstill(now, "direction_changes", "via_stop");
  begin_direction_change(cmd.direction, new_goal);
  return Reply::ok(NoticeId::direction_change_begun, {{"direction", Word{to_string(cmd.direction)}}, {"speed", Kmh{new_goal}}});
}

Reply Supervisor::pause(TimePoint now) {
  if (state_ != State::running) {
    return Reply::refused(RuleId::not_running, {{"action", Word{"pause"}}, {"state", Word{to_string(state_)}}});
  }
  session_->paused_at = now;
  state_ = State::paused;
  return Reply::ok(NoticeId::pausing, {{"max_pause", Span{session_->profile.max_pause}}});
}

Reply Supervisor::resume() {
  if (state_ != State::paused) return Reply::refused(RuleId::not_paused);
  // The goal is untouched while paused (speed commands are refused then); pause() sets paused_at
  // afresh each time. A belt that came to a stop starts again at the start speed (the gate).
  state_ = State::running;
  adopt_gated_target();
  const Session& s = *session_;
  Facts facts{{"speed", Kmh{std::min(s.goal_kmh, s.lowered_to_kmh.value_or(s.goal_kmh))}}};
  for (Fact& f : stepping()) facts.push_back(std::move(f));
  return Reply::ok(NoticeId::resuming, std::move(facts));
}

Reply Supervisor::stop(const StopCmd& cmd, const std::string& who) {
  if (!session_ || state_ == State::stopping) return Reply::ok(NoticeId::already_stopping);
  begin_stop({std::nullopt, {}, cmd.reason, who});
  return Reply::ok(NoticeId::stopping);
}

Reply Supervisor::emergency_stop(TimePoint now) {
  if (state_ == State::estopped) return Reply::ok(NoticeId::estop_already_latched);
  state_ = State::estopped;
  commanded_kmh_ = 0;
  Conditions pressed;
  pressed.raise(RuleId::emergency_stop, {});
  policy_.latch(pressed);  // the e-stop event below is its record
  emit(Event::Kind::estop, RuleId::emergency_stop, {});
  end_session({RuleId::emergency_stop, {}, {}, {}}, now);
  return Reply::ok(NoticeId::estop_pressed);
}

Reply Supervisor::reset(TimePoint now) {
  if (state_ != State::estopped && state_ != State::faulted) return Reply::ok(NoticeId::nothing_to_reset);
  const auto answer = policy_.reset(monitor_.standing(last_feedback_, now), at_standstill(now));
  using Verdict = SafetyPolicy::ResetAnswer::Verdict;
  switch (answer.verdict) {
    case Verdict::not_at_standstill: return refuse_unless_standstill(now, "reset", "none");
    case Verdict::acknowledge_first:
      // A tripped drive keeps its own latch; at standstill the clinician's reset acknowledges it too.
      acknowledge_drive_fault_ = true;
      return refused_naming(RuleId::drive_trip_acknowledged, *answer.holding);
    case Verdict::held: return refused_naming(RuleId::cause_persists, *answer.holding);
    case Verdict::clears: break;
  }
  fault_.reset();
  monitor_.clear();
  if (locked_) {
    state_ = State::locked;
    emit(Event::Kind::reset, NoticeId::cleared_still_locked);
    return Reply::ok(NoticeId::reset_still_locked);
  }
  state_ = State::idle;
  emit(Event::Kind::reset, NoticeId::cleared_ready);
  return Reply::ok(NoticeId::reset_ready);
}

Reply Supervisor::lock(TimePoint now) {
  if (state_ == State::locked) return Reply::ok(NoticeId::already_locked);
  if (state_ != State::idle || !at_standstill(now)) return Reply::refused(RuleId::lock_needs_idle);
  state_ = State::locked;
  locked_ = true;
  emit(Event::Kind::lock, NoticeId::locked_against_use);
  return Reply::ok(NoticeId::locked);
}

Reply Supervisor::unlock() {
  if (!locked_) return Reply::refused(RuleId::not_locked);
  locked_ = false;
  if (state_ != State::locked) {
    emit(Event::Kind::unlock, NoticeId::unlocked_latch_remains_event);
    return Reply::ok(NoticeId::unlocked_latch_remains);
  }
  state_ = State::idle;
  emit(Event::Kind::unlock, NoticeId::unlocked);
  return Reply::ok(NoticeId::unlocked);
}

}  // namespace treadd
