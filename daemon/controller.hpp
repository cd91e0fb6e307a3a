// SPDX-License-Identifier: Apache-2.0
// Glue between the edges and the supervisor: turns protocol requests into supervisor commands,
// feeds each tick's drive feedback in and sends the supervisor's drive command out. What happens
// is handed to the EventSink (journal, audit, records, metrics).
// No sockets and no timers here; the event loop (control_loop, socket_server) calls in.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <functional>
#include <optional>
#include <string>

#include "config/loader.hpp"
#include "daemon/records/event_sink.hpp"
#include "daemon/records/commissioning_record.hpp"
#include "daemon/records/metrics.hpp"
#include "daemon/records/log.hpp"
#include "daemon/protocol/protocol.hpp"
#include "daemon/records/records.hpp"
#include "daemon/supervisor/supervisor.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

// How the control loop keeps its schedule, for status (`loop`): a request that stalls the loop
// shows here, whatever it was.
struct LoopHealth {
  std::uint64_t ticks = 0;
  std::uint64_t overruns = 0;
  double worst_late_ms = 0;             // the latest any tick fired after its deadline, since start
  std::uint64_t late_over_20ms = 0;     // ticks that fired more than 20 ms late
};

struct Peer {
  Role role = Role::viewer;
  std::string who;
  std::uint32_t uid = ~0u;  // from SO_PEERCRED; connection limits are per user
};

class Controller {
 public:
  Controller(FullConfig config, std::string config_dir, MotorDrive& drive, Traces traces = {});

  void tick(TimePoint now, bool overrun);

  struct Outcome {
    nlohmann::json reply;
    std::optional<double> watch_hz;  // the client asked to watch at this rate
    // A reply serialized once and shared by every requester (status, all limits); owned by the
    // controller and valid until its next call, so the caller copies it at once.
    const std::string* shared_line = nullptr;
    bool bad_request = false;        // not a request at all: answer once, then drop the client
    bool reload = false;             // a permitted reload: parsed off the loop, answered later
    // Work that reads files (history, report): run off the loop, touches no loop state.
    std::function<nlohmann::json()> query{};
    // Runs on the loop with the query's reply, before it is sent: counts a refusal, audits an
    // erasure. It reads the reply, never changes it (the worker already serialized it).
    std::function<void(const nlohmann::json&)> on_answer{};
  };
  Outcome execute(std::string_view line, const Peer& peer, TimePoint now);

  // Re-reads limits.yaml on the calling thread (tests, check tools); the daemon parses it on a
  // worker with parse_limits_file() and applies the result on the loop with apply_reload().
  nlohmann::json reload(const std::string& who = "SIGHUP");
  // A parsed limits.yaml with its `limits` listing already serialized: both are built on the
  // worker, so neither a big file's parse nor its listing ever runs on the loop.
  struct ParsedLimits {
    Loaded<LimitsConfig> loaded;
    std::string listing;  // "profiles":{…},"programs":[…] (JSON members, no braces)
  };
  ParsedLimits parse_limits_file() const;  // thread-safe: reads only immutable settings
  nlohmann::json apply_reload(ParsedLimits parsed, const std::string& who);
  // SIGTERM: a controlled ramp to a stop before exit.
  void stop_for_shutdown(TimePoint now);
  bool belt_at_rest() const;
  // Before exit: ends a session record still waiting for the belt to rest after an e-stop or fault.
  void end_records_for_exit(TimePoint now) { events_.end_record_for_exit(now, belt_at_rest()); }

