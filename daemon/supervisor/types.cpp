// SPDX-License-Identifier: Apache-2.0
#include "daemon/supervisor/types.hpp"

namespace treadd {

const char* to_string(State s) {
  switch (s) {
    case State::idle: return "idle";
    case State::locked: return "locked";
    case State::running: return "running";
    case State::changing_direction: return "changing_direction";
    case State::paused: return "paused";
    case State::cooling_down: return "cooling_down";
    case State::stopping: return "stopping";
    case State::faulted: return "faulted";
    case State::estopped: return "estopped";
  }
  return "?";
}

const char* to_string(Event::Kind k) {
  switch (k) {
    case Event::Kind::session_started: return "session_started";
    case Event::Kind::warning: return "warning";
    case Event::Kind::session_ended: return "session_ended";
    case Event::Kind::estop: return "estop";
    case Event::Kind::fault: return "fault";
    case Event::Kind::reset: return "reset";
    case Event::Kind::lock: return "lock";
    case Event::Kind::unlock: return "unlock";
    case Event::Kind::direction_changed: return "direction_changed";
    case Event::Kind::hand_speed: return "hand_speed";
  }
  return "?";
}

}  // namespace treadd
