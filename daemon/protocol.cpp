#include "daemon/protocol.hpp"

#include <cmath>

namespace treadd::protocol {
namespace {

using nlohmann::json;

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) throw std::invalid_argument(std::string("'") + key + "' must be a string");
  return it->get<std::string>();
}

Parsed parse_object(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("a request must be a JSON object");
  // Compared as written: 4294967297 or 1.0 must not pass for 1 through a narrowing conversion.
  if (auto v = j.find("v"); v != j.end() && v->dump() != std::to_string(version)) {
    throw std::invalid_argument("unsupported protocol version (this daemon speaks version 1)");
  }
  const std::string cmd = string_field(j, "cmd");
  if (cmd == "status") return StatusQuery{};
  if (cmd == "limits") {
    LimitsQuery q;
    if (j.contains("profile")) q.profile = string_field(j, "profile");
    return q;
  }
  if (cmd == "watch") {
    WatchQuery q;
    if (auto hz = j.find("hz"); hz != j.end()) {
      if (!hz->is_number() || !(hz->get<double>() >= 0.5 && hz->get<double>() <= 20)) {
        throw std::invalid_argument("'hz' must be a number from 0.5 to 20");
      }
      q.hz = hz->get<double>();
    }
    return q;
  }
  if (cmd == "reload") return ReloadRequest{};
  if (cmd == "history") {
    HistoryQuery q;
    if (j.contains("profile")) q.profile = string_field(j, "profile");
    if (j.contains("since")) q.since = string_field(j, "since");
    return q;
  }
  if (cmd == "report") return ReportQuery{string_field(j, "session")};
  if (cmd == "start") {
    StartRequest s;
    s.profile = string_field(j, "profile");
    if (j.contains("program") && !j["program"].is_null()) s.program = string_field(j, "program");
    if (j.contains("direction")) {
      s.direction = parse_direction(string_field(j, "direction"));
      if (!s.direction) throw std::invalid_argument("'direction' must be 'reverse' or 'forward'");
    }
    return s;
  }
  if (cmd == "speed") {
    auto k = j.find("kmh");
    if (k == j.end() || !k->is_number() || !std::isfinite(k->get<double>())) {
      throw std::invalid_argument("'kmh' must be a number");
    }
    return Command{SpeedCmd{k->get<double>()}};
  }
  if (cmd == "direction") {
    auto d = parse_direction(string_field(j, "direction"));
    if (!d) throw std::invalid_argument("'direction' must be 'reverse' or 'forward'");
    bool via_stop = false;
    if (auto v = j.find("via_stop"); v != j.end()) {
      if (!v->is_boolean()) throw std::invalid_argument("'via_stop' must be true or false");
      via_stop = v->get<bool>();
    }
    return Command{DirectionCmd{*d, via_stop}};
  }
  if (cmd == "pause") return Command{PauseCmd{}};
  if (cmd == "resume") return Command{ResumeCmd{}};
  if (cmd == "stop") {
    StopCmd stop;
    if (j.contains("reason")) {
      stop.reason = string_field(j, "reason");
      if (stop.reason.empty() || stop.reason.size() > 200) throw std::invalid_argument("'reason' must be 1 to 200 characters");
    }
    return Command{stop};
  }
  if (cmd == "estop") return Command{EStopCmd{}};
  if (cmd == "reset") return Command{ResetCmd{}};
  if (cmd == "lock") return Command{LockCmd{}};
  if (cmd == "unlock") return Command{UnlockCmd{}};
  if (cmd == "heartbeat") return Command{HeartbeatCmd{}};
  throw std::invalid_argument("unknown command '" + cmd + "'");
}

json segment_json(const Segment& s) {
  return {{"direction", to_string(s.direction)}, {"speed_kmh", s.speed_kmh},
          {"duration_s", std::chrono::duration<double>(s.duration).count()}};
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json optional_seconds(const std::optional<Millis>& v) {
  return v ? json(std::chrono::duration<double>(*v).count()) : json(nullptr);
}

}  // namespace

