// SPDX-License-Identifier: Apache-2.0
// Every request of the control protocol, declared once: its name, the role it needs, its fields
// (kind, bounds, help) and its help line, beside the plain value the daemon acts on. The protocol
// parser, the one role check, treadctl's subcommands and completion, and the command lists of
// docs/protocol.md and treadctl(1) all come from `command_specs` (the docs are checked by a test).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/direction.hpp"
#include "core/limits.hpp"
#include "daemon/supervisor/rules.hpp"

namespace treadd {

// date: ISO 8601 UTC (core/calendar.hpp); patient: a pseudonymous code (core/patient.hpp)
enum class FieldKind { text, number, flag, direction, date, patient };

struct Field {
  std::string_view name;  // empty: no field
  FieldKind kind = FieldKind::text;
  bool required = false;
  bool positional = false;  // on treadctl's command line: an argument, not an --option
  double min = 0, max = 0;  // number: its range; text: its length; both 0 = unbounded
  std::string_view help;
};

enum class AnsweredBy { supervisor, daemon };

struct CommandSpec {
  std::string_view name;
  Role role;  // the weakest role that may send it
  AnsweredBy answered_by;
  std::string_view help;
  std::array<Field, 4> fields{};
  // How long treadctl waits for the answer. Requests answered from disk on the daemon's worker
  // (a clinic's years of records, every prescription at a reload, a slow card) may take minutes
  // there without the daemon being lost.
  int answer_within_s = 5;
};

// A request's field values, already checked against its spec.
class Args {
 public:
  using Value = std::variant<std::string, double, bool, Direction>;
  void set(std::string_view name, Value v) { values_[std::string(name)] = std::move(v); }
  std::optional<std::string> text(std::string_view name) const { return get<std::string>(name); }
  std::optional<double> number(std::string_view name) const { return get<double>(name); }
  std::optional<bool> flag(std::string_view name) const { return get<bool>(name); }
  std::optional<Direction> direction(std::string_view name) const { return get<Direction>(name); }

