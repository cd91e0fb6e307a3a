// SPDX-License-Identifier: Apache-2.0
#include "daemon/controller.hpp"

#include <cmath>
#include <cstdio>

#include "config/prescriptions.hpp"
#include "core/calendar.hpp"
#include "core/patient.hpp"

#include "daemon/records/log.hpp"

namespace treadd {

using nlohmann::json;

namespace {

SupervisorSettings settings_from(const FullConfig& config) {
  SupervisorSettings s;
  s.ceilings = config.machine.ceilings;
  s.safety = config.machine.safety;
  s.role_groups = {config.machine.control.clinician_group, config.machine.control.operator_group};
  return s;
}

// The drive profile's names for its fault codes and its settings, in its order (a DriveSetting
// fact numbers them): how a fault reads to the technician.
Wording wording_from(const FullConfig& config) {
  if (!config.drive_profile) return {};
  std::vector<DriveSettingText> settings;
  for (const auto& c : config.drive_profile->parameters) {
    settings.push_back({c.parameter + " (" + c.what + ")", c.expected(), c.fix});
  }
  return Wording(config.drive_profile->fault_names, std::move(settings));
}

// Session records, read from disk: off the control loop (BackgroundWork), so their size never
// delays a tick or an e-stop.
json history_reply(const std::filesystem::path& records_dir, const HistoryQuery& q, const std::optional<LiveRecord>& live);
json report_reply(const std::filesystem::path& records_dir, const ReportQuery& q, const std::optional<LiveRecord>& live);
// The same patient's session before the one whose start line this is, or null.
json previous_session(const std::filesystem::path& records_dir, const json& start);

// "profiles":{name: limits…},"programs":[names…],"program_segments":{name: {profile, total_s,
// segments}} — JSON members, serialized once per configuration (on the reload worker). What each
// program does is shown as the clinician wrote it, `repeat` blocks expanded.
// One profile's limits in force, and each key as the clinician wrote it ("written").
json profile_limits(const LimitsConfig& limits, const Profile& p, const Ceilings& ceilings) {
  json j = protocol::limits_json(p, ceilings);
  const auto written = limits.written.find(p.name);
  j["written"] = written == limits.written.end() ? json::object() : json(written->second);
  return j;
}

std::string limits_listing(const LimitsConfig& limits, const Ceilings& ceilings) {
  json profiles = json::object();
  for (const auto& [name, p] : limits.profiles) profiles[name] = profile_limits(limits, p, ceilings);
  json programs = json::array();
  json program_segments = json::object();
  for (const auto& [name, g] : limits.programs) {
    programs.push_back(name);
    json segments = json::array();
    double total_s = 0;
    for (const Segment& seg : g.segments) {
      segments.push_back(protocol::segment_json(seg));
      total_s += std::chrono::duration<double>(seg.duration).count();
    }
    program_segments[name] = {{"profile", g.profile}, {"total_s", total_s}, {"segments", std::move(segments)}};
  }
  return "\"profiles\":" + profiles.dump() + ",\"programs\":" + programs.dump() +
         ",\"program_segments\":" + program_segments.dump();
}

json reply_from(const Reply& r, const Wording& wording) {
  if (r.accepted) return protocol::ok_reply(wording.reply(r));
  if (!r.rule) return protocol::error_reply("refused");  // no refusal is made so: each names its rule
  return protocol::refused_reply(*r.rule, r.facts, wording);
}

// What a reload changed, by name: the clinician who edited the file reads it back in the reply
// and the journal keeps it.
struct NamedChanges {
  std::vector<std::string> added, removed, changed;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
  json to_json() const { return {{"added", added}, {"removed", removed}, {"changed", changed}}; }
  std::string text(const char* what) const {
    std::string out;
    auto list = [&](const char* how, const std::vector<std::string>& names) {
      if (names.empty()) return;
      constexpr std::size_t named = 20;  // the reply and the journal line stay short; `changed` holds them all
      std::string joined;
      for (std::size_t i = 0; i < names.size() && i < named; ++i) joined += (joined.empty() ? "" : ", ") + names[i];
      if (names.size() > named) joined += " and " + std::to_string(names.size() - named) + " more";
      out += std::string(out.empty() ? "" : "; ") + what + " " + how + ": " + joined;
    };
    list("added", added);
    list("removed", removed);
    list("changed", changed);
    return out;
  }
  std::string counted(const char* what) const {
    std::string out;
    for (const auto& [how, names] : {std::pair{"added", &added}, {"removed", &removed}, {"changed", &changed}}) {
      if (!names->empty()) out += (out.empty() ? "" : ", ") + std::to_string(names->size()) + " " + how;
    }
    return out.empty() ? out : std::string(what) + ": " + out;
  }
};

template <class Map>
NamedChanges compare_by_name(const Map& before, const Map& after) {
  NamedChanges c;
  for (const auto& [name, value] : after) {
    const auto old = before.find(name);
    if (old == before.end()) c.added.push_back(name);
    else if (!(old->second == value)) c.changed.push_back(name);
  }
  for (const auto& [name, _] : before) {
    if (!after.contains(name)) c.removed.push_back(name);
  }
  return c;
}

}  // namespace

Controller::Controller(FullConfig config, std::string config_dir, MotorDrive& drive, Traces traces)
    : config_(std::move(config)),
      config_dir_(std::move(config_dir)),
      drive_(drive),
      supervisor_(settings_from(config_)),
      wording_(wording_from(config_)),
      events_(std::move(traces)),
      limits_listing_(limits_listing(config_.limits, config_.machine.ceilings)) {}

void Controller::report(log::Level level, const std::string& kind, const std::string& who, const std::string& text,
                        TimePoint now, bool audited) {
  events_.report(level, kind, who, text, now, audited);
}

void Controller::tick(TimePoint now, bool overrun) {
  ++generation_;
  last_feedback_ = drive_.feedback();
  supervisor_.update(TickInputs{last_feedback_, overrun}, now);
  send_drive_command();
  if (last_feedback_.link_up != link_was_up_) {
    events_.link_changed(last_feedback_.link_up, drive_.describe(), now);
    link_was_up_ = last_feedback_.link_up;
  }
  if (!supervisor_.events().empty()) log_events("treadd", now);
  // Status is built only while a session is recorded: no allocation on an idle tick.
  if (events_.recording()) events_.tick(supervisor_.status(), now);
  events_.retry_pending();
}

void Controller::send_drive_command() {
  const DriveCommand& cmd = supervisor_.drive_command();
  // The fast stop takes the drive's priority path once, when it begins: it must not wait for the
  // next tick or a poll. While it lasts, every routine command carries the fast-stop word anyway.
  if (cmd.motion == Motion::fast_stop && last_motion_ != Motion::fast_stop) drive_.emergency_stop();
  last_motion_ = cmd.motion;
  drive_.command(cmd);
}

void Controller::log_events(const std::string& who, TimePoint now) {
  // The core states rules and facts; their lines are worded here, at the edge.
  std::vector<Event> worded = supervisor_.events();
  for (Event& e : worded) e.text = wording_.event(e);
  if (events_.consume(worded, supervisor_.status(), who, now)) ++limits_generation_;  // `active` changed
  supervisor_.clear_events();
}

Controller::Outcome Controller::execute(std::string_view line, const Peer& peer, TimePoint now) {
  auto parsed = protocol::parse_request(line);
  if (!parsed.request) {
    Outcome bad{protocol::error_reply("bad request: " + parsed.error), std::nullopt};
    bad.bad_request = true;
    return bad;
  }
  return std::visit(
      [&](const auto& req) -> Outcome {
        using T = std::decay_t<decltype(req)>;
        if constexpr (T::spec.answered_by == AnsweredBy::supervisor) {
          return {run_command(Command{req}, peer, now), std::nullopt};  // the supervisor checks the role
        } else {
          if (auto refused = check_role(T::spec, peer.role, supervisor_.settings().role_groups)) {
            count_refusal(*refused, peer, now);
            return {reply_from(*refused, wording_), std::nullopt};
          }
          Outcome outcome = answer(req, peer, now);
          // The daemon's own refusals (an earlier day's records, an unconfirmed erasure, a start
          // without its patient code) are counted, logged and audited like the supervisor's:
          // immediate ones where they are made, those of off-loop queries here.
          if (outcome.query) {
            outcome.on_answer = [this, peer, now, then = std::move(outcome.on_answer)](const json& reply) {
              if (then) then(reply);
              count_if_refused(reply, peer, now);
            };
          }
          return outcome;
        }
      },
      *parsed.request);
}

void Controller::count_if_refused(const json& reply, const Peer& peer, TimePoint now) {
  if (!reply.is_object() || !reply.contains("rule") || !reply["rule"].is_string()) return;
  events_.refused(rule_from_code(reply["rule"].get<std::string>()), reply.value("error", std::string()), peer.uid,
                  peer.who, now);
}

Controller::Outcome Controller::answer(const StatusQuery&, const Peer& peer, TimePoint) {
  Outcome shared;
  shared.shared_line = &status_line(peer.role);
  return shared;
}

Controller::Outcome Controller::answer(const LimitsQuery& req, const Peer&, TimePoint) {
  if (req.profile) return {limits(*req.profile), std::nullopt};
  Outcome shared;
  shared.shared_line = &all_limits_line();
  return shared;
}

Controller::Outcome Controller::answer(const VersionQuery&, const Peer&, TimePoint) {
  json r = protocol::ok_reply(std::string("treadd ") + TREADD_VERSION);
  r["version"] = TREADD_VERSION;
  return {r, std::nullopt};
}

Controller::Outcome Controller::answer(const WatchQuery& req, const Peer&, TimePoint) {
  return {protocol::ok_reply("watching"), req.hz};
}

Controller::Outcome Controller::answer(const ReloadRequest&, const Peer&, TimePoint) {
  Outcome deferred;
  deferred.reload = true;
  return deferred;
}

namespace {
// The worker first lets the storage writer finish what was posted before the request, so a
// session that has just ended is read whole (its end line). At most 2 s: behind a stalled
// journald or disk the records are read as they are rather than not at all.
void written_first(StorageWriter* writer) {
  if (writer != nullptr && !writer->drain_for(std::chrono::seconds(2))) {
    log::warning("a records query read the records while the storage writer was still behind");
  }
}

// The loop's view of the record being written (`live`, taken with the request) named by the
// recorder's id and given its figures so far, read after the writer has caught up: that record is
// shown running, not cut short.
std::optional<LiveRecord> named(std::optional<LiveRecord> live, const SessionRecorder* recorder) {
  std::optional<SessionRecorder::Current> current = recorder != nullptr ? recorder->current() : std::nullopt;
  if (!current) return std::nullopt;
  if (!live) live = LiveRecord{"", "running", 0, 0, json::object()};  // started since the request
  live->id = std::move(current->id);
  live->figures = std::move(current->figures);
  return live;
}
}  // namespace

// Session records are read off the loop: their size never delays a tick or an e-stop.
// Records are patient data: clinicians read them all; an operator sees today's sessions (UTC),
// the ones at the machine now, and no earlier day.
std::optional<std::string> earliest_for(Role role) {
  if (role >= Role::clinician) return std::nullopt;
  return iso_utc_from_unix(std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count())
      .substr(0, 10);
}

Controller::Outcome Controller::answer(const HistoryQuery& req, const Peer& peer, TimePoint) {
  HistoryQuery q = req;
  const auto today = earliest_for(peer.role);
  if (today && (!q.since || *q.since < *today)) q.since = today;
  Outcome off_loop;
  off_loop.query = [dir = events_.traces().records_dir, writer = events_.traces().writer,
                    recorder = events_.traces().recorder, live = events_.live(), q, limited = today.has_value()] {
    written_first(writer);
    json r = history_reply(dir, q, named(live, recorder));
    if (limited) r["limited_to"] = "today: records of earlier days are for clinicians";
    return r;
  };
  return off_loop;
}

Controller::Outcome Controller::answer(const ReportQuery& req, const Peer& peer, TimePoint) {
  Outcome off_loop;
  off_loop.query = [dir = events_.traces().records_dir, writer = events_.traces().writer,
                    recorder = events_.traces().recorder, live = events_.live(), req,
                    today = earliest_for(peer.role)] {
    written_first(writer);
    json r = report_reply(dir, req, named(live, recorder));
    if (today && r.value("ok", false) && r["record"]["start"].value("start", std::string()).substr(0, 10) < *today) {
      return protocol::refused_reply(RuleId::records_clinician_only, {{"session", Name{req.session}}});
    }
    // The patient's session before this one, beside it in the report (a clinician's: it may be of an earlier day).
    if (!today && r.value("ok", false)) r["previous"] = previous_session(dir, r["record"]["start"]);
    return r;
  };
  return off_loop;
}

namespace {
// What is wrong with a note before it is kept, in the words the clinician typed it; empty if none.
std::string note_problem(const NoteRequest& req) {
  if (!req.pain_before && !req.pain_after && !req.text) {
    return "say what to keep with the session: --pain-before N, --pain-after N (0-10) or --text";
  }
  for (const auto& [name, pain] : {std::pair{"pain_before", req.pain_before}, std::pair{"pain_after", req.pain_after}}) {
    if (pain && *pain != std::floor(*pain)) {
      char given[32];
      std::snprintf(given, sizeof given, "%g", *pain);
      return std::string("\"") + name + "\" is a whole number from 0 (no pain) to 10 (worst imaginable), not " + given;
    }
  }
  // (Control characters, line breaks among them, the protocol refuses for every text field.)
  if (req.text && req.text->find_first_not_of(' ') == std::string::npos) return "the note's text is empty";
  return {};
}
}  // namespace

// A note joins the session's record off the loop (a file append and its sync). Operators may note
// today's sessions, as they may read them; a note never changes the machine's own record.
Controller::Outcome Controller::answer(const NoteRequest& req, const Peer& peer, TimePoint now) {
  if (const std::string problem = note_problem(req); !problem.empty()) return {protocol::error_reply(problem), std::nullopt};
  json note = {{"type", "note"},
               {"at", iso_utc_from_unix(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count())},
               {"who", peer.who}};
  if (req.pain_before) note["pain_before"] = static_cast<int>(*req.pain_before);
  if (req.pain_after) note["pain_after"] = static_cast<int>(*req.pain_after);
  if (req.text) note["text"] = *req.text;
  Outcome off_loop;
  off_loop.query = [dir = events_.traces().records_dir, writer = events_.traces().writer, req, note,
                    today = earliest_for(peer.role)] {
    written_first(writer);
    const std::optional<json> record = read_record(dir, req.session);
    if (!record) return protocol::error_reply("there is no session '" + req.session + "' (see treadctl history)");
    if (today && (*record)["start"].value("start", std::string()).substr(0, 10) < *today) {
      return protocol::refused_reply(RuleId::records_clinician_only, {{"session", Name{req.session}}});
    }
    if (const std::string error = append_note(dir, req.session, note); !error.empty()) {
      return protocol::error_reply("the note was not kept: " + error);
    }
    json r = protocol::ok_reply("note kept with session " + req.session);
    r["note"] = note;
    return r;
  };
  // The audit says who noted which session, never what: the note is patient data.
  off_loop.on_answer = [this, who = peer.who, session = req.session, now](const json& reply) {
    if (reply.value("ok", false)) report(log::Level::notice, "note", who, "kept a note with session " + session, now);
  };
  return off_loop;
}

Controller::Outcome Controller::answer(const ForgetRequest& req, const Peer& peer, TimePoint now) {
  if (req.confirm != req.patient || events_.session_patient() == req.patient) {
    // The code is the patient's: never a fact the journal could copy.
    return {req.confirm != req.patient ? refuse(RuleId::erasure_unconfirmed, {{"patient", FromRecord{req.patient}}}, peer, now)
                                       : refuse(RuleId::session_running, Facts{}, peer, now),
            std::nullopt};
  }
  // Found and erased off the loop. A session of this patient that started since the request is
  // being written and stays (the recorder's current record is never unlinked).
  Outcome off_loop;
  off_loop.query = [dir = events_.traces().records_dir, recorder = events_.traces().recorder,
                    writer = events_.traces().writer, patient = req.patient,
                    prescription = std::filesystem::path(patients_dir(config_dir_)) / (req.patient + ".yaml")] {
    written_first(writer);  // an ended session's last line lands before its file may go
    const std::vector<std::string> ids = records_of_patient(dir, patient);
    const std::size_t erased = recorder != nullptr ? recorder->erase_except_current(ids) : erase_records(dir, ids);
    std::string text = "erased " + std::to_string(erased) + " session record" + (erased == 1 ? "" : "s") +
                       " of patient " + patient;
    // Not followed: a link is not a prescription file (the loader refuses them), and removing one
    // would leave its target. An error asking is a file left, not no file.
    std::error_code ec;
    const auto kind = std::filesystem::symlink_status(prescription, ec).type();
    const bool had_prescription = kind != std::filesystem::file_type::not_found;
    const bool prescription_erased = kind == std::filesystem::file_type::regular && std::filesystem::remove(prescription, ec);
    if (had_prescription && !prescription_erased && !ec) ec = std::make_error_code(std::errc::operation_not_permitted);
    if (prescription_erased) text += " and the prescription " + prescription.string();
    if (had_prescription && !prescription_erased) {
      text += "; the prescription " + prescription.string() + " could not be deleted (" + ec.message() +
              "): delete it by hand";
    }
    json r = protocol::ok_reply(text + " (irreversible)");
    r["erased"] = erased;
    r["prescription_erased"] = prescription_erased;
    r["prescription_left"] = had_prescription && !prescription_erased;
    return r;
  };
  // The audit says who erased how many, never whose: the code would outlive the erasure there.
  off_loop.on_answer = [this, who = peer.who, patient = req.patient, now](const json& reply) {
    if (!reply.value("ok", false)) return;
    const std::size_t erased = reply.value("erased", std::size_t{0});
    // Forgotten is forgotten: the prescription stops being in force even when its file could not
    // be deleted (the reply says to delete it by hand; a reload would read it again).
    if (config_.limits.prescriptions.erase(patient) > 0) {
      ++generation_;
      ++limits_generation_;
    }
    report(log::Level::notice, "forget", who,
           "erased " + std::to_string(erased) + " session record" + (erased == 1 ? "" : "s") +
               (reply.value("prescription_erased", false) ? " and the prescription" : "") +
               " of one patient at a clinician's request (irreversible)" +
               (reply.value("prescription_left", false) ? "; their prescription file could not be deleted" : ""),
           now);
  };
  return off_loop;
}

Controller::Outcome Controller::answer(const StartRequest& req, const Peer& peer, TimePoint now) {
  return {start(req, peer, now), std::nullopt};
}

json Controller::run_command(const Command& cmd, const Peer& peer, TimePoint now) {
  ++generation_;
  const Reply r = supervisor_.handle(Request{cmd, peer.role, peer.who}, now);
  send_drive_command();
  log_events(peer.who, now);
  if (!r.accepted) count_refusal(r, peer, now);
  return reply_from(r, wording_);
}

void Controller::count_refusal(const Reply& r, const Peer& peer, TimePoint now) {
  events_.refused(r.rule, wording_.reply(r, Reader::journal), peer.uid, peer.who, now);
}

json Controller::refuse(RuleId rule, const Facts& facts, const Peer& peer, TimePoint now) {
  events_.refused(rule, wording_.rule(rule, facts, Reader::journal), peer.uid, peer.who, now);
  return protocol::refused_reply(rule, facts, wording_);
}

json Controller::start(const StartRequest& req, const Peer& peer, TimePoint now) {
  const auto& profiles = config_.limits.profiles;
  const Prescription* prescribed = nullptr;
  if (req.patient) {
    if (auto it = config_.limits.prescriptions.find(*req.patient); it != config_.limits.prescriptions.end()) {
      prescribed = &it->second;
    }
  }
  // `start --patient CODE` alone starts the patient's prescription, its program included.
  const std::string profile = req.profile.empty() && prescribed ? prescribed->profile : req.profile;
  const std::optional<std::string> program = req.profile.empty() && prescribed && !req.program ? prescribed->program
                                                                                                 : req.program;
  if (profile.empty()) return protocol::refused_reply(RuleId::profile_required, {{"profiles", Name{profile_names()}}});
  auto p = profiles.find(profile);
  if (p == profiles.end()) {
    return protocol::refused_reply(RuleId::unknown_profile, {{"profile", Name{profile}}, {"profiles", Name{profile_names()}}});
  }
  if (config_.machine.records.patient_code_required && !req.patient) {
    return refuse(RuleId::patient_code_required, {{"form", Name{patient_code_form}}}, peer, now);
  }
  StartCmd cmd{p->second, std::nullopt, req.direction};
  if (program) {
    auto g = config_.limits.programs.find(*program);
    if (g == config_.limits.programs.end()) {
      return protocol::refused_reply(RuleId::unknown_program, {{"program", Name{*program}}});
    }
    if (g->second.profile != profile) {
      return protocol::refused_reply(RuleId::program_of_other_profile,
                                     {{"program", Name{*program}}, {"owner", Name{g->second.profile}}, {"profile", Name{profile}}});
    }
    cmd.program = g->second;
  }
  // Another profile or program than the patient's prescription is a clinician's decision.
  const bool overrides = prescribed && (profile != prescribed->profile || program != prescribed->program);
  if (overrides && peer.role < Role::clinician) {
    return refuse(RuleId::prescription_override,
                  {{"prescribed", Name{prescribed->profile + (prescribed->program ? ", program " + *prescribed->program : "")}},
                   {"prescribed_by", FromRecord{prescribed->clinician + ", " + prescribed->date}},
                   {"group", Name{config_.machine.control.clinician_group}}},
                  peer, now);
  }
  // Recorded when the session_started event is logged.
  events_.set_starting(SessionContext{req.patient, peer.role >= Role::clinician,
                                      prescribed ? std::optional<Prescription>(*prescribed) : std::nullopt, overrides,
                                      cmd.program ? cmd.program->segments : std::vector<Segment>{}});
  json reply = run_command(Command{std::move(cmd)}, peer, now);
  events_.set_starting(SessionContext{});
  if (reply.value("ok", false) && overrides) {
    // The audit and journal say it was an override, never for whom.
    report(log::Level::notice, "override", peer.who,
           "started profile " + profile + (program ? ", program " + *program : "") +
               " instead of the patient's prescription (a clinician's override, kept in the session record)",
           now);
  }
  return reply;
}

std::string Controller::profile_names() const {
  std::string names;
  for (const auto& [name, _] : config_.limits.profiles) names += (names.empty() ? "" : ", ") + name;
  return names;
}

json Controller::limits(const std::string& profile) const {
  auto p = config_.limits.profiles.find(profile);
  if (p == config_.limits.profiles.end()) {
    return protocol::refused_reply(RuleId::unknown_profile, {{"profile", Name{profile}}, {"profiles", Name{profile_names()}}});
  }
  json r = protocol::ok_reply("limits");
  r["limits"] = profile_limits(config_.limits, p->second, config_.machine.ceilings);
  return r;
}

json Controller::reload(const std::string& who) { return apply_reload(parse_limits_file(), who); }

Controller::ParsedLimits Controller::parse_limits_file() const {
  ParsedLimits parsed{load_clinical(config_dir_, config_.machine), {}};
  if (parsed.loaded.ok()) parsed.listing = limits_listing(*parsed.loaded.value, config_.machine.ceilings);
  return parsed;
}

json Controller::apply_reload(ParsedLimits parsed, const std::string& who) {
  Loaded<LimitsConfig>& loaded = parsed.loaded;
  if (!loaded.ok()) {
    json r = protocol::error_reply("refused: limits.yaml or a prescription has errors; the limits in force are unchanged, and so are the prescriptions");
    // The first 50 are enough to act on; a file of thousands of errors must not become a
    // megabyte reply and journal entry built on the loop.
    constexpr std::size_t shown = 50;
    json errors = json::array();
    std::vector<Diagnostic> first(loaded.errors.begin(),
                                  loaded.errors.begin() + static_cast<long>(std::min(shown, loaded.errors.size())));
    for (const auto& d : first) errors.push_back(d.to_string());
    if (loaded.errors.size() > shown) {
      errors.push_back("... and " + std::to_string(loaded.errors.size() - shown) + " more errors (treadctl check-config lists them all)");
    }
    r["errors"] = errors;
    // The reply shows the clinician every error whole; the journal and the audit log keep their
    // places only (for_the_journal: a clinician's file may quote a person's name).
    std::string places = join(for_the_journal(first));
    if (!places.empty() && places.back() == '\n') places.pop_back();
    report(log::Level::warning, "reload", who,
           "refused: " + std::to_string(loaded.errors.size()) +
               " errors in limits.yaml or the prescriptions; the limits in force are unchanged:\n" + places,
           std::chrono::steady_clock::now());
    return r;
  }
  // Compared here, on the loop: bounded by the segments compared (a file of programs expanded
  // beyond that gets its programs named as not compared rather than a long tick).
  constexpr std::size_t comparable_segments = 20000;
  std::size_t segments = 0;
  for (const LimitsConfig* l : {&config_.limits, &*loaded.value}) {
    for (const auto& [_, program] : l->programs) segments += program.segments.size();
  }
  const NamedChanges profiles = compare_by_name(config_.limits.profiles, loaded.value->profiles);
  const bool programs_compared = segments <= comparable_segments;
  const NamedChanges programs =
      programs_compared ? compare_by_name(config_.limits.programs, loaded.value->programs) : NamedChanges{};
  std::string changes = profiles.text("profiles");
  if (const std::string p = programs.text("programs"); !p.empty()) changes += (changes.empty() ? "" : "; ") + p;
  if (!programs_compared) changes += (changes.empty() ? "" : "; ") + std::string("programs not compared (too many segments)");
  // Counted, not named: a prescription is named for its patient, and this line reaches the journal.
  const NamedChanges prescriptions = compare_by_name(config_.limits.prescriptions, loaded.value->prescriptions);
  if (const std::string p = prescriptions.counted("prescriptions"); !p.empty()) changes += (changes.empty() ? "" : "; ") + p;
  if (changes.empty()) changes = "nothing changed";
  config_.limits = std::move(*loaded.value);
  limits_listing_ = std::move(parsed.listing);
  ++generation_;
  ++limits_generation_;
  report(log::Level::notice, "reload", who,
         "limits reloaded from " + config_dir_ + "/limits.yaml (" + changes + "); they apply from the next session",
         std::chrono::steady_clock::now());
  json r = protocol::ok_reply("limits reloaded (" + changes +
                              "); they apply from the next session (a running session keeps its limits)");
  r["changed"] = {{"profiles", profiles.to_json()}, {"programs", programs.to_json()}, {"prescriptions", prescriptions.to_json()}};
  return r;
}

void Controller::stop_for_shutdown(TimePoint now) {
  supervisor_.handle(Request{StopCmd{"the daemon is shutting down"}, Role::clinician, "treadd"}, now);
  send_drive_command();
  log_events("treadd", now);
}

bool Controller::belt_at_rest() const {
  const State s = supervisor_.state();
  const bool session_over = s != State::running && s != State::stopping && s != State::cooling_down &&
                            s != State::changing_direction && s != State::paused;
  // With the link down there is nothing more to wait for: the drive's own watchdog stops the belt.
  return session_over && (last_feedback_.measured_kmh < config_.machine.safety.standstill_kmh || !last_feedback_.link_up);
}

void Controller::set_commissioning(CommissioningStatus status) {
  supervisor_.block_starts(status.allows_start() ? std::nullopt
                                                 : std::optional<std::string>(status.detail));
  commissioning_ = std::move(status);
}

json Controller::status_json() const {
  json j = protocol::to_json(supervisor_.status(), config_.machine.ceilings, wording_);
  // Staff at the machine see whose session it is by the code it was started with (never a name).
  const auto& patient = events_.session_patient();
  j["patient"] = patient ? json(*patient) : json(nullptr);
  j["drive"] = {{"name", drive_.describe()},
                {"link_up", last_feedback_.link_up},
                {"fault_code", last_feedback_.fault_code},
                {"safety_key_present", last_feedback_.safety_key_present},
                // Whether the drive reports which way the belt turns (the wrong_direction rule needs it).
                {"direction", last_feedback_.direction_verified ? "verified" : "unverified"}};
  if (std::string problem = drive_.link_problem(); !problem.empty()) j["drive"]["problem"] = problem;
  if (std::string identity = drive_.identity(); !identity.empty()) j["drive"]["identity"] = identity;
  // With the link down the last reading says nothing about the belt now: unknown, not stale.
  if (!last_feedback_.link_up) j["measured_kmh"] = nullptr;
  std::string notice = notice_;
  if (!lockout_notice_.empty() && supervisor_.state() == State::locked) {
    notice += (notice.empty() ? "" : "; ") + lockout_notice_;
  }
  j["notice"] = notice.empty() ? json(nullptr) : json(notice);
  if (commissioning_) j["commissioning"] = commissioning_->to_json();
  if (const StorageHealth* health = events_.traces().health) {
    const std::string last_error = health->last_error();
    const StorageWriter* writer = events_.traces().writer;
    const SessionRecorder* recorder = events_.traces().recorder;
    const std::uint64_t dropped = writer != nullptr ? writer->dropped() : 0;
    j["storage"] = {{"ok", health->ok() && dropped == 0},
                    {"errors", health->errors()},
                    // Writes the writer's full queue turned away (a disk slower than the loop): counted, never waited for.
                    {"dropped", dropped},
                    // Writes posted and not yet on disk (a journald or disk falling behind).
                    {"waiting", writer != nullptr ? writer->waiting() : 0},
                    // Retention left undone on purpose (retention.hpp): records beyond records.keep
                    // kept until a clinician's start; keep_days waiting for a synchronised clock.
                    {"records_over_keep", recorder != nullptr ? recorder->records_over_keep() : 0},
                    {"keep_days_waits_for_clock", recorder != nullptr && recorder->age_limit_waits_for_clock()},
                    {"last_error", last_error.empty() ? json(nullptr) : json(last_error)}};
  }
  j["recent_events"] = events_.recent_events();
  j["loop"] = {{"ticks", loop_health_.ticks},
               {"overruns", loop_health_.overruns},
               {"worst_late_ms", loop_health_.worst_late_ms},
               {"late_over_20ms", loop_health_.late_over_20ms}};
  return j;
}

const std::string& Controller::all_limits_line() {
  if (limits_line_generation_ != limits_generation_) {
    // The listing of every profile was serialized with the configuration; only the small parts
    // (ceilings, the running session's limits) are built here.
    std::string head = protocol::ok_reply("limits").dump();
    head.pop_back();  // the closing brace: the members follow
    limits_line_ = head + ",\"ceilings\":" + protocol::ceilings_json(config_.machine.ceilings).dump() + "," +
                   limits_listing_;
    if (auto st = supervisor_.status(); st.profile) {
      limits_line_ += ",\"active\":" + protocol::limits_json(*st.profile, config_.machine.ceilings).dump();
    }
    limits_line_ += "}\n";
    limits_line_generation_ = limits_generation_;
  }
  return limits_line_;
}

namespace {

// Anyone on the machine may read status (everyone may press the e-stop); who did what, and what
// staff typed as a stop reason, and the patient code, are for staff. A viewer sees each event's kind and time, and why
// the last session ended only when a rule ended it.
json viewer_status(json st) {
  if (st["last_end_reason"].is_string() && !st["last_end_rule"].is_string()) st["last_end_reason"] = "ended by staff";
  st["patient"] = nullptr;  // a patient code is patient data
  for (json& e : st["recent_events"]) e.erase("text");
  return st;
}

}  // namespace

const std::string& Controller::status_line(Role role) {
  if (status_line_generation_ != generation_) {
    json r = protocol::ok_reply("status");
    r["status"] = status_json();
    status_line_ = protocol::line(r);
    r["status"] = viewer_status(std::move(r["status"]));
    viewer_status_line_ = protocol::line(r);
    status_line_generation_ = generation_;
  }
  return role >= Role::operator_role ? status_line_ : viewer_status_line_;
}

namespace {

json history_reply(const std::filesystem::path& records_dir, const HistoryQuery& q, const std::optional<LiveRecord>& live) {
  json r = protocol::ok_reply("history");
  json sessions = json::array();
  for (const auto& rec : list_records(records_dir, {q.profile, q.since, q.until, q.patient})) {
    const bool is_live = !rec.end && live && live->id == rec.id;
    json s = {{"id", rec.id}, {"start", rec.start}, {"end", rec.end ? *rec.end : json(nullptr)},
              {"cut_short", !rec.end && !is_live}};
    if (is_live) s["live"] = live->to_json();
    s["notes"] = read_notes(records_dir, rec.id);  // pain scores and notes (treadctl note)
    sessions.push_back(std::move(s));
  }
  r["sessions"] = std::move(sessions);
  r["records_dir"] = records_dir.string();  // where the clinic's records are (purge keeps them)
  return r;
}

json previous_session(const std::filesystem::path& records_dir, const json& start) {
  const json& patient = start.contains("patient") ? start["patient"] : json();
  if (!patient.is_string()) return nullptr;  // sessions of nobody in particular have no "previous"
  const std::string this_one = start.value("id", std::string());
  RecordFilter filter;
  filter.patient = patient.get<std::string>();
  std::optional<RecordSummary> latest;
  for (RecordSummary& rec : list_records(records_dir, filter)) {  // in the order they started
    if (!record_id_before(rec.id, this_one)) break;
    latest = std::move(rec);
  }
  if (!latest) return nullptr;
  return {{"start", latest->start},
          {"end", latest->end ? *latest->end : json(nullptr)},
          {"notes", read_notes(records_dir, latest->id)}};
}

json report_reply(const std::filesystem::path& records_dir, const ReportQuery& q, const std::optional<LiveRecord>& live) {
  if (q.session.empty()) return protocol::error_reply("name a session (treadctl history lists them)");
  auto rec = read_record(records_dir, q.session);
  if (!rec) return protocol::error_reply("there is no session '" + q.session + "' (see treadctl history)");
  if ((*rec)["end"].is_null() && live && live->id == q.session) {
    (*rec)["cut_short"] = false;
    (*rec)["live"] = live->to_json();
  }
  json r = protocol::ok_reply("report");
  r["record"] = std::move(*rec);
  return r;
}

}  // namespace

}  // namespace treadd