ParseResult parse_request(std::string_view line) {
  if (line.size() > max_line_bytes) return {std::nullopt, "request longer than 4096 bytes"};
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return {std::nullopt, "not valid JSON"};
  try {
    return {parse_object(j), {}};
  } catch (const std::exception& e) {
    return {std::nullopt, e.what()};
  }
}

json ok_reply(const std::string& message) { return {{"v", version}, {"ok", true}, {"message", message}}; }
json error_reply(const std::string& message) { return {{"v", version}, {"ok", false}, {"error", message}}; }

json refused_reply(RuleId rule, const std::string& message) {
  json r = error_reply("refused: " + message);
  r["rule"] = to_string(rule);
  return r;
}
json refused_reply(RuleId rule, Facts facts) { return refused_reply(rule, render_rule(rule, facts)); }

json ceilings_json(const Ceilings& c) {
  return {{"forward_max_kmh", c.forward_max_kmh},
          {"reverse_max_kmh", c.reverse_max_kmh},
          {"max_accel_mps2", c.max_accel_mps2},
          {"max_decel_mps2", c.max_decel_mps2},
          {"emergency_decel_mps2", c.emergency_decel_mps2},
          {"max_session_s", std::chrono::duration<double>(c.max_session).count()}};
}

json limits_json(const Profile& p, const Ceilings& c) {
  return {{"profile", p.name},
          {"direction", to_string(p.direction)},
          {"forward_cap_kmh", p.forward_cap_kmh},
          {"reverse_cap_kmh", p.reverse_cap_kmh},
          {"start_speed_kmh", p.start_speed_kmh},
          {"accel_mps2", p.accel_mps2},
          {"decel_mps2", p.decel_mps2},
          {"reverse_accel_mps2", p.reverse_accel_mps2},
          {"reverse_decel_mps2", p.reverse_decel_mps2},
          {"session_time_s", std::chrono::duration<double>(p.session_time).count()},
          {"warning_before_end_s", std::chrono::duration<double>(p.warning_before_end).count()},
          {"cooldown_speed_kmh", p.cooldown_speed_kmh},
          {"cooldown_time_s", std::chrono::duration<double>(p.cooldown_time).count()},
          {"max_pause_s", std::chrono::duration<double>(p.max_pause).count()},
          {"max_distance_m", optional_number(p.max_distance_m)},
          {"rest_between_s", optional_seconds(p.rest_between)},
          {"operator_presence_s", optional_seconds(p.presence_timeout)},
          {"max_step_kmh", optional_number(p.max_step_kmh)},
          {"ceilings", ceilings_json(c)}};
}

json to_json(const Status& st, const Ceilings& ceilings) {
  json j = {{"state", to_string(st.state)},
            {"direction", to_string(st.direction)},
            {"motion", to_string(st.motion)},
            {"target_kmh", st.target_kmh},
            {"commanded_kmh", st.commanded_kmh},
            {"measured_kmh", st.measured_kmh},
            {"profile", st.profile ? json(st.profile->name) : json(nullptr)},
            {"program", st.program ? json(*st.program) : json(nullptr)},
            {"session_s", st.session_s},
            {"session_limit_s", st.session_limit_s},
            {"distance_m", st.distance_m},
            {"at_standstill", st.at_standstill},
            {"warning", st.warning.empty() ? json(nullptr) : json(st.warning)},
            {"last_end_reason", st.last_end_reason.empty() ? json(nullptr) : json(st.last_end_reason)},
            {"last_end_rule", st.last_end_rule ? json(to_string(*st.last_end_rule)) : json(nullptr)},
            {"fault", st.fault ? json{{"cause", to_string(st.fault->rule)}, {"detail", st.fault->detail}}
                               : json(nullptr)},
            {"limits", st.profile ? limits_json(*st.profile, ceilings) : json{{"ceilings", ceilings_json(ceilings)}}}};
  if (st.segment) {
    j["segment"] = {{"index", st.segment->index},
                    {"count", st.segment->count},
                    {"current", segment_json(st.segment->current)},
                    {"remaining_s", st.segment->remaining_s},
                    {"next", st.segment->next ? segment_json(*st.segment->next) : json(nullptr)}};
  } else {
    j["segment"] = nullptr;
  }
  return j;
}

}  // namespace treadd::protocol
