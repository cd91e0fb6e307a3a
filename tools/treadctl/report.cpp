// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/fields.hpp"
#include "tools/treadctl/report.hpp"
#include "tools/treadctl/chart.hpp"
#include "tools/treadctl/local_time.hpp"
#include "tools/treadctl/plan.hpp"

#include <algorithm>
#include <cstdio>

namespace treadctl {
namespace {

using nlohmann::json;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string str(const json& j, const char* key, const char* none = "-") {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : none;
}

std::string num(const json& j, const char* key, const char* format = "%.1f") {
  return j.contains(key) && j[key].is_number() ? fmt(format, j[key].get<double>()) : "-";
}

// The session's time (min:s) and distance so far (running) or in all; "?" for a record cut short.
std::string duration_text(const json& session) {
  const json& end = field(session, "end");
  if (end.is_object()) return chart::min_sec(field(end, "duration_s").is_number() ? end["duration_s"].get<double>() : 0);
  const json& live = field(session, "live");
  if (live.is_object()) return chart::min_sec(field(live, "duration_s").is_number() ? live["duration_s"].get<double>() : 0);
  return "?";
}

std::string distance_text(const json& session) {
  const json& end = field(session, "end");
  if (end.is_object()) {
    const double m = (field(end, "reverse_m").is_number() ? end["reverse_m"].get<double>() : 0) +
                     (field(end, "forward_m").is_number() ? end["forward_m"].get<double>() : 0);
    return fmt("%.0f m", m);
  }
  const json& live = field(session, "live");
  return live.is_object() ? num(live, "distance_m", "%.0f") + " m" : "?";
}

}  // namespace

std::string how_it_ended(const json& session) {
  const json& end = field(session, "end");
  if (end.is_object()) return str(end, "reason");
  const json& live = field(session, "live");
  if (live.is_object()) {
    return str(live, "state") == "stopping" ? "ended; the belt is still coming to rest (recorded until it stops)"
                                            : "running now";
  }
  return "cut short (the daemon stopped mid-session)";
}

std::string how_the_belt_stopped(const json& end) {
  const json& stop = field(end, "stop");
  if (!stop.is_object()) return "";
  std::string out = "from " + num(stop, "from_kmh") + " km/h, ";
  out += field(stop, "reached_standstill").is_boolean() && stop["reached_standstill"].get<bool>()
             ? "at rest after " + num(stop, "to_standstill_s") + " s and " + num(stop, "distance_m") + " m"
             : "not seen at rest within " + num(stop, "to_standstill_s", "%.0f") + " s (the belt's speed was not known)";
  return out + ", steepest deceleration " + num(stop, "peak_decel_mps2", "%.2f") + " m/s²";
}

PainScores pain_scores(const json& notes) {
  PainScores pain;
  if (!notes.is_array()) return pain;
  for (const json& note : notes) {
    if (field(note, "pain_before").is_number_integer()) pain.before = note["pain_before"].get<int>();
    if (field(note, "pain_after").is_number_integer()) pain.after = note["pain_after"].get<int>();
  }
  return pain;
}

std::string pain_text(const PainScores& pain) {
  if (!pain.before && !pain.after) return "-";
  auto score = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("-"); };
  return score(pain.before) + " -> " + score(pain.after);
}

std::string by_whom(const json& event) {
  const std::string who = str(event, "who", "");
  // A session's start names its starter already ("by alice").
  if (who.empty() || who == "treadd" || str(event, "text", "").find("by " + who) != std::string::npos) return "";
  return "by " + who;
}

std::string render_history(const json& sessions) {
  std::string out =
      "SESSION                 STARTED               PATIENT          PROFILE            PROGRAM             WHO        MIN:S  DISTANCE  PAIN     ENDED\n";
  for (const auto& s : sessions) {
    char line[640];
    const json& start = field(s, "start");
    std::snprintf(line, sizeof line, "%-23s %-21s %-16s %-18s %-19s %-10s %5s  %8s  %-7s  %s\n", field(s, "id").get<std::string>().c_str(),
                  local_time(str(start, "start"), "%Y-%m-%d %H:%M %Z").c_str(), str(start, "patient").c_str(), str(start, "profile").c_str(), str(start, "program").c_str(), str(start, "who").c_str(),
                  duration_text(s).c_str(), distance_text(s).c_str(), pain_text(pain_scores(field(s, "notes"))).c_str(), how_it_ended(s).c_str());
    out += line;
  }
  if (sessions.empty()) out += "(no sessions)\n";
  return out;
}

