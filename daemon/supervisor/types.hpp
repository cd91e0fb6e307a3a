// Values that flow into and out of the supervisor. No I/O lives here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/limits.hpp"
#include "core/motion.hpp"
#include "daemon/supervisor/rules.hpp"

namespace treadd {

// Ordered by strength: the daemon acts on the strongest, and the user hears when it gets worse.
enum class State { idle, locked, running, changing_direction, paused, cooling_down, stopping, faulted, estopped };
const char* to_string(State s);

// A latched rule (reaction fast_stop_latch) and what it saw.
struct Fault {
  RuleId rule;
  std::string detail;  // the rule's message with the numbers that broke it
};

struct TickInputs {
  DriveFeedback feedback;
  bool loop_overrun = false;  // this tick came later than one period after its deadline
};

// ---- commands ----
struct StartCmd {
  Profile profile;
  std::optional<Program> program;
  std::optional<Direction> direction;  // default: the profile's
};
struct SpeedCmd { double kmh = 0; };
struct DirectionCmd {
  Direction direction = Direction::reverse;
  bool via_stop = false;  // ramp down, dwell, ramp up, instead of refusing while moving
};
struct PauseCmd {};
struct ResumeCmd {};
struct StopCmd { std::string reason = "stopped by operator"; };
struct EStopCmd {};
struct ResetCmd {};
struct LockCmd {};
struct UnlockCmd {};
struct HeartbeatCmd {};

using Command = std::variant<StartCmd, SpeedCmd, DirectionCmd, PauseCmd, ResumeCmd, StopCmd, EStopCmd, ResetCmd,
                             LockCmd, UnlockCmd, HeartbeatCmd>;

struct Request {
  Command command;
  Role role = Role::viewer;
  std::string who;  // user name, for records
};

struct Reply {
  bool accepted = false;
  std::string message;  // the reason when refused, a short confirmation otherwise
  std::optional<RuleId> rule;  // the rule that refused
  static Reply ok(std::string m = "ok") { return {true, std::move(m), std::nullopt}; }
  static Reply refused(RuleId id, Facts facts = {}) { return {false, render_rule(id, facts), id}; }
};

// Things worth a log line, a record entry or a notice to the user.
struct Event {
  enum class Kind { session_started, warning, session_ended, estop, fault, reset, lock, unlock, direction_changed };
  Kind kind;
  std::string text;
  std::optional<RuleId> rule;  // the rule that caused it (a fault, an e-stop, a limit that ended a session)
};
const char* to_string(Event::Kind k);

}  // namespace treadd
