// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/records.hpp"
#include "core/ramp.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

namespace treadd {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What the report shows of it: who prescribed what, when, and the goals it draws as reference lines.
nlohmann::json prescription_json(const std::optional<Prescription>& p) {
  if (!p) return nullptr;
  return {{"profile", p->profile},
          {"program", p->program ? nlohmann::json(*p->program) : nlohmann::json(nullptr)},
          {"clinician", p->clinician},
          {"date", p->date},
          {"goal_time_s", p->goal_time ? nlohmann::json(std::chrono::duration<double>(*p->goal_time).count())
                                       : nlohmann::json(nullptr)},
          {"goal_distance_m", p->goal_distance_m ? nlohmann::json(*p->goal_distance_m) : nlohmann::json(nullptr)}};
}

nlohmann::json plan_json(const std::vector<Segment>& plan) {
  nlohmann::json segments = nlohmann::json::array();
  for (const Segment& seg : plan) {
    segments.push_back({{"direction", to_string(seg.direction)},
                        {"speed_kmh", seg.speed_kmh},
                        {"duration_s", std::chrono::duration<double>(seg.duration).count()}});
  }
  return segments;
}

std::string iso_utc(std::chrono::system_clock::time_point t, bool compact) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

// Below this the belt counts as not moving, for time, distance and the time to stop.
constexpr double moving_above_kmh = 0.05;

}  // namespace

SessionRecorder::SessionRecorder(fs::path dir, RetentionSettings retention, BackgroundSync* sync, StorageHealth* health)
    : dir_(std::move(dir)), retention_(retention), sync_(sync), health_(health) {
  std::error_code ec;
  // Only treadd reads the records directly (clinicians through treadctl): 0700.
  if (fs::create_directories(dir_, ec)) fs::permissions(dir_, fs::perms::owner_all, ec);  // again at each session start
}

SessionRecorder::~SessionRecorder() = default;

void SessionRecorder::failed(const std::string& what, TimePoint now) {
  if (health_ != nullptr) health_->failed(StorageHealth::Sink::records, "session record: " + what, now);
}

void SessionRecorder::write(const json& line, bool sync, TimePoint now) {
  if (!active_) return;
  std::string error;
  // Each line reaches the page cache at once (O_APPEND write): a killed daemon loses nothing.
  if (!file_.append(line.dump() + "\n", error, start_line_)) {
    failed(error, now);
    return;
  }
  if (health_ != nullptr) health_->succeeded(StorageHealth::Sink::records);
  if (sync && sync_ != nullptr) sync_->request(file_.fd());  // on disk soon: survives power loss
}

void SessionRecorder::rotate(TimePoint now, bool by_clinician) {
  std::error_code ec;
  std::vector<std::string> ids;
  for (auto it = fs::directory_iterator(dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".jsonl") ids.push_back(it->path().stem().string());
  }
  if (ec) {
    failed("cannot list " + dir_.string() + " to rotate old records: " + ec.message(), now);
    return;
  }
  const bool synchronised = retention_.keep_days > 0 && system_clock_synchronised();
  const RetentionPlan plan =
      plan_retention(std::move(ids), retention_, std::chrono::system_clock::now(), synchronised, by_clinician);
  auto remove = [&](const std::string& id, std::size_t& deleted) {
    const fs::path file = dir_ / (id + ".jsonl");
    if (fs::remove(file, ec)) ++deleted;  // gone already (a `forget` came first): not counted
    else if (ec) failed("cannot remove " + file.string() + ": " + ec.message(), now);
    fs::remove(dir_ / (id + ".notes"), ec);  // its notes go with it
  };
  for (const auto& id : plan.by_age) remove(id, deleted_by_age_);
  for (const auto& id : plan.by_count) remove(id, deleted_by_count_);
  if (plan.over_keep > 0 && over_keep_.load(std::memory_order_relaxed) == 0) {
    retention_notices_.push_back(std::to_string(plan.over_keep) + " session records beyond records.keep (" +
                                 std::to_string(retention_.keep) +
                                 ") are kept: the oldest go when a clinician starts a session (an operator's "
                                 "session never deletes records of earlier days)");
  }
  if (plan.age_waits_for_clock && !age_waits_.load(std::memory_order_relaxed)) {
    retention_notices_.push_back("records.keep_days (" + std::to_string(retention_.keep_days) +
                                 ") waits: the system clock is not known to be synchronised (NTP), and a clock set wrong would "
                                 "delete records early; records.age_by: system_clock trusts it as it is");
  }
  over_keep_.store(plan.over_keep, std::memory_order_relaxed);
  age_waits_.store(plan.age_waits_for_clock, std::memory_order_relaxed);
}

