// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/event_sink.hpp"

#include <chrono>
#include <utility>

#include "core/calendar.hpp"
#include "daemon/records/lockout_file.hpp"

namespace treadd {

using nlohmann::json;

bool RefusalLogLimit::allow(std::uint32_t uid, TimePoint now, std::uint64_t& suppressed) {
  constexpr double burst = 20, per_second = 1;
  Bucket& b = buckets_[uid];
  if (b.refilled != TimePoint{}) {
    b.tokens = std::min(burst, b.tokens + std::chrono::duration<double>(now - b.refilled).count() * per_second);
  }
  b.refilled = now;
  if (b.tokens < 1) {
    ++b.suppressed;
    return false;
  }
  b.tokens -= 1;
  suppressed = std::exchange(b.suppressed, 0);
  return true;
}

bool EventSink::write(std::function<void()> job) {
  if (traces_.writer != nullptr) return traces_.writer->post(std::move(job));
  try {
    job();  // no writer (unit tests): at once, and never an exception into the caller
  } catch (const std::exception& e) {
    log::error(std::string("a write failed: ") + e.what());
  }
  return true;
}

void EventSink::report(log::Level level, const std::string& kind, const std::string& who, const std::string& text,
                       TimePoint now, bool audited) {
  AuditLog* audit = audited ? traces_.audit : nullptr;
  write([level, kind, who, text, now, audit] {
    log::event(level, kind, who, text);
    if (audit != nullptr) audit->record(kind, who, text, now);
  });
}

bool EventSink::consume(const std::vector<Event>& events, const Status& status, const std::string& who, TimePoint now) {
  bool session_edge_seen = false;
  bool stopped_hard = false;  // an e-stop or a fault in this batch: its session ends under a moving belt
  for (const Event& e : events) {
    // A rule fires once: its latch, its stop or its warning; the session_ended that follows repeats it.
    if (e.rule && e.kind != Event::Kind::session_ended) ++counters_.fired[static_cast<std::size_t>(*e.rule)];
    // E-stops and faults at err (journalctl -p err shows them), the rest at notice; one entry each.
    const bool bad = e.kind == Event::Kind::estop || e.kind == Event::Kind::fault;
    stopped_hard = stopped_hard || bad;
    // The patient code is in the session's record only — never in the journal or the audit file,
    // which `forget` cannot erase: erasing a patient's records leaves no trace of the patient.
    const bool session_edge = e.kind == Event::Kind::session_started || e.kind == Event::Kind::session_ended;
    session_edge_seen = session_edge_seen || session_edge;
    const bool audited = bad || session_edge || e.kind == Event::Kind::reset || e.kind == Event::Kind::lock ||
                         e.kind == Event::Kind::unlock || e.kind == Event::Kind::hand_speed;
    // A stop's session ends at a later tick: its lines name the user who stopped it.
    const std::string& by = e.by.empty() ? who : e.by;
    report(bad ? log::Level::error : log::Level::notice, to_string(e.kind), by, e.text, now, audited);
    if (e.kind == Event::Kind::lock || e.kind == Event::Kind::unlock) persist_lockout(e.kind == Event::Kind::lock, who);
    if (e.kind == Event::Kind::estop) ++counters_.estops;
    if (e.kind == Event::Kind::session_started) {
      ++counters_.sessions;
      if (coasting_) {
        end_record(coasting_->ending, now, status.at_standstill);  // the last one, first
        coasting_.reset();  // even if its end was turned away: the new record supersedes it
      }
      session_patient_ = starting_.patient;
      if (SessionRecorder* recorder = traces_.recorder) {
        recording_ = true;
        // Retention runs with the new record's start, on the writer: listing and unlinking
        // thousands of files never delays a tick.
        write([recorder, audit = traces_.audit, status, who, context = starting_, now] {
          recorder->begin(status, who, context, now);
          const int keep_days = recorder->retention().keep_days;
          auto retention = [&](const std::string& text) {
            log::event(log::Level::notice, "retention", "treadd", text);
            if (audit != nullptr) audit->record("retention", "treadd", text, now);
          };
          if (const std::size_t old = recorder->take_deleted_by_age()) {
            retention("deleted " + std::to_string(old) + " session records older than records.keep_days (" +
                      std::to_string(keep_days) + ")");
          }
          if (const std::size_t beyond = recorder->take_deleted_by_count()) {
            retention("deleted the " + std::to_string(beyond) + " oldest session records beyond records.keep (" +
                      std::to_string(recorder->retention().keep) + ") at a clinician's session start");
          }
          for (const std::string& notice : recorder->take_retention_notices()) retention(notice);
        });
      }
    }
    if (SessionRecorder* recorder = traces_.recorder; recorder != nullptr && recording_) {
      // A session ends its record at once when it ends the ordinary way (its ramp has brought
      // the belt down); one that an e-stop or a fault ends under a moving belt records on until
      // the belt is seen at rest (tick()), so the record says how it came to rest.
      const bool ended = e.kind == Event::Kind::session_ended;
      const bool coasts = ended && stopped_hard && !status.at_standstill;
      write([recorder, e, by, now, coasts] {
        recorder->event(e, by, now);
        if (coasts) recorder->stopping(now);
      });
      if (coasts) coasting_ = Coasting{now, SessionEnding{e.text, e.rule}};
      else if (ended) end_record(SessionEnding{e.text, e.rule}, now, true);
    }
    // The patient's session lasts, for `forget`, until its record is ended (end_record).
    if (e.kind == Event::Kind::session_ended && !recording_) session_patient_.reset();
    // This session's events only, each with when it happened (session time and UTC).
    if (e.kind == Event::Kind::session_started) recent_events_.clear();
    recent_events_.push_back({{"kind", to_string(e.kind)},
                              {"text", e.text},
                              {"session_s", status.session_s},
                              {"time", iso_utc_from_unix(std::chrono::duration_cast<std::chrono::seconds>(
                                                             std::chrono::system_clock::now().time_since_epoch())
                                                             .count())}});
    if (recent_events_.size() > 5) recent_events_.pop_front();
  }
  return session_edge_seen;
}

void EventSink::persist_lockout(bool locked, const std::string& who) {
  if (traces_.lockout_file.empty()) return;
  const std::string when = iso_utc_from_unix(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  lockout_unwritten_.reset();
  if (!write([file = traces_.lockout_file, locked, who, when] { write_lockout(file, locked, who, when); })) {
    lockout_unwritten_.emplace(locked, who);
  }
}

void EventSink::retry_pending() {
  if (lockout_unwritten_) persist_lockout(lockout_unwritten_->first, lockout_unwritten_->second);
}

void EventSink::tick(const Status& status, TimePoint now) {
  if (!recording_) return;
  write([recorder = traces_.recorder, status, now] { recorder->tick(status, now); });
  if (!coasting_) {
    live_duration_s_ = status.session_s;
    live_distance_m_ = status.distance_m;
  } else if (status.at_standstill || now - coasting_->since >= coast_limit) {
    end_record(coasting_->ending, now, status.at_standstill);
  }
}

void EventSink::end_record(const SessionEnding& ending, TimePoint now, bool at_standstill) {
  if (!write([recorder = traces_.recorder, ending, now, at_standstill] { recorder->end(ending, now, at_standstill); })) {
    // The writer's queue was full: tried again at the next tick, never left reading as running.
    if (!coasting_) coasting_ = Coasting{now, ending};
    return;
  }
  recording_ = false;
  coasting_.reset();
  session_patient_.reset();
}

void EventSink::end_record_for_exit(TimePoint now, bool at_standstill) {
  if (coasting_) end_record(coasting_->ending, now, at_standstill);
}

std::optional<LiveRecord> EventSink::live() const {
  if (!recording_) return std::nullopt;
  return LiveRecord{"", coasting_ ? "stopping" : "running", live_duration_s_, live_distance_m_, nlohmann::json::object()};
}

void EventSink::refused(std::optional<RuleId> rule, const std::string& message, std::uint32_t uid,
                        const std::string& who, TimePoint now) {
  ++counters_.refusals;
  if (rule) ++counters_.fired[static_cast<std::size_t>(*rule)];
  std::uint64_t suppressed = 0;
  if (refusal_log_.allow(uid, now, suppressed)) {
    const std::string text =
        message + (suppressed ? " (" + std::to_string(suppressed) + " earlier refusals of this user not logged)" : "");
    report(log::Level::notice, "refusal", who, text, now);
  }
}

// A drive link that drops and comes back is an event of its own (a latched link_loss fault, if one
// follows, is another): a technician reads when and how often in the journal.
void EventSink::link_changed(bool up, const std::string& drive, TimePoint now) {
  if (up) {
    report(log::Level::notice, "drive_link", "treadd", "the drive answers: " + drive, now);
  } else {
    report(log::Level::warning, "drive_link", "treadd", "the drive stopped answering: " + drive, now);
  }
}

}  // namespace treadd
