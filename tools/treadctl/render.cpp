// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/fields.hpp"
#include "tools/treadctl/render.hpp"
#include "tools/treadctl/local_time.hpp"
#include "config/profile_keys.hpp"

#include <algorithm>
#include <cstdio>

namespace treadctl {
namespace {

using nlohmann::json;

std::string num(const json& v, const char* fmt = "%.1f") {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v.get<double>());
  return buf;
}

std::string clock(double seconds) {
  char buf[32];
  const int s = static_cast<int>(seconds);
  std::snprintf(buf, sizeof buf, "%02d:%02d", s / 60, s % 60);
  return buf;
}

std::string str(const json& v, const char* none = "none") { return v.is_string() ? v.get<std::string>() : none; }

}  // namespace

std::string render_status(const json& st) {
  std::string out;
  out += "state       " + str(field(st, "state")) + " (" + str(field(st, "direction")) + ", drive " + str(field(st, "motion")) + ")\n";
  out += "speed       target " + num(field(st, "target_kmh")) + " km/h   commanded " + num(field(st, "commanded_kmh")) +
         " km/h   measured " + num(field(st, "measured_kmh")) + " km/h\n";
  if (field(st, "profile").is_string()) {
    out += "session     profile " + str(field(st, "profile"));
    if (field(st, "program").is_string()) out += ", program " + str(field(st, "program"));
    if (st.contains("patient") && st["patient"].is_string()) out += ", patient " + st["patient"].get<std::string>();
    out += "   distance " + num(field(st, "distance_m"), "%.0f") + " m\n";
    const double done = field(st, "session_s").get<double>(), limit = field(st, "session_limit_s").get<double>();
    const int filled = limit > 0 ? static_cast<int>(30.0 * std::min(1.0, done / limit)) : 0;
    out += "time        [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(30 - filled), '-') + "] " + clock(done) + " / " + clock(limit) + "\n";
  } else {
    out += "session     none";
    if (field(st, "last_end_reason").is_string()) out += " (last one ended: " + str(field(st, "last_end_reason")) + ")";
    out += "\n";
  }
  if (st.contains("segment") && field(st, "segment").is_object()) {
    const json& seg = field(st, "segment");
    out += "segment     " + std::to_string(field(seg, "index").get<int>() + 1) + " of " + std::to_string(field(seg, "count").get<int>()) +
           ": " + str(field(field(seg, "current"), "direction")) + " " + num(field(field(seg, "current"), "speed_kmh")) + " km/h, " +
           clock(field(seg, "remaining_s").get<double>()) + " left";
    if (seg.contains("lowered_to_kmh") && field(seg, "lowered_to_kmh").is_number()) {
      out += "; lowered by hand to " + num(field(seg, "lowered_to_kmh")) + " km/h until this segment ends";
    }
    if (field(seg, "next").is_object()) {
      out += "; next " + str(field(field(seg, "next"), "direction")) + " " + num(field(field(seg, "next"), "speed_kmh")) + " km/h";
    }
    out += "\n";
  }
  if (field(st, "warning").is_string()) out += "warning     " + str(field(st, "warning")) + "\n";
  if (st.contains("notice") && field(st, "notice").is_string()) out += "notice      " + str(field(st, "notice")) + "\n";
  // The drive's commissioning, passed (with its date and technician) or not (the simulated drive needs none).
  if (st.contains("commissioning") && field(st, "commissioning").is_object() &&
      field(st, "commissioning").value("state", "") != "not_needed") {
    const std::string state = field(st, "commissioning").value("state", std::string("?"));
    const std::string detail = field(st, "commissioning").value("detail", std::string());
    out += "commission  " + (state == "passed" ? detail : state + ": " + detail) + "\n";
  }
  out += "fault       " + (field(st, "fault").is_object() ? str(field(field(st, "fault"), "cause")) + ": " + str(field(field(st, "fault"), "detail"))
                                                     : std::string("none")) +
         "\n";
  if (st.contains("drive")) {
    out += "drive       " + str(field(field(st, "drive"), "name")) + ", link " +
           (field(field(st, "drive"), "link_up") == true ? "up" : "DOWN") +
           (field(st, "drive").value("direction", "") == "unverified" ? ", direction unverified (the drive reports no turn)" : "") +
           "\n";
    if (field(st, "drive").contains("problem")) out += "            " + str(field(field(st, "drive"), "problem")) + "\n";
  }
  if (st.contains("recent_events") && !field(st, "recent_events").empty()) {
    out += "events\n";
    for (const auto& e : field(st, "recent_events")) {
      const std::string when = e.contains("time") && field(e, "time").is_string() ? local_time(field(e, "time").get<std::string>(), "%H:%M:%S %Z") + " " : "";
      // A viewer's status carries no event texts (they may name staff or a patient's words).
      const std::string text = field(e, "text").is_string() ? ": " + field(e, "text").get<std::string>() : "";
      out += "  " + when + str(field(e, "kind")) + text + "\n";
    }
  }
  return out;
}

