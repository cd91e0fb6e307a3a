// SPDX-License-Identifier: Apache-2.0
// Session records: one append-only JSON-lines file per session under <state>/sessions/.
// A line per event and per 0.5 s sample, flushed as written, fdatasync'd (off the control loop) at
// start, end and on e-stop/fault: a crash or SIGKILL never leaves a corrupt record, only one without its end line,
// which readers report as "cut short". Old records go by count and age (retention.hpp).
#pragma once

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "daemon/records/append_file.hpp"
#include "daemon/records/background_sync.hpp"
#include "daemon/records/retention.hpp"
#include "daemon/records/storage_health.hpp"
#include "config/model.hpp"
#include "daemon/supervisor/supervisor.hpp"

namespace treadd {

// For whom and on what a session was started, as its record's start line keeps it.
struct SessionContext {
  std::optional<std::string> patient;  // the pseudonymous code the session is recorded under, if any
  bool by_clinician = false;  // started by someone who may read (and erase) every record
  // The patient's prescription as it stood at the start (the report names its clinician and date
  // and draws its goals), and whether this session departs from it (a clinician's override).
  std::optional<Prescription> prescription;
  bool overrides_prescription = false;
  // The program's segments as planned (empty without a program): the report sets what was
  // achieved in each beside it.
  std::vector<Segment> plan;
};

// How a session ended, as its record's end line keeps it: `reason` for people, `rule` (the code
// of the rule that ended it, if one did) for reports and programs.
struct SessionEnding {
  std::string reason;
  std::optional<RuleId> rule;
};

class SessionRecorder {
 public:
  // Never throws: a missing or unwritable directory is reported to `health` and retried.
  // Retention (records.keep, keep_days, age_by) runs at each session start: retention.hpp.
  SessionRecorder(std::filesystem::path dir, RetentionSettings retention, BackgroundSync* sync = nullptr,
                  StorageHealth* health = nullptr);
  ~SessionRecorder();
  SessionRecorder(const SessionRecorder&) = delete;
  SessionRecorder& operator=(const SessionRecorder&) = delete;

  void begin(const Status& st, const std::string& who, const SessionContext& context, TimePoint now);
  // Records deleted for their age, and beyond records.keep, since the last call (the caller audits them).
  std::size_t take_deleted_by_age() { return std::exchange(deleted_by_age_, 0); }
  std::size_t take_deleted_by_count() { return std::exchange(deleted_by_count_, 0); }
  // What retention newly leaves undone (records kept over records.keep, an age limit waiting for
  // the clock), said once when it begins, since the last call (the caller logs them).
  std::vector<std::string> take_retention_notices() { return std::exchange(retention_notices_, {}); }
  // What retention left at the last start, for status (any thread).
  std::size_t records_over_keep() const { return over_keep_.load(std::memory_order_relaxed); }
  bool age_limit_waits_for_clock() const { return age_waits_.load(std::memory_order_relaxed); }
  const RetentionSettings& retention() const { return retention_; }
  // Called every tick; samples at 2 Hz and integrates time and distance per direction.
  void tick(const Status& st, TimePoint now);
  // `who`: the user (and socket) whose request caused it; "treadd" for the daemon's own.
  void event(const Event& e, const std::string& who, TimePoint now);
  // The session has ended (its time and distance stop here) but the belt is still moving: the
  // record runs on, sampling, until end(), and then says how the belt came to rest.
  void stopping(TimePoint now);
  // `at_standstill`: the belt was seen at rest (false: the record gave up waiting, EventSink).
  void end(const SessionEnding& ending, TimePoint now, bool at_standstill = true);
  bool active() const { return active_; }
  // The record being written: its id and its figures as its end line will name them (reverse_s,
  // forward_m, max_reverse_kmh, estops …) as of its last sample, read together, so that one
  // session's figures never go with another's id. A running session's progression row has its time
  // in reverse so far, not 0. Any thread; nullopt when no session runs.
  struct Current {
    std::string id;
    nlohmann::json figures;
  };
  std::optional<Current> current() const;
  // `forget`, from a worker thread: unlinks these records except the one being written (a session
  // of the patient that started since the request). Returns how many went.
  std::size_t erase_except_current(const std::vector<std::string>& ids);

