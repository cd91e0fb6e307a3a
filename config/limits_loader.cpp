// SPDX-License-Identifier: Apache-2.0
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <type_traits>
#include <variant>

#include "config/loader.hpp"
#include "config/names.hpp"
#include "config/profile_keys.hpp"
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
    const std::string_view inherited_from = r.key[0] == 'r' ? r.key + 8 : r.key;  // reverse_decel: decel
    if (!s.sound({r.key, inherited_from, std::string(to_string(r.direction)) + "_cap"})) continue;
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

// One key of the table, read into its member with its unit.
bool read_key(YamlSection& s, const ProfileKey& k, Profile& p) {
  const Need need = k.required ? Need::required : Need::optional;
  const std::string key(k.key);
  auto read_double = [&](double& out) {
    switch (k.quantity) {
      case Quantity::speed: return s.speed(key, out, need);
      case Quantity::accel: return s.accel(key, out, need);
      case Quantity::distance: return s.metres(key, out, need);
      default: return false;
    }
  };
  return std::visit(
      [&](auto member) -> bool {
        using M = std::remove_reference_t<decltype(p.*member)>;
        if constexpr (std::is_same_v<M, Direction>) {
          return s.direction(key, p.*member, need);
        } else if constexpr (std::is_same_v<M, double>) {
          if (k.inherits != nullptr) p.*member = p.*(k.inherits);
          return read_double(p.*member);
        } else if constexpr (std::is_same_v<M, Millis>) {
          return s.duration(key, p.*member, need);
        } else if constexpr (std::is_same_v<M, std::optional<double>>) {
          double v = 0;
          if (!read_double(v)) return false;
          p.*member = v;
          return true;
        } else {
          Millis v{0};
          if (!s.duration(key, v, need)) return false;
          p.*member = v;
          return true;
        }
      },
      k.member);
}

// A clinician value may never loosen a machine ceiling.
void check_key_ceiling(YamlSection& s, const ProfileKey& k, const Profile& p, const Ceilings& c) {
  const std::string key(k.key);
  if (const auto* ceiling = std::get_if<double Ceilings::*>(&k.ceiling)) {
    const double value = p.*std::get<double Profile::*>(k.member);
    if (value > c.**ceiling) {
      const char* unit = k.quantity == Quantity::speed ? "km/h" : "m/s²";
      char buf[160];
      std::snprintf(buf, sizeof buf, " is %.2f %s, above the machine ceiling %s of %.2f %s", value, unit,
                    std::string(k.ceiling_key).c_str(), c.**ceiling, unit);
      s.error_at(key, s.path() + "." + key + buf);
    }
  } else if (const auto* duration_ceiling = std::get_if<Millis Ceilings::*>(&k.ceiling)) {
    const Millis value = p.*std::get<Millis Profile::*>(k.member);
    if (value > c.**duration_ceiling) {
      s.error_at(key, s.path() + "." + key + " is " + format_duration(value) + ", above the machine ceiling " +
                          std::string(k.ceiling_key) + " of " + format_duration(c.**duration_ceiling));
    }
  }
}