std::string render_status_line(const json& st) {
  std::string line = str(field(st, "state")) + " " + str(field(st, "direction")) + "  target " + num(field(st, "target_kmh")) +
                     "  commanded " + num(field(st, "commanded_kmh")) + "  measured " + num(field(st, "measured_kmh")) + " km/h";
  if (field(st, "profile").is_string()) line += "  " + clock(field(st, "session_s").get<double>()) + " " + str(field(st, "profile"));
  if (field(st, "fault").is_object()) line += "  FAULT " + str(field(field(st, "fault"), "cause"));
  return line;
}

std::string render_limits(const json& reply) {
  std::string out;
  auto profile_block = [&](const json& p) {
    const json& c = field(p, "ceilings");
    out += "profile " + str(field(p, "profile")) + " (starts " + str(field(p, "direction")) + ")\n";
    out += "  reverse cap     " + num(field(p, "reverse_cap_kmh")) + " km/h   (machine ceiling " + num(field(c, "reverse_max_kmh")) + ")\n";
    // A zero cap is the profile's way of saying "never forward": say so, not "0.0 km/h".
    const bool forward_forbidden = field(p, "forward_cap_kmh").is_number() && field(p, "forward_cap_kmh").get<double>() <= 0;
    out += "  forward cap     " + (forward_forbidden ? std::string("forbidden (reverse only)") : num(field(p, "forward_cap_kmh")) + " km/h") +
           "   (machine ceiling " + num(field(c, "forward_max_kmh")) + ")\n";
    out += "  start speed     " + num(field(p, "start_speed_kmh")) + " km/h\n";
    out += "  accel/decel     " + num(field(p, "accel_mps2"), "%.2f") + " / " + num(field(p, "decel_mps2"), "%.2f") +
           " m/s2 forward, " + num(field(p, "reverse_accel_mps2"), "%.2f") + " / " + num(field(p, "reverse_decel_mps2"), "%.2f") +
           " m/s2 reverse   (ceilings " + num(field(c, "max_accel_mps2"), "%.2f") + " / " + num(field(c, "max_decel_mps2"), "%.2f") + ")\n";
    out += "  session         " + clock(field(p, "session_time_s").get<double>()) + " (machine ceiling " +
           clock(field(c, "max_session_s").get<double>()) + "), warning " + num(field(p, "warning_before_end_s"), "%.0f") +
           " s before the end, cool-down " + num(field(p, "cooldown_speed_kmh")) + " km/h for " +
           num(field(p, "cooldown_time_s"), "%.0f") + " s\n";
    out += "  max pause       " + clock(field(p, "max_pause_s").is_number() ? field(p, "max_pause_s").get<double>() : 0) +
           " (a longer pause ends the session)\n";
    if (field(p, "max_step_kmh").is_number()) out += "  max step        " + num(field(p, "max_step_kmh")) + " km/h per command\n";
    if (field(p, "rest_between_s").is_number()) out += "  rest between    " + num(field(p, "rest_between_s"), "%.0f") + " s\n";
    if (field(p, "max_distance_m").is_number()) out += "  max distance    " + num(field(p, "max_distance_m"), "%.0f") + " m\n";
    if (field(p, "operator_presence_s").is_number()) {
      out += "  presence        heartbeat every " + num(field(p, "operator_presence_s"), "%.0f") + " s or the belt stops\n";
    }
    // The clinician's own lines, in their units and in the order of the key table (a daemon of an
    // earlier version sends none).
    if (p.contains("written") && field(p, "written").is_object() && !field(p, "written").empty()) {
      out += "  as written in limits.yaml\n";
      for (const treadd::ProfileKey& k : treadd::profile_keys) {
        const json& written = field(p, "written");
        if (const auto v = written.find(std::string(k.key)); v != written.end() && v->is_string()) {
          out += "    " + std::string(k.key) + ": " + v->get<std::string>() + "\n";
        }
      }
    }
  };
  if (reply.contains("limits")) {
    profile_block(field(reply, "limits"));
    return out;
  }
  if (reply.contains("active")) {
    out += "ACTIVE SESSION LIMITS\n";
    profile_block(field(reply, "active"));
    out += "\n";
  }
  for (const auto& [name, p] : field(reply, "profiles").items()) profile_block(p);
  // What each program does: its segments in order (the first dozen), its length and its profile.
  for (const auto& [name, g] : field(reply, "program_segments").items()) {
    const json& segments = field(g, "segments");
    out += "program " + name + " (profile " + str(field(g, "profile")) + ", " +
           clock(field(g, "total_s").is_number() ? field(g, "total_s").get<double>() : 0) + ", " +
           std::to_string(segments.size()) + " segments)\n ";
    std::size_t shown = 0;
    for (const auto& seg : segments) {
      if (++shown > 12) {
        out += " ... and " + std::to_string(segments.size() - 12) + " more";
        break;
      }
      out += " " + str(field(seg, "direction")) + " " + num(field(seg, "speed_kmh")) + " km/h " +
             clock(field(seg, "duration_s").is_number() ? field(seg, "duration_s").get<double>() : 0) + ";";
    }
    out += "\n";
  }
  if (!reply.contains("program_segments") && reply.contains("programs") && !field(reply, "programs").empty()) {
    out += "programs:";  // a daemon of an earlier version names them only
    for (const auto& g : field(reply, "programs")) out += " " + g.get<std::string>();
    out += "\n";
  }
  return out;
}

}  // namespace treadctl
