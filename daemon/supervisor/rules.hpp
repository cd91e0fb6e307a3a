// SPDX-License-Identifier: Apache-2.0
// The safety rules, one row each (PX4 failsafe style): what the supervisor does when the rule
// fires, how it clears, who may clear it, and the message a clinician reads, with the numbers that
// made it fire. Replies, faults, events, metrics, docs/safety.md and the tests are keyed by RuleId;
// the code (the row's first column) is the stable name on the wire and in the docs.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/supervisor/facts.hpp"
#include "daemon/supervisor/notices.hpp"

namespace treadd {

// Who asked: decided from the socket peer's credentials, never from what the client claims.
// Ordered: a stronger role may do all a weaker one may.
enum class Role { viewer, operator_role, clinician };
const char* to_string(Role r);
// The groups that give the roles (machine.yaml control.*_group): a role refusal names the one to join.
struct RoleGroups {
  std::string clinician = "treadd-clinician";
  std::string operator_role = "treadd-operator";
  std::string of(Role r) const {
    return r == Role::clinician ? clinician : r == Role::operator_role ? operator_role : std::string("none: anyone");
  }
};

// Ordered by strength: the policy acts on the strongest active one, and only a stronger one is news.
enum class Reaction {
  refuse,           // the command is refused; nothing moves
  cool_down,        // the session slows to its cool-down speed, then ends
  stop_session,     // the belt ramps down at the profile's decel and the session ends
  fast_stop_latch,  // the drive's fast stop at once; latched until a clinician's reset at standstill
};
const char* to_string(Reaction r);

// How a rule stops holding: the safety policy (safety_policy.hpp) acts on this column, and
// docs/safety.md renders it (describe).
enum class Clear {
  command_only,               // a refusal: it holds only for the command it refused
  session_end,                // it ends the session; nothing is left to clear
  reset_at_standstill,        // latched until a clinician's reset with the belt at standstill
  reset_once_condition_gone,  // the same, and only once the monitor no longer sees the condition
  acknowledge_then_reset,     // the same; while the drive still holds its own trip, a reset acknowledges it
};
const char* to_string(Clear c);
// For people: how the rule clears, in the words of docs/safety.md.
const char* describe(Clear c, Reaction r);

// X(code, reaction, clear, message): the message's {names} are filled from the facts the rule
// saw, at the edge (daemon/protocol/wording.hpp); the core never makes the sentence. A latched rule is cleared by a clinician (clear_role).
#define TREADD_RULES(X)                                                                                              \
  /* ---- refusals ---- */                                                                                          \
  X(role_required, refuse, command_only, "this needs the {needed} role (ask to join the group {group}); you have the {role} role") \
  X(estop_latched, refuse, command_only, "the emergency stop is latched; a clinician must reset it first")                    \
  X(fault_latched, refuse, command_only, "a fault is latched ({fault}); a clinician must reset it")                           \
  X(locked_out, refuse, command_only, "the treadmill is locked; a clinician must unlock it")                                  \
  X(session_running, refuse, command_only, "a session is already running; stop it first")                                    \
  X(drive_not_commissioned, refuse, command_only, "this treadmill's drive may not run a session: {why}")                      \
  X(not_at_standstill, refuse, command_only, "{belt}; {action} only at standstill (below {below} for {dwell}){alternative}")   \
  X(direction_not_allowed, refuse, command_only, "profile '{profile}' does not allow {direction} running")                    \
  X(rest_between, refuse, command_only, "profile '{profile}' needs a rest of {rest} between sessions; {left} left")           \
  X(program_empty, refuse, command_only, "program '{program}' has no segments")                                               \
  X(program_above_cap, refuse, command_only,                                                                                  \
    "program '{program}' asks {asked}, above the {direction} cap of {cap} in profile '{profile}'")                   \
  X(speed_not_a_number, refuse, command_only,                                                                                 \
    "a speed must be a number of km/h, zero or more (the direction is set separately)")                              \
  X(no_session, refuse, command_only, "no session is running; {hint}")                                                        \
  X(session_paused, refuse, command_only, "the session is paused; resume it first")                                           \
  X(session_changing_direction, refuse, command_only, "the belt is changing direction; wait until it runs again")             \
  X(session_cooling_down, refuse, command_only, "the session is cooling down and cannot speed up")                            \
  X(session_stopping, refuse, command_only, "the session is stopping")                                                        \
  X(not_running, refuse, command_only, "{action} only in a running session; it is {state}")                                  \
  X(not_paused, refuse, command_only, "the session is not paused")                                                            \
  X(program_in_control, refuse, command_only, "program '{program}' sets the {what}; stop it to steer by hand")                \
  X(program_only_slower, refuse, command_only,                                                                                \
    "program '{program}' runs at {speed} now; by hand it may only be lowered (stop it to steer by hand)")            \
  X(above_cap, refuse, command_only, "{asked} is above the {direction} cap of {cap} in profile '{profile}'")                  \
  X(step_limit, refuse, command_only,                                                                                         \
    "a change from {from} to {to} is larger than the step limit of {step} in profile '{profile}'")                   \
  X(cause_persists, refuse, command_only, "cannot reset while the cause persists: {fault}")                                   \
  X(drive_trip_acknowledged, refuse, command_only,                                                                            \
    "{fault}; a fault reset was sent to the drive: run reset again once it clears")                                  \
  X(lock_needs_idle, refuse, command_only, "lock only a stopped treadmill with no session")                                   \
  X(not_locked, refuse, command_only, "the treadmill is not locked")                                                          \
  X(unknown_profile, refuse, command_only, "there is no profile '{profile}' (profiles: {profiles})")                          \
  X(profile_required, refuse, command_only, "a session starts from a profile or a patient's prescription (--patient CODE); profiles: {profiles}")                     \
  X(unknown_program, refuse, command_only, "there is no program '{program}'")                                                 \
  X(program_of_other_profile, refuse, command_only, "program '{program}' belongs to profile '{owner}', not '{profile}'")       \
  X(prescription_override, refuse, command_only,                                                                     \
    "this patient's prescription is {prescribed} ({prescribed_by}); another profile or program needs a clinician " \
    "(ask to join the group {group})")                                                                                 \
  /* ---- patient records: privacy ---- */                                                                         \
  X(patient_code_required, refuse, command_only,                                                                              \
    "this treadmill records every session under a patient code (records.patient_code: required); "                   \
    "start with --patient CODE: {form}")                                                                             \
  X(erasure_unconfirmed, refuse, command_only,                                                                                \
    "erasing a patient's records cannot be undone: give the same patient code again to confirm")                   \
  X(records_clinician_only, refuse, command_only,                                                                             \
    "session {session} is from an earlier day; records of earlier days are for clinicians only")                    \
  /* ---- session limits: a controlled ramp to a stop ---- */                                                       \
  X(max_session, stop_session, session_end,                                                                   \
    "the machine's longest session (ceilings.max_session, {limit}) was reached")                                     \
  X(presence_lost, stop_session, session_end, "operator presence lost: no heartbeat for {limit}")             \
  X(max_distance, stop_session, session_end, "the profile's max_distance of {limit} was reached")             \
  X(max_pause, stop_session, session_end, "paused longer than the profile's max_pause of {limit}")            \
  X(session_time, cool_down, session_end,                                                 \
    "session time of {limit} reached: cooling down for {cooldown}")                                                  \
  /* ---- latched: fast stop, a clinician's reset at standstill once the cause is gone ---- */                      \
  X(emergency_stop, fast_stop_latch, reset_at_standstill, "emergency stop")                                        \
  X(drive_fault, fast_stop_latch, acknowledge_then_reset,              \
    "the drive reports fault code {code}")                                                                           \
  X(link_loss, fast_stop_latch, reset_once_condition_gone, "{how}")                               \
  X(overspeed, fast_stop_latch, reset_at_standstill,                                                               \
    "belt measured at {measured}, above the cap plus margin of {limit}")                                             \
  X(tracking_error, fast_stop_latch, reset_at_standstill,                                                          \
    "belt at {measured} while {commanded} was commanded, for longer than the tracking time of {limit}")              \
  X(implausible_reading, fast_stop_latch, reset_at_standstill, "{how}")                                            \
  X(safety_key_lost, fast_stop_latch, reset_once_condition_gone, "the safety key (pull-cord) is out") \
  X(loop_overrun, fast_stop_latch, reset_at_standstill, "the control loop {how}")                                  \
  X(wrong_direction, fast_stop_latch, reset_at_standstill,                                                         \
    "the belt turns {turning} while {commanded} is commanded (for {limit})")                                         \
  X(drive_setting_changed, fast_stop_latch, reset_once_condition_gone,                     \
    "the drive no longer holds {setting}: it reads {value}, must be {expected}; {fix}")                              \
  X(drive_restarted, fast_stop_latch, reset_at_standstill,                                                         \
    "the drive restarted ({how}); its settings were checked again and a new start is needed")

enum class RuleId : unsigned char {  // declared in facts.hpp
#define TREADD_RULE_ENUM(code, reaction, clear, message) code,
  TREADD_RULES(TREADD_RULE_ENUM)
#undef TREADD_RULE_ENUM
};

struct Rule {
  RuleId id;
  const char* code;     // stable: the wire, the metrics label, docs/safety.md
  Reaction reaction;
  Clear clear;          // how it stops holding
  Role clear_role;      // who may clear a latched rule
  const char* message;  // the template the edge fills with the facts
};

inline constexpr Rule rules[] = {
#define TREADD_RULE_ROW(code, reaction, clear, message) \
  {RuleId::code, #code, Reaction::reaction, Clear::clear, Role::clinician, message},
    TREADD_RULES(TREADD_RULE_ROW)
#undef TREADD_RULE_ROW
};
inline constexpr std::size_t rule_count = std::size(rules);

constexpr const Rule& rule(RuleId id) { return rules[static_cast<std::size_t>(id)]; }
inline const char* to_string(RuleId id) { return rule(id).code; }
std::optional<RuleId> rule_from_code(std::string_view code);

// What a command gets back: accepted with a confirmation, or refused by a rule; either way a code
// and the facts it names (the edge words them: daemon/protocol/wording.hpp).
struct Reply {
  bool accepted = false;
  NoticeId notice = NoticeId::ok;  // the confirmation, when accepted
  std::optional<RuleId> rule;      // the rule that refused
  Facts facts;                     // what the confirmation names, or what the refusing rule saw
  static Reply ok(NoticeId n = NoticeId::ok, Facts facts = {}) { return {true, n, std::nullopt, std::move(facts)}; }
  static Reply refused(RuleId id, Facts facts = {}) { return {false, NoticeId::ok, id, std::move(facts)}; }
};

}  // namespace treadd