 private:
  void write(const nlohmann::json& line, bool sync, TimePoint now);
  void rotate(TimePoint now, bool by_clinician);
  void failed(const std::string& what, TimePoint now);
  nlohmann::json figures() const;  // the totals so far, as the end line and current() name them

  std::filesystem::path dir_;
  RetentionSettings retention_;
  std::atomic<std::size_t> over_keep_{0};
  std::atomic<bool> age_waits_{false};
  std::vector<std::string> retention_notices_;
  std::size_t deleted_by_age_ = 0;
  std::size_t deleted_by_count_ = 0;
  BackgroundSync* sync_;
  StorageHealth* health_;
  AppendFile file_;
  bool active_ = false;       // a session is being recorded (even while its file cannot be written)
  std::string id_;            // of the record being written
  mutable std::mutex writing_mutex_;      // guards writing_id_ and figures_so_far_: the writer sets them, queries read them
  std::optional<std::string> writing_id_;  // set before the record's file is created, cleared after its end
  nlohmann::json figures_so_far_;  // guarded by writing_mutex_: set at each sample of writing_id_
  std::string start_line_;    // written again at the top of a record whose file had to be re-created
  TimePoint started_{};
  TimePoint last_tick_{};
  TimePoint next_sample_{};
  double reverse_s_ = 0, forward_s_ = 0, reverse_m_ = 0, forward_m_ = 0, max_kmh_ = 0, max_reverse_kmh_ = 0;
  int estops_ = 0, faults_ = 0, pauses_ = 0;  // interruptions, for the progression report
  double last_measured_kmh_ = 0;
  // From stopping() to end(): when the session ended, from which speed, and the steepest
  // deceleration seen over 200 ms windows (the drive's feedback updates once per poll).
  struct Coasting {
    TimePoint session_ended{};
    double from_kmh = 0;
    TimePoint window_start{};
    double window_kmh = 0;
    double peak_decel_mps2 = 0;
    double metres = 0;  // the belt ran on after the session: not the patient's distance
    std::optional<TimePoint> at_rest;  // first seen below moving speed
  };
  std::optional<Coasting> coasting_;
  State last_state_ = State::idle;
};

// The session being recorded now, as the control loop saw it when a query was asked: `history`
// and `report` show it running (or its belt coming to rest after it ended), with these figures,
// not as "cut short", which is for a record the daemon never finished.
struct LiveRecord {
  std::string id;
  std::string state;  // "running" or "stopping"
  double duration_s = 0;
  double distance_m = 0;
  nlohmann::json figures = nlohmann::json::object();  // SessionRecorder::current()
  nlohmann::json to_json() const {
    nlohmann::json j = figures.is_object() ? figures : nlohmann::json::object();
    j["state"] = state;
    j["duration_s"] = duration_s;
    j["distance_m"] = distance_m;
    return j;
  }
};

// Reading records back, for `treadctl history` and `report`.
struct RecordSummary {
  std::string id;
  nlohmann::json start;                // the start line
  std::optional<nlohmann::json> end;   // absent: the daemon stopped mid-session (cut short)
};

// Which sessions `history` lists; times are ISO 8601 UTC (a bare date for `until` means to the end of that day).
struct RecordFilter {
  std::optional<std::string> profile;
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::optional<std::string> patient;
};
std::vector<RecordSummary> list_records(const std::filesystem::path& dir, const RecordFilter& filter);
// The right to erasure, in two steps: the ids of every record of `patient` (reading every record:
// off the loop), then their deletion (on the loop, where the record being written is known).
std::vector<std::string> records_of_patient(const std::filesystem::path& dir, const std::string& patient);
// Unlinks each record and the notes kept with it.
std::size_t erase_records(const std::filesystem::path& dir, const std::vector<std::string>& ids);
// Notes (`treadctl note`) live beside their record, in `<id>.notes` (JSON lines, appended): the
// record itself is the machine's, written by treadd alone and ending with its end line.
// Appends one note to an existing record's notes; empty on success, else why not.
std::string append_note(const std::filesystem::path& dir, const std::string& id, const nlohmann::json& note);
// Every note of a record, oldest first (an empty array when there are none).
nlohmann::json read_notes(const std::filesystem::path& dir, const std::string& id);
// The whole record as {"start", "end", "samples": [...], "events": [...], "notes": [...], "cut_short"};
// nullopt if unknown.
std::optional<nlohmann::json> read_record(const std::filesystem::path& dir, const std::string& id);

}  // namespace treadd
