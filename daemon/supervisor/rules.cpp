// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/rules.hpp"

namespace treadd {

const char* to_string(Role r) {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::operator_role: return "operator";
    case Role::clinician: return "clinician";
  }
  return "?";
}

const char* to_string(Reaction r) {
  switch (r) {
    case Reaction::refuse: return "refuse";
    case Reaction::stop_session: return "stop_session";
    case Reaction::cool_down: return "cool_down";
    case Reaction::fast_stop_latch: return "fast_stop_latch";
  }
  return "?";
}

const char* to_string(Clear c) {
  switch (c) {
    case Clear::command_only: return "command_only";
    case Clear::session_end: return "session_end";
    case Clear::reset_at_standstill: return "reset_at_standstill";
    case Clear::reset_once_condition_gone: return "reset_once_condition_gone";
    case Clear::acknowledge_then_reset: return "acknowledge_then_reset";
  }
  return "?";
}

const char* describe(Clear c, Reaction r) {
  switch (c) {
    case Clear::command_only: return "-";
    case Clear::session_end: return r == Reaction::cool_down ? "ends the session after the cool-down" : "ends the session";
    case Clear::reset_at_standstill: return "reset at standstill";
    case Clear::reset_once_condition_gone: return "reset at standstill once the condition is gone";
    case Clear::acknowledge_then_reset: return "reset at standstill; the first reset acknowledges the drive's trip";
  }
  return "?";
}

namespace {
// The two columns agree: a refusal holds for its command, a session limit ends the session, and a
// latch is cleared only by a reset (the policy would otherwise latch a rule nobody can clear).
constexpr bool columns_agree(const Rule& r) {
  switch (r.reaction) {
    case Reaction::refuse: return r.clear == Clear::command_only;
    case Reaction::cool_down:
    case Reaction::stop_session: return r.clear == Clear::session_end;
    case Reaction::fast_stop_latch:
      return r.clear == Clear::reset_at_standstill || r.clear == Clear::reset_once_condition_gone ||
             r.clear == Clear::acknowledge_then_reset;
  }
  return false;
}
constexpr bool table_columns_agree() {
  for (const Rule& r : rules) {
    if (!columns_agree(r)) return false;
  }
  return true;
}
static_assert(table_columns_agree(), "a rule's clear column does not fit its reaction (see Clear in rules.hpp)");
}  // namespace

std::optional<RuleId> rule_from_code(std::string_view code) {
  for (const Rule& r : rules) {
    if (code == r.code) return r.id;
  }
  return std::nullopt;
}

}  // namespace treadd
