// Glue between the edges and the supervisor: turns protocol requests into supervisor commands,
// feeds each tick's drive feedback in and sends the supervisor's drive command out.
// No sockets and no timers here; the event loop (control_loop, socket_server) calls in.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "config/loader.hpp"
#include "daemon/protocol.hpp"
#include "daemon/supervisor/supervisor.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

struct Peer {
  Role role = Role::viewer;
  std::string who;
};

class Controller {
 public:
  Controller(FullConfig config, std::string config_dir, MotorDrive& drive);

  void tick(TimePoint now, bool overrun);

  struct Outcome {
    nlohmann::json reply;
    std::optional<double> watch_hz;  // the client asked to watch at this rate
  };
  Outcome execute(std::string_view line, const Peer& peer, TimePoint now);

  // Re-reads limits.yaml; a bad file leaves the running limits as they were.
  nlohmann::json reload();
  // SIGTERM: a controlled ramp to a stop before exit.
  void stop_for_shutdown(TimePoint now);
  bool belt_at_rest() const;

  nlohmann::json status_json() const;
  // A standing notice shown in status, e.g. why the daemon came up after an unexpected stop.
  void set_notice(std::string notice) { notice_ = std::move(notice); }
  const Supervisor& supervisor() const { return supervisor_; }

 private:
  nlohmann::json run_command(const Command& cmd, const Peer& peer, TimePoint now);
  nlohmann::json start(const protocol::StartRequest& req, const Peer& peer, TimePoint now);
  nlohmann::json limits(const std::optional<std::string>& profile) const;
  void send_drive_command();
  void log_events();

  FullConfig config_;
  std::string config_dir_;
  MotorDrive& drive_;
  Supervisor supervisor_;
  DriveFeedback last_feedback_;
  std::string notice_;
};

}  // namespace treadd