std::string render_summary(const json& r) {
  const json& start = field(r, "start");
  const json& end = field(r, "end");
  std::string out;
  out += "session    " + str(start, "id") + "\n";
  out += "patient    " + str(start, "patient") + "\n";
  out += "profile    " + str(start, "profile") + (field(start, "program").is_string() ? ", program " + str(start, "program") : "") + "\n";
  if (const std::string p = prescription_text(start); !p.empty()) out += "prescribed " + p + "\n";
  out += "started    " + local_time(str(start, "start")) + " by " + str(start, "who") + "\n";
  out += "ended      " + (end.is_object() ? local_time(str(end, "end")) + ": " : std::string()) + how_it_ended(r) + "\n";
  if (const std::string stopped = how_the_belt_stopped(end); !stopped.empty()) out += "belt       " + stopped + "\n";
  if (const json& live = field(r, "live"); live.is_object()) {
    out += "so far     " + num(live, "duration_s", "%.0f") + " s, " + num(live, "distance_m", "%.0f") + " m\n";
  }
  if (end.is_object()) {
    out += "duration   " + num(end, "duration_s", "%.0f") + " s\n";
    out += "reverse    " + num(end, "reverse_s", "%.0f") + " s, " + num(end, "reverse_m", "%.0f") + " m\n";
    out += "forward    " + num(end, "forward_s", "%.0f") + " s, " + num(end, "forward_m", "%.0f") + " m\n";
    out += "max speed  " + num(end, "max_kmh") + " km/h\n";
  }
  if (const PainScores pain = pain_scores(field(r, "notes")); pain.before || pain.after) {
    out += "pain       " + pain_text(pain) + " (before -> after, 0-10 NRS)\n";
  }
  for (const auto& note : field(r, "notes")) {
    if (field(note, "text").is_string()) out += "note       " + local_time(str(note, "at")) + " " + str(note, "who") + ": " + str(note, "text") + "\n";
  }
  if (const auto plan = planned_vs_achieved(r); !plan.empty()) {
    out += "planned -> achieved (time, at the measured mean speed)\n";
    for (const PlanRow& row : plan) out += "  " + row.what + ": " + row.planned + (row.achieved.empty() ? "" : " -> " + row.achieved) + "\n";
  }
  if (const auto compared = compared_with_previous(r); !compared.empty()) {
    out += "previous session -> this one\n";
    for (const Comparison& c : compared) out += "  " + c.what + ": " + c.previous + " -> " + c.now + "\n";
  }
  out += "samples    " + std::to_string(field(r, "samples").size()) + " (2 per second)\n";
  for (const auto& e : field(r, "events")) {
    const std::string by = by_whom(e);
    out += "  " + fmt("%7.1f s  ", e.value("t", 0.0)) + str(e, "kind") + ": " + str(e, "text") + (by.empty() ? "" : " (" + by + ")") + "\n";
  }
  return out;
}

std::string csv_field(const std::string& v) {
  std::string out = "\"";
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) out += '\'';
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string render_csv(const json& r) {
  const json& start = field(r, "start");
  const std::string session = csv_field(str(start, "id")) + "," + csv_field(str(start, "patient", "")) + "," +
                              csv_field(local_time(str(start, "start", ""), "%Y-%m-%d")) + ",";
  std::string out = "session,patient,date,t_s,state,direction,target_kmh,commanded_kmh,measured_kmh\n";
  for (const auto& s : field(r, "samples")) {
    out += session + fmt("%.2f", s.value("t", 0.0)) + "," + csv_field(str(s, "state", "")) + "," +
           csv_field(str(s, "direction")) + "," +
           fmt("%.2f", s.value("target", 0.0)) + "," + fmt("%.2f", s.value("commanded", 0.0)) + "," +
           fmt("%.2f", s.value("measured", 0.0)) + "\n";
  }
  return out;
}

}  // namespace treadctl
