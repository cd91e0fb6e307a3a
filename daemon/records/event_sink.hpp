// SPDX-License-Identifier: Apache-2.0
// Where everything that happens goes, once: the journal (log::event, one entry per event), the
// audit file, the session record, the metrics counters and the few recent events `watch` shows.
// The controller hands it each tick's supervisor events, refusals and drive-link changes; it never
// decides anything about the belt.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/records/audit_log.hpp"
#include "daemon/records/log.hpp"
#include "daemon/records/metrics.hpp"
#include "daemon/records/records.hpp"
#include "daemon/records/storage_writer.hpp"
#include "daemon/supervisor/supervisor.hpp"

namespace treadd {

// Where the controller leaves its traces; tests may leave it empty.
struct Traces {
  SessionRecorder* recorder = nullptr;
  AuditLog* audit = nullptr;
  std::filesystem::path records_dir;
  StorageHealth* health = nullptr;  // failures writing any of them, shown in status
  // Where the journal entries, audit lines and record lines are written: off the loop. Without
  // one (unit tests) they are written at once, on the caller's thread.
  StorageWriter* writer = nullptr;
  // Where the lock-out is kept across restarts (lockout_file.hpp); empty: not kept (tests).
  std::filesystem::path lockout_file;
};

// Refusals are logged and audited, but a client looping on a refused command must not fill the
// disk or the journal: each user gets a burst of 20 logged refusals, then one per second; what was
// left out is counted and said in the next logged one. (Every refusal is still counted in metrics.)
class RefusalLogLimit {
 public:
  // True when this refusal is to be logged; `suppressed` is how many were not, since the last one.
  bool allow(std::uint32_t uid, TimePoint now, std::uint64_t& suppressed);

 private:
  struct Bucket {
    double tokens = 20;
    TimePoint refilled{};
    std::uint64_t suppressed = 0;
  };
  std::map<std::uint32_t, Bucket> buckets_;
};

class EventSink {
 public:
  explicit EventSink(Traces traces) : traces_(std::move(traces)) {}

  // One event, logged once (journal or stderr) and, if `audited`, written to the audit file.
  void report(log::Level level, const std::string& kind, const std::string& who, const std::string& text,
              TimePoint now, bool audited = true);
  // The supervisor's events of one tick or command. Returns true if a session started or ended.
  bool consume(const std::vector<Event>& events, const Status& status, const std::string& who, TimePoint now);
  bool recording() const { return recording_; }
  // Every tick while recording: a sample, and the end of a record whose belt has come to rest.
  void tick(const Status& status, TimePoint now);
  // The daemon is about to exit: a record still waiting for the belt to rest is ended now (the
  // writer finishes what was posted before the process ends).
  void end_record_for_exit(TimePoint now, bool at_standstill);
  // The record being written, as this tick knows it (its id is the recorder's): nullopt when none.
  std::optional<LiveRecord> live() const;
  // Every tick: a lock-out change the writer's full queue turned away is offered again (it must not be lost).
  void retry_pending();
  // A refused command: counted by its rule; `message` is the refusal as the user read it.
  void refused(std::optional<RuleId> rule, const std::string& message, std::uint32_t uid, const std::string& who,
               TimePoint now);
  void link_changed(bool up, const std::string& drive, TimePoint now);

  // The start being handled (recorded with its session_started): the patient code, whether a
  // clinician started it (retention by count runs only then: retention.hpp), the prescription.
  void set_starting(SessionContext context) { starting_ = std::move(context); }
  const std::optional<std::string>& session_patient() const { return session_patient_; }

  const SafetyCounters& counters() const { return counters_; }
  nlohmann::json recent_events() const { return nlohmann::json(recent_events_); }
  const Traces& traces() const { return traces_; }
  // Runs `job` on the writer (or at once without one); false when the writer's queue was full.
  bool write(std::function<void()> job);

 private:
  Traces traces_;
  SafetyCounters counters_;
  RefusalLogLimit refusal_log_;
  std::deque<nlohmann::json> recent_events_;  // this session's last few, for `treadctl watch`
  SessionContext starting_;
  std::optional<std::string> session_patient_;
  bool recording_ = false;  // a session is being recorded (the recorder itself lives on the writer)
  // The session ended with the belt still moving (an e-stop, a fault): its record runs on until
  // the belt is seen at rest, or for at most `coast_limit` (a drive whose speed is unknown).
  struct Coasting {
    TimePoint since{};
    SessionEnding ending;
  };
  static constexpr std::chrono::seconds coast_limit{30};
  std::optional<Coasting> coasting_;
  void end_record(const SessionEnding& ending, TimePoint now, bool at_standstill);
  double live_duration_s_ = 0, live_distance_m_ = 0;  // the running session's, at the last tick
  void persist_lockout(bool locked, const std::string& who);
  std::optional<std::pair<bool, std::string>> lockout_unwritten_;  // (locked, who), not yet queued
};

}  // namespace treadd