// Reads one profile into `s`'s keys; s.sound() then says which values are as written.
Profile read_profile(YamlSection& s, const std::string& name, const MachineConfig& m) {
  Profile p;
  p.name = name;
  if (!s.valid()) return p;
  const Ceilings& c = m.ceilings;
  for (const ProfileKey& k : profile_keys) read_key(s, k, p);
  s.finish();
  // A key left empty ('reverse_cap:', '~') is not written: the reader skips it as absent.
  auto written = [&](const char* key) {
    const YAML::Node n = s.node()[key];
    return n.IsDefined() && !n.IsNull();
  };
  // Only when no cap is written at all, nor meant by a typo: a cap written wrong ('4 mph',
  // '3,5 km/h', 'reverse_capp') has its own error already, and a second one would be false.
  if (!written("forward_cap") && !written("reverse_cap") && s.sound({"forward_cap", "reverse_cap"})) {
    s.error(s.node().Mark(), s.path() + " needs at least one of forward_cap or reverse_cap");
  }
  for (const ProfileKey& k : profile_keys) {
    if (s.sound(k.key)) check_key_ceiling(s, k, p, c);
  }
  const std::string start_cap = std::string(to_string(p.direction)) + "_cap";
  const bool start_sound = s.sound({"direction", start_cap});
  if (start_sound && p.cap_kmh(p.direction) <= 0 && !written(start_cap.c_str())) {
    s.error_at("direction", s.path() + " starts in " + to_string(p.direction) + " but has no " + start_cap);
  }
  if (start_sound && s.sound("start_speed") && p.cap_kmh(p.direction) > 0 && p.start_speed_kmh > p.cap_kmh(p.direction)) {
    s.error_at("start_speed", s.path() + ".start_speed " + format_kmh(p.start_speed_kmh) + " is above its " +
                                  to_string(p.direction) + " cap of " + format_kmh(p.cap_kmh(p.direction)));
  }
  if (start_sound && s.sound("cooldown_speed") && p.cooldown_speed_kmh > p.cap_kmh(p.direction) &&
      p.cap_kmh(p.direction) > 0) {
    s.error_at("cooldown_speed", s.path() + ".cooldown_speed " + format_kmh(p.cooldown_speed_kmh) +
                                     " is above its " + to_string(p.direction) + " cap");
  }
  if (s.sound({"session_time", "cooldown_time"}) && p.session_time <= c.max_session &&
      p.cooldown_time > c.max_session - p.session_time) {
    s.error_at("cooldown_time", s.path() + ".cooldown_time of " + format_duration(p.cooldown_time) +
                                    " with a session_time of " + format_duration(p.session_time) +
                                    " makes a session longer than the machine ceiling ceilings.max_session of " +
                                    format_duration(c.max_session));
  }
  check_ramp_times(s, p, c);
  if (s.sound({"warning_before_end", "session_time"}) && p.warning_before_end >= p.session_time) {
    s.error_at("warning_before_end", s.path() + ".warning_before_end must be shorter than session_time");
  }
  return p;
}

// What of a profile its programs are checked against, each part only when its keys were read as
// written: a typo in one ramp must not stop a segment's speed being checked against the cap.
struct ProgramChecks {
  bool caps = true;     // a segment's speed against its direction's cap
  bool ramps = true;    // a segment reachable from the previous one in its time
  bool start = true;    // the first segment reachable from the start speed
  bool session = true;  // the program's length against session_time
};
ProgramChecks program_checks(const YamlSection& profile) {
  return {profile.sound({"direction", "reverse_cap", "forward_cap"}),
          profile.sound({"accel", "decel", "reverse_accel", "reverse_decel"}),
          profile.sound({"start_speed", "accel", "reverse_accel"}), profile.sound("session_time")};
}

// The profiles a program may be checked against.
struct CheckableProfiles {
  const std::map<std::string, Profile>& read;
  std::map<std::string, ProgramChecks> checks;
  // Not a mapping, or defined twice (which of the two is meant?): a program of one is checked for
  // its own errors only.
  std::set<std::string> unfit;
  // No profiles section was read (a typo, 'profils:'): no name can be said to be missing.
  bool section_read = true;
};

// A bound on expanded `repeat` blocks, so a typo like `repeat: 100` nested thrice cannot eat memory.
constexpr std::size_t max_segments = 1000;