std::size_t SessionRecorder::erase_except_current(const std::vector<std::string>& ids) {
  std::size_t erased = 0;
  for (const std::string& id : ids) {
    // Held per file, not for the whole erasure: a session starting meanwhile waits one unlink at most.
    std::lock_guard lock(writing_mutex_);
    if (writing_id_ == id) continue;
    erased += erase_records(dir_, {id});
  }
  return erased;
}

void SessionRecorder::begin(const Status& st, const std::string& who, const SessionContext& context, TimePoint now) {
  const std::optional<std::string>& patient = context.patient;
  if (active_) end(SessionEnding{"superseded", std::nullopt}, now);
  std::error_code ec;
  if (fs::create_directories(dir_, ec)) fs::permissions(dir_, fs::perms::owner_all, ec);  // re-created if removed
  rotate(now, context.by_clinician);
  const auto wall = std::chrono::system_clock::now();
  std::string id = iso_utc(wall, true);
  for (int n = 2; fs::exists(dir_ / (id + ".jsonl"), ec); ++n) id = iso_utc(wall, true) + "-" + std::to_string(n);
  id_ = id;
  {
    std::lock_guard lock(writing_mutex_);
    writing_id_ = id;
    figures_so_far_ = json::object();  // no sample yet: the figures are still to come
  }
  started_ = last_tick_ = next_sample_ = now;
  reverse_s_ = forward_s_ = reverse_m_ = forward_m_ = max_kmh_ = max_reverse_kmh_ = 0;
  estops_ = faults_ = pauses_ = 0;
  last_measured_kmh_ = st.measured_kmh;
  coasting_.reset();
  last_state_ = st.state;
  active_ = true;
  start_line_ = json{{"type", "start"},
                     {"id", id},
                     {"profile", st.profile ? json(st.profile->name) : json(nullptr)},
                     {"program", st.program ? json(*st.program) : json(nullptr)},
                     {"who", who},
                     {"patient", patient ? json(*patient) : json(nullptr)},
                     {"start", iso_utc(wall, false)},
                     {"direction", to_string(st.direction)},
                     // The limits the report draws as lines: the profile's caps and session time.
                     {"reverse_cap_kmh", st.profile ? json(st.profile->reverse_cap_kmh) : json(nullptr)},
                     {"forward_cap_kmh", st.profile ? json(st.profile->forward_cap_kmh) : json(nullptr)},
                     {"session_time_s", st.profile ? json(std::chrono::duration<double>(st.profile->session_time).count())
                                                   : json(nullptr)},
                     {"prescription", prescription_json(context.prescription)},
                     {"overrides_prescription", context.overrides_prescription},
                     {"plan", plan_json(context.plan)}}
                    .dump() +
                "\n";
  std::string error;
  if (!file_.open(dir_ / (id + ".jsonl"), error)) {
    failed(error, now);
    return;  // the session runs; its lines are retried, the start line first
  }
  if (!file_.append(start_line_, error)) {
    failed(error, now);
    return;
  }
  if (sync_ != nullptr) sync_->request(file_.fd());
}

