#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "config/loader.hpp"
#include "core/units.hpp"
#include "config/yaml_section.hpp"

namespace treadd {

double ramp_seconds(double from_kmh, double to_kmh, double mps2) {
  return units::seconds_to_change(std::abs(to_kmh - from_kmh), mps2);
}

namespace {

using units::format_duration;
using units::format_kmh;

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// A clinician value may never loosen a machine ceiling.
void check_ceiling(YamlSection& s, const std::string& key, double value, double ceiling, const char* unit,
                   const std::string& ceiling_key) {
  if (value > ceiling) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " is %.2f %s, above the machine ceiling %s of %.2f %s", value, unit,
                  ceiling_key.c_str(), ceiling, unit);
    s.error_at(key, s.path() + "." + key + buf);
  }
}

// A ramp so slow that `stop` takes minutes, or a start never gets going, is refused: each
// direction's decel must stop the belt from its cap within ceilings.max_stop_time, and its accel
// reach the cap from standstill within ceilings.max_speedup_time.
void check_ramp_times(YamlSection& s, const Profile& p, const Ceilings& c) {
  struct Ramp {
    const char* key;
    double rate;
    Direction direction;
    Millis bound;
    const char* bound_key;
    const char* what;
  };
  const Ramp ramps[] = {
      {"decel", p.decel_mps2, Direction::forward, c.max_stop_time, "ceilings.max_stop_time", "stop the belt from"},
      {"reverse_decel", p.reverse_decel_mps2, Direction::reverse, c.max_stop_time, "ceilings.max_stop_time",
       "stop the belt from"},
      {"accel", p.accel_mps2, Direction::forward, c.max_speedup_time, "ceilings.max_speedup_time", "reach"},
      {"reverse_accel", p.reverse_accel_mps2, Direction::reverse, c.max_speedup_time, "ceilings.max_speedup_time",
       "reach"},
  };
  for (const Ramp& r : ramps) {
    const double cap = p.cap_kmh(r.direction);
    if (cap <= 0 || r.rate <= 0) continue;
    const double seconds = ramp_seconds(0, cap, r.rate);
    if (seconds > std::chrono::duration<double>(r.bound).count()) {
      // A reverse value that was not written inherits the forward one: point at the line that is there.
      const std::string key = s.node()[r.key].IsDefined() ? r.key : (r.key[0] == 'r' ? r.key + 8 : r.key);
      char buf[240];
      std::snprintf(buf, sizeof buf, " of %g m/s2 needs %.0f s to %s its %s cap of %.1f km/h; the machine allows %s (%s)",
                    r.rate, seconds, r.what, to_string(r.direction), cap, format_duration(r.bound).c_str(),
                    r.bound_key);
      s.error_at(key, s.path() + "." + key + buf);
    }
  }
}