struct ProgramReader {
  Diagnostics& diag;
  const MachineConfig& machine;
  const Profile* profile;  // null when the program names an unknown profile
  ProgramChecks checks;
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
    if (!inner.IsDefined()) s.missing("segments", path + " repeat block is missing the required key 'segments'");
    s.finish();
    if (depth >= 3) {
      s.error(item.Mark(), path + ": repeat blocks may nest at most 3 deep");
      return;
    }
    if (!inner.IsDefined()) return;
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
    bool ok = s.direction("direction", seg.direction, Need::required);
    ok = s.speed("speed", seg.speed_kmh, Need::required) && ok;
    ok = s.duration("duration", seg.duration, Need::required) && ok;
    s.finish();
    // A segment not read as written (a value refused, or a key given twice: which one was meant?)
    // is checked no further, nor is the next against it (its speed would be a value the clinician
    // may not have meant). The file is refused for its own error.
    ok = ok && s.sound({"direction", "speed", "duration"});
    if (!ok) seg.speed_kmh = std::numeric_limits<double>::quiet_NaN();
    if (ok && profile != nullptr) {
      const double cap = profile->cap_kmh(seg.direction);
      if (checks.caps && seg.speed_kmh > cap) {
        s.error_at("speed", path + " segment speed " + format_kmh(seg.speed_kmh) + " is above the " +
                                to_string(seg.direction) + " cap of " + format_kmh(cap) + " in profile '" +
                                profile->name + "'");
      } else if (checks.ramps && !out.empty() && !std::isnan(out.back().speed_kmh)) {
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

Program read_program(YamlSection s, const std::string& name, const CheckableProfiles& profiles, const MachineConfig& m,
                     Diagnostics& diag) {
  Program g;
  g.name = name;
  if (!s.valid()) return g;
  const Profile* profile = nullptr;
  ProgramChecks checks;
  if (s.text("profile", g.profile, Need::required) && s.sound("profile") && profiles.section_read &&
      !profiles.unfit.contains(g.profile)) {
    auto it = profiles.read.find(g.profile);
    if (it == profiles.read.end()) {
      s.error_at("profile", s.path() + " names profile '" + g.profile + "', which limits.yaml does not define");
    } else {
      profile = &it->second;
      if (auto c = profiles.checks.find(g.profile); c != profiles.checks.end()) checks = c->second;
    }
  }
  YAML::Node segments = s.child("segments");
  if (!segments.IsDefined()) s.missing("segments");
  s.finish();
  if (!segments.IsDefined()) return g;
  ProgramReader reader{diag, m, profile, checks, s.path()};
  reader.read_list(segments, g.segments, 0);
  if (profile != nullptr && !g.segments.empty()) {
    if (checks.start && g.segments.front().speed_kmh > profile->start_speed_kmh &&
        ramp_seconds(0, g.segments.front().speed_kmh, profile->accel_for(g.segments.front().direction)) >=
            std::chrono::duration<double>(g.segments.front().duration).count()) {
      s.error(segments.Mark(), s.path() + ": the first segment is too short to ramp up to its speed");
    }
    Millis total{0};
    for (const auto& seg : g.segments) total += seg.duration;
    if (checks.session && total > profile->session_time) {
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
  // Two equal names were refused with both lines by check_duplicate_keys(); each is still read,
  // for its own errors (the file is refused whatever follows).
  const std::string what = key == "profiles" ? "profile" : "program";
  for (const auto& kv : map) {
    const std::string name = kv.first.Scalar();
    if (!is_setting_name(name)) {
      parent.error(kv.first.Mark(), "the " + what + " name '" + name + "' is not a code: use " + setting_name_form);
    }
    fn(name, kv.second);
  }
}

}  // namespace

Loaded<LimitsConfig> parse_limits(const std::string& yaml_text, const std::string& file_name,
                                  const MachineConfig& machine) {
  return parse_document<LimitsConfig>(
      yaml_text, file_name, "limits.yaml",
      [&](YamlSection& top, const YAML::Node&, LimitsConfig& limits, Diagnostics& diag) {
        if (!top.child("profiles").IsDefined()) top.missing("profiles", "limits.yaml needs a 'profiles' section");
        const YAML::Node profiles_node = top.child("profiles");
        CheckableProfiles checkable{limits.profiles, {}, {}, profiles_node.IsMap() || profiles_node.IsNull()};
        for_each_named(top, "profiles", [&](const std::string& name, const YAML::Node& node) {
          YamlSection section(node, "profile " + quoted(name), diag);
          const bool twice = limits.profiles.contains(name);
          limits.profiles[name] = read_profile(section, name, machine);
          if (twice || !section.valid()) checkable.unfit.insert(name);
          checkable.checks[name] = program_checks(section);
          if (!node.IsMap()) return;
          for (const ProfileKey& k : profile_keys) {
            const YAML::Node value = node[std::string(k.key)];
            if (value.IsDefined() && value.IsScalar()) limits.written[name][std::string(k.key)] = value.Scalar();
          }
        });
        for_each_named(top, "programs", [&](const std::string& name, const YAML::Node& node) {
          limits.programs[name] =
              read_program(YamlSection(node, "program " + quoted(name), diag), name, checkable, machine, diag);
        });
      });
}

}  // namespace treadd