void SessionRecorder::tick(const Status& st, TimePoint now) {
  if (!active_) return;
  const double dt = std::chrono::duration<double>(now - last_tick_).count();
  last_tick_ = now;
  const double metres = distance_m(st.measured_kmh, dt);
  if (coasting_) coasting_->metres += metres;  // after the session: the belt coming to rest, apart
  else if (st.measured_kmh > moving_above_kmh) {
    (st.direction == Direction::reverse ? reverse_s_ : forward_s_) += dt;
    (st.direction == Direction::reverse ? reverse_m_ : forward_m_) += metres;
  }
  max_kmh_ = std::max(max_kmh_, st.measured_kmh);
  if (st.direction == Direction::reverse) max_reverse_kmh_ = std::max(max_reverse_kmh_, st.measured_kmh);
  if (st.state == State::paused && last_state_ != State::paused) ++pauses_;
  last_state_ = st.state;
  last_measured_kmh_ = st.measured_kmh;
  // At rest as the record counts motion (the distance above): the e-stop's time to stop, without
  // the dwell the supervisor waits before it calls the belt stopped.
  if (coasting_ && !coasting_->at_rest && st.measured_kmh <= moving_above_kmh) coasting_->at_rest = now;
  // Windows of 200 ms: several drive polls each (a poll updates the speed in one step).
  if (coasting_ && now - coasting_->window_start >= std::chrono::milliseconds(200)) {
    const double window_s = std::chrono::duration<double>(now - coasting_->window_start).count();
    const double decel = (coasting_->window_kmh - st.measured_kmh) / 3.6 / window_s;
    coasting_->peak_decel_mps2 = std::max(coasting_->peak_decel_mps2, decel);
    coasting_->window_start = now;
    coasting_->window_kmh = st.measured_kmh;
  }
  if (now < next_sample_) return;
  next_sample_ = now + std::chrono::milliseconds(500);
  {
    std::lock_guard lock(writing_mutex_);
    figures_so_far_ = figures();
  }
  json sample = {{"type", "sample"},
                 {"t", round2(std::chrono::duration<double>(now - started_).count())},
                 {"direction", to_string(st.direction)},
                 {"target", round2(st.target_kmh)},
                 {"commanded", round2(st.commanded_kmh)},
                 {"measured", round2(st.measured_kmh)},
                 {"state", to_string(st.state)}};
  if (st.segment) sample["segment"] = st.segment->index + 1;  // programs: which segment, from 1
  write(sample, false, now);
}

void SessionRecorder::event(const Event& e, const std::string& who, TimePoint now) {
  if (!active_) return;
  const bool serious = e.kind == Event::Kind::estop || e.kind == Event::Kind::fault;
  // After the session ended (the belt coming to rest) an event is recorded but not counted
  // against the session: the progression counts what happened while the patient walked.
  if (e.kind == Event::Kind::estop && !coasting_) ++estops_;
  if (e.kind == Event::Kind::fault && !coasting_) ++faults_;
  write({{"type", "event"}, {"t", round2(std::chrono::duration<double>(now - started_).count())},
         {"kind", to_string(e.kind)}, {"text", e.text}, {"who", who}},
        serious, now);
}

void SessionRecorder::stopping(TimePoint now) {
  if (!active_ || coasting_) return;
  coasting_ = Coasting{now, last_measured_kmh_, now, last_measured_kmh_, 0, 0, std::nullopt};
}

json SessionRecorder::figures() const {
  return {{"reverse_s", round2(reverse_s_)},   {"forward_s", round2(forward_s_)}, {"reverse_m", round2(reverse_m_)},
          {"forward_m", round2(forward_m_)},   {"max_kmh", round2(max_kmh_)},     {"max_reverse_kmh", round2(max_reverse_kmh_)},
          {"estops", estops_},                 {"faults", faults_},               {"pauses", pauses_}};
}

std::optional<SessionRecorder::Current> SessionRecorder::current() const {
  std::lock_guard lock(writing_mutex_);
  if (!writing_id_) return std::nullopt;
  return Current{*writing_id_, figures_so_far_};
}

void SessionRecorder::end(const SessionEnding& ending, TimePoint now, bool at_standstill) {
  if (!active_) return;
  const TimePoint session_ended = coasting_ ? coasting_->session_ended : now;
  json line = figures();
  line["type"] = "end";
  line["end"] = iso_utc(std::chrono::system_clock::now(), false);
  line["reason"] = ending.reason;
  line["duration_s"] = round2(std::chrono::duration<double>(session_ended - started_).count());
  if (ending.rule) line["rule"] = to_string(*ending.rule);
  if (coasting_) {
    // How the belt came to rest after the session ended under it (an e-stop, a fault).
    line["stop"] = {{"from_kmh", round2(coasting_->from_kmh)},
                    {"distance_m", round2(coasting_->metres)},
                    {"to_standstill_s",
                     round2(std::chrono::duration<double>(coasting_->at_rest.value_or(now) - session_ended).count())},
                    {"peak_decel_mps2", round2(coasting_->peak_decel_mps2)},
                    {"reached_standstill", at_standstill}};
  }
  coasting_.reset();
  write(line, true, now);
  file_.close();
  active_ = false;
  std::lock_guard lock(writing_mutex_);
  writing_id_.reset();
  figures_so_far_ = json::object();
}

namespace {

// Each line on its own: a torn last line (power loss mid-write) is skipped, the rest stays readable.
template <class Fn>
void for_each_line(const fs::path& file, Fn&& fn) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) fn(j);
  }
}