Profile read_profile(YamlSection s, const std::string& name, const MachineConfig& m) {
  Profile p;
  p.name = name;
  if (!s.valid()) return p;
  const Ceilings& c = m.ceilings;
  s.direction("direction", p.direction, Need::optional);
  const bool has_forward = s.speed("forward_cap", p.forward_cap_kmh, Need::optional);
  const bool has_reverse = s.speed("reverse_cap", p.reverse_cap_kmh, Need::optional);
  if (!has_forward && !has_reverse) {
    s.error(s.node().Mark(), s.path() + " needs at least one of forward_cap or reverse_cap");
  }
  s.speed("start_speed", p.start_speed_kmh, Need::required);
  s.accel("accel", p.accel_mps2, Need::required);
  s.accel("decel", p.decel_mps2, Need::required);
  p.reverse_accel_mps2 = p.accel_mps2;
  p.reverse_decel_mps2 = p.decel_mps2;
  s.accel("reverse_accel", p.reverse_accel_mps2, Need::optional);
  s.accel("reverse_decel", p.reverse_decel_mps2, Need::optional);
  s.duration("session_time", p.session_time, Need::required);
  s.duration("warning_before_end", p.warning_before_end, Need::optional);
  s.speed("cooldown_speed", p.cooldown_speed_kmh, Need::optional);
  s.duration("cooldown_time", p.cooldown_time, Need::optional);
  s.duration("max_pause", p.max_pause, Need::optional);
  double metres = 0;
  if (s.metres("max_distance", metres, Need::optional)) p.max_distance_m = metres;
  Millis rest{0};
  if (s.duration("rest_between", rest, Need::optional)) p.rest_between = rest;
  Millis presence{0};
  if (s.duration("operator_presence", presence, Need::optional)) p.presence_timeout = presence;
  double step = 0;
  if (s.speed("max_step", step, Need::optional)) p.max_step_kmh = step;
  s.finish();

  check_ceiling(s, "forward_cap", p.forward_cap_kmh, c.forward_max_kmh, "km/h", "ceilings.forward_max");
  check_ceiling(s, "reverse_cap", p.reverse_cap_kmh, c.reverse_max_kmh, "km/h", "ceilings.reverse_max");
  check_ceiling(s, "accel", p.accel_mps2, c.max_accel_mps2, "m/s²", "ceilings.max_accel");
  check_ceiling(s, "reverse_accel", p.reverse_accel_mps2, c.max_accel_mps2, "m/s²", "ceilings.max_accel");
  check_ceiling(s, "decel", p.decel_mps2, c.max_decel_mps2, "m/s²", "ceilings.max_decel");
  check_ceiling(s, "reverse_decel", p.reverse_decel_mps2, c.max_decel_mps2, "m/s²", "ceilings.max_decel");
  if (p.session_time > c.max_session) {
    s.error_at("session_time", s.path() + ".session_time is " + format_duration(p.session_time) +
                                   ", above the machine ceiling ceilings.max_session of " +
                                   format_duration(c.max_session));
  }
  if (p.cap_kmh(p.direction) <= 0) {
    s.error_at("direction", s.path() + " starts in " + to_string(p.direction) + " but has no " +
                                to_string(p.direction) + "_cap");
  }
  if (p.cap_kmh(p.direction) > 0 && p.start_speed_kmh > p.cap_kmh(p.direction)) {
    s.error_at("start_speed", s.path() + ".start_speed " + format_kmh(p.start_speed_kmh) + " is above its " +
                                  to_string(p.direction) + " cap of " + format_kmh(p.cap_kmh(p.direction)));
  }
  if (p.cooldown_speed_kmh > p.cap_kmh(p.direction) && p.cap_kmh(p.direction) > 0) {
    s.error_at("cooldown_speed", s.path() + ".cooldown_speed " + format_kmh(p.cooldown_speed_kmh) +
                                     " is above its " + to_string(p.direction) + " cap");
  }
  if (p.session_time <= c.max_session && p.cooldown_time > c.max_session - p.session_time) {
    s.error_at("cooldown_time", s.path() + ".cooldown_time of " + format_duration(p.cooldown_time) +
                                    " with a session_time of " + format_duration(p.session_time) +
                                    " makes a session longer than the machine ceiling ceilings.max_session of " +
                                    format_duration(c.max_session));
  }
  check_ramp_times(s, p, c);
  if (p.warning_before_end >= p.session_time) {
    s.error_at("warning_before_end", s.path() + ".warning_before_end must be shorter than session_time");
  }
  return p;
}

// A bound on expanded `repeat` blocks, so a typo like `repeat: 100` nested thrice cannot eat memory.
constexpr std::size_t max_segments = 1000;

struct ProgramReader {
  Diagnostics& diag;
  const MachineConfig& machine;
  const Profile* profile;  // null when the program names an unknown profile
  std::string path;

  void read_list(const YAML::Node& list, std::vector<Segment>& out, int depth) {
    if (!list.IsSequence() || list.size() == 0) {
      diag.error(list.Mark().line, list.Mark().column, path + ": segments must be a non-empty list");
      return;
    }
    for (const auto& item : list) {
      if (item.IsMap() && item["repeat"].IsDefined()) {
        read_repeat(item, out, depth);
      } else {
        read_segment(item, out);
      }
    }
  }

  void read_repeat(const YAML::Node& item, std::vector<Segment>& out, int depth) {
    YamlSection s(item, path + " repeat block", diag);
    int times = 1;
    s.integer("repeat", times, Need::required, 1, 100);
    YAML::Node inner = s.child("segments");
    s.finish();
    if (depth >= 3) {
      s.error(item.Mark(), path + ": repeat blocks may nest at most 3 deep");
      return;
    }
    if (!inner.IsDefined()) {
      s.error(item.Mark(), path + " repeat block is missing the required key 'segments'");
      return;
    }
    std::vector<Segment> body;
    read_list(inner, body, depth + 1);
    if (out.size() + body.size() * static_cast<std::size_t>(times) > max_segments) {
      s.error(item.Mark(), path + " expands to more than " + std::to_string(max_segments) +
                               " segments; no session is that long");
      return;
    }
    for (int i = 0; i < times; ++i) out.insert(out.end(), body.begin(), body.end());
  }