  nlohmann::json status_json() const;
  // The status reply as one protocol line, rebuilt at most once per tick or command: a flood of
  // status requests or a hundred watchers cost a string copy each, not a JSON build.
  // A viewer's line leaves out names and staff's free text (viewer_status in controller.cpp).
  const std::string& status_line(Role role);
  // The `limits` reply for all profiles, serialized once per configuration and session: a flood
  // of queries on a big limits.yaml costs a string copy each, not a JSON build of every profile.
  const std::string& all_limits_line();
  // A standing notice shown in status, e.g. why the daemon came up after an unexpected stop.
  void set_notice(const std::string& notice) { notice_ = notice_.empty() ? notice : notice + "; " + notice_; }
  // At start-up: the persisted lock-out (lockout_file.hpp) holds again; `why` is shown in status.
  void restore_lockout(const std::string& why) {
    supervisor_.restore_lockout();
    lockout_notice_ = why;
  }
  // Whether this machine's drive passed commissioning: shown in status; a failed or missing one
  // refuses every start (the supervisor says why).
  void set_commissioning(CommissioningStatus status);
  const std::optional<CommissioningStatus>& commissioning() const { return commissioning_; }
  const Supervisor& supervisor() const { return supervisor_; }
  const Wording& wording() const { return wording_; }
  const SafetyCounters& counters() const { return events_.counters(); }
  const DriveFeedback& last_feedback() const { return last_feedback_; }
  // The control loop reports its schedule here every tick.
  LoopHealth& loop_health() { return loop_health_; }

 private:
  // The requests the daemon answers itself (AnsweredBy::daemon), after the role check.
  Outcome answer(const StatusQuery& req, const Peer& peer, TimePoint now);
  Outcome answer(const LimitsQuery& req, const Peer& peer, TimePoint now);
  Outcome answer(const VersionQuery& req, const Peer& peer, TimePoint now);
  Outcome answer(const ForgetRequest& req, const Peer& peer, TimePoint now);
  Outcome answer(const WatchQuery& req, const Peer& peer, TimePoint now);
  Outcome answer(const ReloadRequest& req, const Peer& peer, TimePoint now);
  Outcome answer(const HistoryQuery& req, const Peer& peer, TimePoint now);
  Outcome answer(const NoteRequest& req, const Peer& peer, TimePoint now);
  Outcome answer(const ReportQuery& req, const Peer& peer, TimePoint now);
  Outcome answer(const StartRequest& req, const Peer& peer, TimePoint now);
  nlohmann::json run_command(const Command& cmd, const Peer& peer, TimePoint now);
  nlohmann::json start(const StartRequest& req, const Peer& peer, TimePoint now);
  void count_refusal(const Reply& r, const Peer& peer, TimePoint now);
  // The daemon's own refusal, counted, logged and audited as the supervisor's are: the reply in
  // full, the journal and audit without what came from a patient's file (Reader::journal).
  nlohmann::json refuse(RuleId rule, const Facts& facts, const Peer& peer, TimePoint now);
  // An off-loop query's refusal, from its reply (its words carry no FromRecord fact: see refuse).
  void count_if_refused(const nlohmann::json& reply, const Peer& peer, TimePoint now);
  nlohmann::json limits(const std::string& profile) const;
  std::string profile_names() const;
  void send_drive_command();
  void log_events(const std::string& who, TimePoint now);
  void report(log::Level level, const std::string& kind, const std::string& who, const std::string& text,
              TimePoint now, bool audited = true);

  FullConfig config_;  // config_.machine never changes after start: the reload worker reads it
  std::string config_dir_;
  MotorDrive& drive_;
  Supervisor supervisor_;
  Wording wording_;  // the core's rules and facts in words (the drive's fault and setting names)
  DriveFeedback last_feedback_;
  Motion last_motion_ = Motion::stop;  // what the drive was last told, to send a fast stop once
  std::string notice_;
  std::string lockout_notice_;  // shown while the restored lock-out holds
  LoopHealth loop_health_;
  std::optional<CommissioningStatus> commissioning_;
  EventSink events_;  // journal, audit, records, metrics counters, recent events
  std::uint64_t generation_ = 0;               // bumped by every tick and command
  std::uint64_t status_line_generation_ = ~0ull;
  std::string status_line_;
  std::string viewer_status_line_;
  std::uint64_t limits_generation_ = 0;  // bumped by every reload and session start/end
  std::uint64_t limits_line_generation_ = ~0ull;
  std::string limits_line_;
  std::string limits_listing_;  // of config_.limits, see ParsedLimits
  std::optional<bool> link_was_up_;  // unknown until the first tick
};

}  // namespace treadd
