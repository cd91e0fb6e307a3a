#include "tools/treadctl/render.hpp"

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
  out += "state       " + str(st["state"]) + " (" + str(st["direction"]) + ", drive " + str(st["motion"]) + ")\n";
  out += "speed       target " + num(st["target_kmh"]) + " km/h   commanded " + num(st["commanded_kmh"]) +
         " km/h   measured " + num(st["measured_kmh"]) + " km/h\n";
  if (st["profile"].is_string()) {
    out += "session     profile " + str(st["profile"]);
    if (st["program"].is_string()) out += ", program " + str(st["program"]);
    out += "   distance " + num(st["distance_m"], "%.0f") + " m\n";
    const double done = st["session_s"].get<double>(), limit = st["session_limit_s"].get<double>();
    const int filled = limit > 0 ? static_cast<int>(30.0 * std::min(1.0, done / limit)) : 0;
    out += "time        [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(30 - filled), '-') + "] " + clock(done) + " / " + clock(limit) + "\n";
  } else {
    out += "session     none";
    if (st["last_end_reason"].is_string()) out += " (last one ended: " + str(st["last_end_reason"]) + ")";
    out += "\n";
  }
  if (st.contains("segment") && st["segment"].is_object()) {
    const json& seg = st["segment"];
    out += "segment     " + std::to_string(seg["index"].get<int>() + 1) + " of " + std::to_string(seg["count"].get<int>()) +
           ": " + str(seg["current"]["direction"]) + " " + num(seg["current"]["speed_kmh"]) + " km/h, " +
           clock(seg["remaining_s"].get<double>()) + " left";
    if (seg.contains("lowered_to_kmh") && seg["lowered_to_kmh"].is_number()) {
      out += "; lowered by hand to " + num(seg["lowered_to_kmh"]) + " km/h until this segment ends";
    }
    if (seg["next"].is_object()) {
      out += "; next " + str(seg["next"]["direction"]) + " " + num(seg["next"]["speed_kmh"]) + " km/h";
    }
    out += "\n";
  }
  if (st["warning"].is_string()) out += "warning     " + str(st["warning"]) + "\n";
  if (st.contains("notice") && st["notice"].is_string()) out += "notice      " + str(st["notice"]) + "\n";
  // The drive's commissioning, passed (with its date and technician) or not (the simulated drive needs none).
  if (st.contains("commissioning") && st["commissioning"].is_object() &&
      st["commissioning"].value("state", "") != "not_needed") {
    const std::string state = st["commissioning"].value("state", std::string("?"));
    const std::string detail = st["commissioning"].value("detail", std::string());
    out += "commission  " + (state == "passed" ? detail : state + ": " + detail) + "\n";
  }
  out += "fault       " + (st["fault"].is_object() ? str(st["fault"]["cause"]) + ": " + str(st["fault"]["detail"])
                                                     : std::string("none")) +
         "\n";
  if (st.contains("drive")) {
    out += "drive       " + str(st["drive"]["name"]) + ", link " +
           (st["drive"]["link_up"].get<bool>() ? "up" : "DOWN") +
           (st["drive"].value("direction", "") == "unverified" ? ", direction unverified (the drive reports no turn)" : "") +
           "\n";
    if (st["drive"].contains("problem")) out += "            " + str(st["drive"]["problem"]) + "\n";
  }
  if (st.contains("recent_events") && !st["recent_events"].empty()) {
    out += "events\n";
    for (const auto& e : st["recent_events"]) {
      const std::string when = e.contains("time") && e["time"].is_string() ? e["time"].get<std::string>().substr(11, 8) + " " : "";
      out += "  " + when + str(e["kind"]) + ": " + str(e["text"]) + "\n";
    }
  }
  return out;
}

std::string render_status_line(const json& st) {
  std::string line = str(st["state"]) + " " + str(st["direction"]) + "  target " + num(st["target_kmh"]) +
                     "  commanded " + num(st["commanded_kmh"]) + "  measured " + num(st["measured_kmh"]) + " km/h";
  if (st["profile"].is_string()) line += "  " + clock(st["session_s"].get<double>()) + " " + str(st["profile"]);
  if (st["fault"].is_object()) line += "  FAULT " + str(st["fault"]["cause"]);
  return line;
}

std::string render_limits(const json& reply) {
  std::string out;
  auto profile_block = [&](const json& p) {
    const json& c = p["ceilings"];
    out += "profile " + str(p["profile"]) + " (starts " + str(p["direction"]) + ")\n";
    out += "  reverse cap     " + num(p["reverse_cap_kmh"]) + " km/h   (machine ceiling " + num(c["reverse_max_kmh"]) + ")\n";
    // A zero cap is the profile's way of saying "never forward": say so, not "0.0 km/h".
    const bool forward_forbidden = p["forward_cap_kmh"].is_number() && p["forward_cap_kmh"].get<double>() <= 0;
    out += "  forward cap     " + (forward_forbidden ? std::string("forbidden (reverse only)") : num(p["forward_cap_kmh"]) + " km/h") +
           "   (machine ceiling " + num(c["forward_max_kmh"]) + ")\n";
    out += "  start speed     " + num(p["start_speed_kmh"]) + " km/h\n";
    out += "  accel/decel     " + num(p["accel_mps2"], "%.2f") + " / " + num(p["decel_mps2"], "%.2f") +
           " m/s2 forward, " + num(p["reverse_accel_mps2"], "%.2f") + " / " + num(p["reverse_decel_mps2"], "%.2f") +
           " m/s2 reverse   (ceilings " + num(c["max_accel_mps2"], "%.2f") + " / " + num(c["max_decel_mps2"], "%.2f") + ")\n";
    out += "  session         " + clock(p["session_time_s"].get<double>()) + " (machine ceiling " +
           clock(c["max_session_s"].get<double>()) + "), warning " + num(p["warning_before_end_s"], "%.0f") +
           " s before the end, cool-down " + num(p["cooldown_speed_kmh"]) + " km/h for " +
           num(p["cooldown_time_s"], "%.0f") + " s\n";
    if (p["max_step_kmh"].is_number()) out += "  max step        " + num(p["max_step_kmh"]) + " km/h per command\n";
    if (p["rest_between_s"].is_number()) out += "  rest between    " + num(p["rest_between_s"], "%.0f") + " s\n";
    if (p["max_distance_m"].is_number()) out += "  max distance    " + num(p["max_distance_m"], "%.0f") + " m\n";
    if (p["operator_presence_s"].is_number()) {
      out += "  presence        heartbeat every " + num(p["operator_presence_s"], "%.0f") + " s or the belt stops\n";
    }
  };
  if (reply.contains("limits")) {
    profile_block(reply["limits"]);
    return out;
  }
  if (reply.contains("active")) {
    out += "ACTIVE SESSION LIMITS\n";
    profile_block(reply["active"]);
    out += "\n";
  }
  for (const auto& [name, p] : reply["profiles"].items()) profile_block(p);
  if (reply.contains("programs") && !reply["programs"].empty()) {
    out += "programs:";
    for (const auto& g : reply["programs"]) out += " " + g.get<std::string>();
    out += "\n";
  }
  return out;
}

}  // namespace treadctl