  void read_segment(const YAML::Node& item, std::vector<Segment>& out) {
    YamlSection s(item, path + " segment", diag);
    Segment seg;
    if (!s.valid()) return;
    s.direction("direction", seg.direction, Need::required);
    bool ok = s.speed("speed", seg.speed_kmh, Need::required);
    ok = s.duration("duration", seg.duration, Need::required) && ok;
    s.finish();
    if (ok && profile != nullptr) {
      const double cap = profile->cap_kmh(seg.direction);
      if (seg.speed_kmh > cap) {
        s.error_at("speed", path + " segment speed " + format_kmh(seg.speed_kmh) + " is above the " +
                                to_string(seg.direction) + " cap of " + format_kmh(cap) + " in profile '" +
                                profile->name + "'");
      } else if (!out.empty()) {
        check_reachable(s, out.back(), seg);
      }
    }
    out.push_back(seg);
  }

  // A segment the ramps cannot reach within its duration would never run at its speed.
  void check_reachable(YamlSection& s, const Segment& prev, const Segment& seg) {
    double seconds = 0;
    if (prev.direction == seg.direction) {
      const bool faster = seg.speed_kmh > prev.speed_kmh;
      const double rate = faster ? profile->accel_for(seg.direction) : profile->decel_for(seg.direction);
      seconds = ramp_seconds(prev.speed_kmh, seg.speed_kmh, rate);
    } else {
      seconds = ramp_seconds(prev.speed_kmh, 0, profile->decel_for(prev.direction)) +
                std::chrono::duration<double>(machine.safety.standstill_dwell).count() +
                ramp_seconds(0, seg.speed_kmh, profile->accel_for(seg.direction));
    }
    if (seconds >= std::chrono::duration<double>(seg.duration).count()) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    " segment needs %.1f s to reach %.1f km/h from the previous segment but lasts only %s", seconds,
                    seg.speed_kmh, format_duration(seg.duration).c_str());
      s.error_at("duration", path + buf);
    }
  }
};

Program read_program(YamlSection s, const std::string& name, const LimitsConfig& limits, const MachineConfig& m,
                     Diagnostics& diag) {
  Program g;
  g.name = name;
  if (!s.valid()) return g;
  const Profile* profile = nullptr;
  if (s.text("profile", g.profile, Need::required)) {
    auto it = limits.profiles.find(g.profile);
    if (it == limits.profiles.end()) {
      s.error_at("profile", s.path() + " names profile '" + g.profile + "', which limits.yaml does not define");
    } else {
      profile = &it->second;
    }
  }
  YAML::Node segments = s.child("segments");
  s.finish();
  if (!segments.IsDefined()) {
    s.error(s.node().Mark(), s.path() + " is missing the required key 'segments'");
    return g;
  }
  ProgramReader reader{diag, m, profile, s.path()};
  reader.read_list(segments, g.segments, 0);
  if (profile != nullptr && !g.segments.empty()) {
    if (g.segments.front().speed_kmh > profile->start_speed_kmh &&
        ramp_seconds(0, g.segments.front().speed_kmh, profile->accel_for(g.segments.front().direction)) >=
            std::chrono::duration<double>(g.segments.front().duration).count()) {
      s.error(segments.Mark(), s.path() + ": the first segment is too short to ramp up to its speed");
    }
    Millis total{0};
    for (const auto& seg : g.segments) total += seg.duration;
    if (total > profile->session_time) {
      s.error(segments.Mark(), s.path() + " lasts " + format_duration(total) + ", longer than the session_time of " +
                                   format_duration(profile->session_time) + " in profile '" + profile->name + "'");
    }
  }
  return g;
}

template <class Fn>
void for_each_named(YamlSection& parent, const std::string& key, Fn&& fn) {
  YAML::Node map = parent.child(key);
  if (!map.IsDefined() || map.IsNull()) return;
  if (!map.IsMap()) {
    parent.error(map.Mark(), key + " must be a mapping of names to entries");
    return;
  }
  // Two equal names were already refused with both lines by check_duplicate_keys().
  for (const auto& kv : map) {
    const std::string name = kv.first.Scalar();
    fn(name, kv.second);
  }
}

}  // namespace

Loaded<LimitsConfig> parse_limits(const std::string& yaml_text, const std::string& file_name,
                                  const MachineConfig& machine) {
  return parse_document<LimitsConfig>(
      yaml_text, file_name, "limits.yaml",
      [&](YamlSection& top, const YAML::Node& root, LimitsConfig& limits, Diagnostics& diag) {
        if (!top.child("profiles").IsDefined()) top.error(root.Mark(), "limits.yaml needs a 'profiles' section");
        for_each_named(top, "profiles", [&](const std::string& name, const YAML::Node& node) {
          limits.profiles[name] = read_profile(YamlSection(node, "profile " + quoted(name), diag), name, machine);
        });
        for_each_named(top, "programs", [&](const std::string& name, const YAML::Node& node) {
          limits.programs[name] =
              read_program(YamlSection(node, "program " + quoted(name), diag), name, limits, machine, diag);
        });
      });
}

}  // namespace treadd
