// SPDX-License-Identifier: Apache-2.0
// Values that flow into and out of the supervisor. No I/O lives here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/limits.hpp"
#include "core/motion.hpp"
#include "daemon/supervisor/commands.hpp"
#include "daemon/supervisor/rules.hpp"

namespace treadd {

// Ordered by strength: the daemon acts on the strongest, and the user hears when it gets worse.
enum class State { idle, locked, running, changing_direction, paused, cooling_down, stopping, faulted, estopped };
const char* to_string(State s);

// A rule that held and what it saw (the edge makes its sentence: daemon/protocol/wording.hpp).
struct Fault {
  RuleId rule;
  Facts facts;  // the numbers and names that broke it, by the placeholder they fill
};

// A notice (notices.hpp) with what it names: a live line of the status, an event no rule caused.
struct Notice {
  NoticeId id;
  Facts facts;
};

// How a session ended: by a rule and what it saw, by its program (the fact `completed` names it),
// or by staff (`reason`, their words).
struct Ending {
  std::optional<RuleId> rule;
  Facts facts;
  std::string reason;
  std::string by;  // the user whose stop ended it; empty when a rule or the program did
};

struct TickInputs {
  DriveFeedback feedback;
  bool loop_overrun = false;  // this tick came later than one period after its deadline
};

struct Request {
  Command command;
  Role role = Role::viewer;
  std::string who;  // user name, for records
};


// Things worth a log line, a record entry or a notice to the user.
struct Event {
  enum class Kind { session_started, warning, session_ended, estop, fault, reset, lock, unlock, direction_changed,
              hand_speed /* staff lowered a program's speed, or the program took it back */ };
  Kind kind;
  std::optional<RuleId> rule;      // the rule that caused it (a fault, an e-stop, a limit that ended a session)
  std::optional<NoticeId> notice;  // or the notice it reads as (a lock, a reset, a start …)
  Facts facts;                     // what the rule saw or the notice names
  // A session ended by staff: their words. Filled with the whole line at the edge (wording.hpp).
  std::string text;
  // Who caused it when that is not the request it came with: a stop's session ends at a later tick,
  // and its record and audit line name the user who stopped it, not treadd.
  std::string by;
};
const char* to_string(Event::Kind k);

}  // namespace treadd