// The start line is the first line and the end line the last: read those two, not the samples in
// between, so a history of years of records costs a few kilobytes per record.
void summarize(const fs::path& file, RecordSummary& s) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.value("type", "") == "start") s.start = j;
  }
  in.clear();
  in.seekg(0, std::ios::end);
  const auto size = static_cast<long long>(in.tellg());
  constexpr long long tail_bytes = 8192;
  in.seekg(std::max(0LL, size - tail_bytes));
  std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Last complete line first; a torn last line (power loss mid-write) is skipped.
  std::size_t end = tail.size();
  while (end > 0) {
    const std::size_t begin = tail.rfind('\n', end - 1);
    const std::size_t from = begin == std::string::npos ? 0 : begin + 1;
    json j = json::parse(tail.substr(from, end - from), nullptr, false);
    if (!j.is_discarded() && j.is_object()) {
      if (j.value("type", "") == "end") s.end = j;
      return;
    }
    if (begin == std::string::npos) return;
    end = begin;
  }
}

}  // namespace

std::vector<RecordSummary> list_records(const fs::path& dir, const RecordFilter& filter) {
  std::vector<RecordSummary> out;
  std::vector<fs::path> files;
  std::error_code ec;  // a missing or unreadable directory lists no sessions; it never throws
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".jsonl") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return record_id_before(a.stem().string(), b.stem().string()); });
  for (const auto& f : files) {
    RecordSummary s;
    s.id = f.stem().string();
    summarize(f, s);
    if (s.start.is_null()) continue;
    if (filter.profile && s.start.value("profile", "") != *filter.profile) continue;
    if (filter.patient && !(s.start.contains("patient") && s.start["patient"] == *filter.patient)) continue;
    // ISO-8601 UTC strings compare in time order; a bare date compares as its midnight, and as
    // `until` it compares with the start's date, so the whole day is in.
    const std::string started = s.start.value("start", "");
    if (filter.since && started < *filter.since) continue;
    if (filter.until && (filter.until->size() == 10 ? started.substr(0, 10) > *filter.until : started >= *filter.until)) {
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> records_of_patient(const fs::path& dir, const std::string& patient) {
  RecordFilter only;
  only.patient = patient;
  std::vector<std::string> ids;
  for (const auto& rec : list_records(dir, only)) ids.push_back(rec.id);
  return ids;
}

namespace {
// A session id names a file in the records directory and nothing else.
bool plausible_id(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && id.find("..") == std::string::npos;
}
}  // namespace

std::size_t erase_records(const fs::path& dir, const std::vector<std::string>& ids) {
  std::size_t erased = 0;
  for (const auto& id : ids) {
    if (!plausible_id(id)) continue;
    std::error_code ec;
    if (fs::remove(dir / (id + ".jsonl"), ec)) ++erased;
    fs::remove(dir / (id + ".notes"), ec);
  }
  return erased;
}

std::string append_note(const fs::path& dir, const std::string& id, const json& note) {
  std::error_code ec;
  if (!plausible_id(id) || !fs::exists(dir / (id + ".jsonl"), ec)) {
    return "there is no session '" + id + "' (see treadctl history)";
  }
  AppendFile file;
  std::string error;
  if (!file.open(dir / (id + ".notes"), error) || !file.append(note.dump() + "\n", error)) return error;
  ::fdatasync(file.fd());  // a clinician's note is not retyped: on disk before the answer
  return {};
}

json read_notes(const fs::path& dir, const std::string& id) {
  json notes = json::array();
  if (!plausible_id(id)) return notes;
  for_each_line(dir / (id + ".notes"), [&](const json& j) { notes.push_back(j); });
  return notes;
}

std::optional<json> read_record(const fs::path& dir, const std::string& id) {
  if (!plausible_id(id)) return std::nullopt;
  const fs::path file = dir / (id + ".jsonl");
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  json r = {{"start", nullptr}, {"end", nullptr}, {"samples", json::array()}, {"events", json::array()}};
  for_each_line(file, [&](const json& j) {
    const std::string type = j.value("type", "");
    if (type == "start") r["start"] = j;
    if (type == "end") r["end"] = j;
    if (type == "sample") r["samples"].push_back(j);
    if (type == "event") r["events"].push_back(j);
  });
  // A record without its start line (a power cut before the first sync, a disk that was full at
  // the start) is damaged: not a report, and nothing that reads it may assume the line is there.
  if (!r["start"].is_object()) return std::nullopt;
  r["cut_short"] = r["end"].is_null();
  r["notes"] = read_notes(dir, id);
  return r;
}

}  // namespace treadd