 private:
  template <class T>
  std::optional<T> get(std::string_view name) const {
    auto it = values_.find(std::string(name));
    if (it == values_.end() || !std::holds_alternative<T>(it->second)) return std::nullopt;
    return std::get<T>(it->second);
  }
  std::map<std::string, Value> values_;
};

// ---- requests the daemon answers itself ----
struct StatusQuery {
  static constexpr CommandSpec spec{"status", Role::viewer, AnsweredBy::daemon, "show the state, speeds and session"};
  static StatusQuery from(const Args&) { return {}; }
};
struct WatchQuery {
  static constexpr CommandSpec spec{"watch", Role::viewer, AnsweredBy::daemon,
                                    "live view of the session (the belt is not affected)",
                                    {{{"hz", FieldKind::number, false, false, 0.5, 20, "updates per second (default 5)"}}}};
  double hz = 5;
  static WatchQuery from(const Args& a) { return {a.number("hz").value_or(5)}; }
};
struct VersionQuery {
  static constexpr CommandSpec spec{"version", Role::viewer, AnsweredBy::daemon,
                                    "the running daemon's version (after an upgrade: is the new one running?)"};
  static VersionQuery from(const Args&) { return {}; }
};
struct LimitsQuery {
  static constexpr CommandSpec spec{"limits", Role::viewer, AnsweredBy::daemon,
                                    "show the effective limits and the ceilings that bound them",
                                    {{{"profile", FieldKind::text, false, false, 0, 0, "one profile only"}}}};
  std::optional<std::string> profile;
  static LimitsQuery from(const Args& a) { return {a.text("profile")}; }
};
constexpr int disk_request_answer_within_s = 120;

// Parsed on the worker: limits.yaml (up to 256 KiB) and every prescription file. Under a
// sanitizer on a busy machine that took more than 5 s (CI, stop 31). Below systemd's 90 s bound on
// ExecReload (TimeoutStartSec's default, which the unit keeps), so that treadctl, not systemd, says
// what happened.
inline constexpr int reload_answer_within_s = 60;
struct ReloadRequest {
  static constexpr CommandSpec spec{"reload", Role::clinician, AnsweredBy::daemon,
                                    "re-read limits.yaml; applies from the next session",
                                    {},
                                    reload_answer_within_s};
  static ReloadRequest from(const Args&) { return {}; }
};

struct HistoryQuery {
  static constexpr CommandSpec spec{
      "history", Role::operator_role, AnsweredBy::daemon, "list recorded sessions",
      {{{"profile", FieldKind::text, false, false, 0, 0, "only this profile"},
        {"since", FieldKind::date, false, false, 0, 0, "only sessions started at or after this time"},
        {"until", FieldKind::date, false, false, 0, 0, "only sessions started before this time (a date: to the end of that day)"},
        {"patient", FieldKind::patient, false, false, 0, 0, "only this patient's sessions"}}},
      disk_request_answer_within_s};
  std::optional<std::string> profile;
  std::optional<std::string> since;  // ISO date or date-time, UTC
  std::optional<std::string> until;
  std::optional<std::string> patient;
  static HistoryQuery from(const Args& a) {
    return {a.text("profile"), a.text("since"), a.text("until"), a.text("patient")};
  }
};
// The right to erasure: every session record of one patient, deleted for good.
struct ForgetRequest {
  static constexpr CommandSpec spec{
      "forget", Role::clinician, AnsweredBy::daemon,
      "erase every session record of one patient (irreversible; audited)",
      {{{"patient", FieldKind::patient, true, false, 0, 0, "the patient code"},
        {"confirm", FieldKind::patient, false, false, 0, 0, "the same code again (treadctl asks for it)"}}},
      disk_request_answer_within_s};
  std::string patient;
  std::optional<std::string> confirm;
  static ForgetRequest from(const Args& a) { return {a.text("patient").value_or(""), a.text("confirm")}; }
};
struct ReportQuery {
  static constexpr CommandSpec spec{"report", Role::operator_role, AnsweredBy::daemon, "one recorded session",
                                    {{{"session", FieldKind::text, false, true, 0, 0, "session id from history (default: the last session; or --patient for the progression)"}}},
                                    disk_request_answer_within_s};
  std::string session;
  static ReportQuery from(const Args& a) { return {a.text("session").value_or("")}; }
};
// What the patient reports and the clinician notes about one session, kept beside its record:
// pain on the 0-10 numeric rating scale before and after, and a short note.
inline constexpr int note_text_max = 1000;
struct NoteRequest {
  static constexpr CommandSpec spec{
      "note", Role::operator_role, AnsweredBy::daemon,
      "keep the patient's pain scores and a note with a session (erased with its records by forget)",
      {{{"session", FieldKind::text, true, true, 0, 0, "session id from history"},
        {"pain_before", FieldKind::number, false, false, 0, 10, "pain before the session, 0-10 (NRS)"},
        {"pain_after", FieldKind::number, false, false, 0, 10, "pain after the session, 0-10 (NRS)"},
        {"text", FieldKind::text, false, false, 0, note_text_max, "a short note (one line)"}}},
      disk_request_answer_within_s};
  std::string session;
  std::optional<double> pain_before;
  std::optional<double> pain_after;
  std::optional<std::string> text;
  static NoteRequest from(const Args& a) {
    return {a.text("session").value_or(""), a.number("pain_before"), a.number("pain_after"), a.text("text")};
  }
};
// A start names a profile (and program); the daemon resolves them against the loaded limits and
// hands the supervisor a StartCmd.
struct StartRequest {
  static constexpr CommandSpec spec{
      "start", Role::operator_role, AnsweredBy::daemon, "start a session at the profile's start speed",
      {{{"profile", FieldKind::text, false, false, 0, 0, "profile from limits.yaml (without one, the reply lists them)"},
        {"program", FieldKind::text, false, false, 0, 0, "interval program of that profile"},
        {"direction", FieldKind::direction, false, false, 0, 0, "reverse or forward (default: the profile's)"},
        {"patient", FieldKind::patient, false, false, 0, 0, "the patient's pseudonymous code (machine.yaml may require one)"}}}};
  std::string profile;
  std::optional<std::string> program;
  std::optional<Direction> direction;
  std::optional<std::string> patient;
  static StartRequest from(const Args& a) {
    return {a.text("profile").value_or(""), a.text("program"), a.direction("direction"), a.text("patient")};
  }
};

// ---- commands the supervisor handles ----
struct StartCmd {  // built by the daemon from a StartRequest, never parsed
  Profile profile;
  std::optional<Program> program;
  std::optional<Direction> direction;  // default: the profile's
};
struct SpeedCmd {
  static constexpr CommandSpec spec{"speed", Role::operator_role, AnsweredBy::supervisor,
                                    "set the target speed (within the profile's cap)",
                                    {{{"kmh", FieldKind::number, true, true, 0, 0, "km/h (zero or more)"}}}};
  double kmh = 0;
  static SpeedCmd from(const Args& a) { return {a.number("kmh").value_or(0)}; }
};
struct DirectionCmd {
  static constexpr CommandSpec spec{
      "direction", Role::operator_role, AnsweredBy::supervisor, "change the belt's direction (only at standstill)",
      {{{"direction", FieldKind::direction, true, true, 0, 0, "reverse or forward"},
        {"via_stop", FieldKind::flag, false, false, 0, 0, "if moving: ramp down, wait at standstill, ramp up the other way"}}}};
  Direction direction = Direction::reverse;
  bool via_stop = false;  // ramp down, dwell, ramp up, instead of refusing while moving
  static DirectionCmd from(const Args& a) {
    return {a.direction("direction").value_or(Direction::reverse), a.flag("via_stop").value_or(false)};
  }
};
struct PauseCmd {
  static constexpr CommandSpec spec{"pause", Role::operator_role, AnsweredBy::supervisor,
                                    "pause the session (the belt ramps to a stop)"};
  static PauseCmd from(const Args&) { return {}; }
};
struct ResumeCmd {
  static constexpr CommandSpec spec{"resume", Role::operator_role, AnsweredBy::supervisor, "resume a paused session"};
  static ResumeCmd from(const Args&) { return {}; }
};
struct StopCmd {
  static constexpr CommandSpec spec{"stop", Role::operator_role, AnsweredBy::supervisor,
                                    "end the session (the belt ramps down)",
                                    {{{"reason", FieldKind::text, false, false, 1, 200, "why, for the record"}}}};
  std::string reason = "stopped by operator";
  static StopCmd from(const Args& a) { return {a.text("reason").value_or("stopped by operator")}; }
};
struct EStopCmd {
  // Anyone may stop the belt.
  static constexpr CommandSpec spec{"estop", Role::viewer, AnsweredBy::supervisor,
                                    "EMERGENCY STOP (latched until a clinician resets)"};
  static EStopCmd from(const Args&) { return {}; }
};
struct ResetCmd {
  static constexpr CommandSpec spec{"reset", Role::clinician, AnsweredBy::supervisor,
                                    "clear a latched e-stop or fault (at standstill)"};
  static ResetCmd from(const Args&) { return {}; }
};
struct LockCmd {
  static constexpr CommandSpec spec{"lock", Role::operator_role, AnsweredBy::supervisor,
                                    "immobilise the treadmill until a clinician unlocks it"};
  static LockCmd from(const Args&) { return {}; }
};
struct UnlockCmd {
  static constexpr CommandSpec spec{"unlock", Role::clinician, AnsweredBy::supervisor, "lift a lock-out (the treadmill may be used again)"};
  static UnlockCmd from(const Args&) { return {}; }
};
struct HeartbeatCmd {
  // Presence is staff's word that someone watches the patient.
  static constexpr CommandSpec spec{"heartbeat", Role::operator_role, AnsweredBy::supervisor,
                                    "operator presence (treadctl hold sends one every 200 ms)"};
  static HeartbeatCmd from(const Args&) { return {}; }
};

using Command = std::variant<StartCmd, SpeedCmd, DirectionCmd, PauseCmd, ResumeCmd, StopCmd, EStopCmd, ResetCmd,
                             LockCmd, UnlockCmd, HeartbeatCmd>;
// Everything a client may send, in the order help lists it.
using AnyRequest = std::variant<StatusQuery, WatchQuery, LimitsQuery, VersionQuery, EStopCmd, HeartbeatCmd, StartRequest, SpeedCmd,
                                DirectionCmd, PauseCmd, ResumeCmd, StopCmd, LockCmd, ResetCmd, UnlockCmd, ReloadRequest,
                                HistoryQuery, ReportQuery, NoteRequest, ForgetRequest>;

namespace detail {
template <class V>
struct SpecsOf;
template <class... T>
struct SpecsOf<std::variant<T...>> {
  static constexpr std::array<CommandSpec, sizeof...(T)> value{T::spec...};
};
}  // namespace detail

// The registry: every request's spec, in help order.
inline constexpr auto command_specs = detail::SpecsOf<AnyRequest>::value;
const CommandSpec* find_command(std::string_view name);

// The one role check: nothing, or the refusal naming the role needed.
std::optional<Reply> check_role(const CommandSpec& spec, Role role, const RoleGroups& groups);

}  // namespace treadd
