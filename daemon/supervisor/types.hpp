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

// A latched rule (reaction fast_stop_latch) and what it saw.
struct Fault {
  RuleId rule;
  std::string detail;  // the rule's message with the numbers that broke it
  // The numbers and names that broke it, by the placeholder they fill in the rule's message:
  // what a program reads (the protocol's fault.facts), where people read `detail`.
  std::vector<std::pair<std::string, std::string>> facts;
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
  std::string text;
  std::optional<RuleId> rule;  // the rule that caused it (a fault, an e-stop, a limit that ended a session)
};
const char* to_string(Event::Kind k);

}  // namespace treadd
