// SPDX-License-Identifier: Apache-2.0
// What the core tells people that is not a rule firing: the confirmation of an accepted command
// and the line of an event no rule caused. Like the rule table (rules.hpp), one row each: a stable
// code and a message whose {names} the edge fills from typed facts (daemon/protocol/wording.hpp);
// the core never makes the sentence. A {name} whose fact is one of treadd's words (stepping,
// program) reads as that word's phrase, which may name more facts.
#pragma once

#include <cstddef>
#include <iterator>

namespace treadd {

#define TREADD_NOTICES(X)                                                                                            \
  /* ---- confirmations ---- */                                                                                     \
  X(ok, "ok")                                                                                                        \
  X(holding_for_session, "no session yet: holding for the next one")                                                \
  X(session_started, "session started: profile '{profile}'{program}, {direction} at {target}")                       \
  X(target_set, "target {target} {direction}{stepping}")                                                            \
  X(program_lowered, "program '{program_name}' lowered to {speed} {until}{stepping}")                               \
  X(already_that_way, "already {direction}")                                                                        \
  X(direction_set, "direction {direction}; set a speed to move")                                                    \
  X(direction_change_begun, "ramping down, then {direction} at {speed}")                                            \
  X(pausing, "pausing: the belt ramps to a stop; the session is kept for up to {max_pause}")                        \
  X(resuming, "resuming toward {speed}{stepping}")                                                                  \
  X(already_stopping, "already stopped or stopping")                                                                \
  X(stopping, "stopping: the belt ramps down")                                                                      \
  X(estop_already_latched, "emergency stop already latched")                                                        \
  X(estop_pressed, "EMERGENCY STOP: the belt is stopping; a clinician must reset")                                   \
  X(nothing_to_reset, "nothing to reset")                                                                           \
  X(reset_still_locked, "the treadmill is stopped and still locked; a clinician must unlock it before a start")      \
  X(reset_ready, "the treadmill is stopped and ready for a new start")                                              \
  X(already_locked, "already locked")                                                                               \
  X(locked, "locked: nobody can start it until a clinician unlocks it")                                             \
  X(unlocked_latch_remains, "unlocked; the latched stop still needs a reset")                                       \
  X(unlocked, "unlocked")                                                                                           \
  /* ---- events no rule caused (the journal, the audit, the session record) ---- */                                \
  X(started_by, "profile '{profile}'{program}, {direction}, by {who}")                                              \
  X(lowered_by_hand, "speed lowered by hand to {speed} by {who} {until}")                                           \
  X(program_speed_back, "segment {segment} ended: the program sets the speed again")                                \
  X(direction_now, "belt now runs {direction}")                                                                     \
  X(time_left, "{left} left in this session; cool-down follows")                                                   \
  X(cooling_down_left, "cooling down at {speed}: {left} left")                                                      \
  X(cleared_still_locked, "cleared; the treadmill stays locked until a clinician unlocks it")                       \
  X(cleared_ready, "ready for a new start")                                                                         \
  X(locked_against_use, "locked against use")                                                                       \
  X(unlocked_latch_remains_event, "unlocked (the latched stop still needs a reset)")

enum class NoticeId : unsigned char {
#define TREADD_NOTICE_ENUM(code, message) code,
  TREADD_NOTICES(TREADD_NOTICE_ENUM)
#undef TREADD_NOTICE_ENUM
};

struct NoticeRow {
  NoticeId id;
  const char* code;
  const char* message;
};

inline constexpr NoticeRow notices[] = {
#define TREADD_NOTICE_ROW(code, message) {NoticeId::code, #code, message},
    TREADD_NOTICES(TREADD_NOTICE_ROW)
#undef TREADD_NOTICE_ROW
};
inline constexpr std::size_t notice_count = std::size(notices);

constexpr const NoticeRow& notice(NoticeId id) { return notices[static_cast<std::size_t>(id)]; }
inline const char* to_string(NoticeId id) { return notice(id).code; }

}  // namespace treadd
