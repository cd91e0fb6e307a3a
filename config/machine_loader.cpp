// SPDX-License-Identifier: Apache-2.0
#include <yaml-cpp/yaml.h>

#include <map>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <algorithm>

#include "config/line_timing.hpp"
#include "config/loader.hpp"
#include "core/units.hpp"
#include "config/yaml_section.hpp"

namespace treadd {

std::string_view to_string(Transport t) {
  for (const auto& info : transports) {
    if (info.transport == t) return info.name;
  }
  return "?";
}

std::optional<Transport> parse_transport(std::string_view name) {
  for (const auto& info : transports) {
    if (info.name == name) return info.transport;
  }
  return std::nullopt;
}

bool needs_profile(Transport t) {
  for (const auto& info : transports) {
    if (info.transport == t) return info.needs_profile;
  }
  return true;
}

namespace {

// Every machine.yaml threshold lies between a floor and a ceiling, each with its reason: "above
// zero" let `ceilings.max_stop_time: 1h` (a stop that never ends) and `safety.link_timeout: 1h`
// through. Checked by check-config and at every start, at the key's file:line:column.
struct Range {
  double lo, hi;
  const char* why;
};

std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

void check_range(YamlSection& s, const std::string& path, const std::string& key, double value, Range r,
                 const char* unit) {
  if (value >= r.lo && value <= r.hi) return;
  s.error_at(key, path + "." + key + " is " + number(value) + " " + unit + "; it must be between " + number(r.lo) + " " +
                      unit + " and " + number(r.hi) + " " + unit + ": " + r.why);
}

void speed_in(YamlSection& s, const std::string& path, const std::string& key, double& out, Need need, Range r) {
  if (s.speed(key, out, need)) check_range(s, path, key, out, r, "km/h");
}
void accel_in(YamlSection& s, const std::string& path, const std::string& key, double& out, Need need, Range r) {
  if (s.accel(key, out, need)) check_range(s, path, key, out, r, "m/s²");
}
void duration_in(YamlSection& s, const std::string& path, const std::string& key, Millis& out, Need need, Range r) {
  if (s.duration(key, out, need)) check_range(s, path, key, std::chrono::duration<double>(out).count(), r, "s");
}

void read_drive(YamlSection s, DriveSettings& d) {
  if (!s.valid()) return;
  std::string transport;
  if (s.text("transport", transport, Need::optional)) {
    if (auto t = parse_transport(transport)) {
      d.transport = *t;
    } else {
      std::string names;
      for (const auto& info : transports) names += (names.empty() ? "'" : ", '") + std::string(info.name) + "'";
      s.error_at("transport", "drive.transport must be one of " + names + ", got '" + transport + "'");
    }
  }
  s.text("host", d.host, Need::optional);
  s.integer("port", d.port, Need::optional, 1, 65535);
  s.text("device", d.device, Need::optional);
  s.integer("baud", d.baud, Need::optional, 1200, 921600);
  std::string parity(1, d.parity);
  if (s.text("parity", parity, Need::optional)) {
    if (parity == "N" || parity == "E" || parity == "O") {
      d.parity = parity[0];
    } else {
      s.error_at("parity", "drive.parity must be N, E or O, got '" + parity + "'");
    }
  }
  s.integer("data_bits", d.data_bits, Need::optional, 7, 8);
  s.integer("stop_bits", d.stop_bits, Need::optional, 1, 2);
  s.integer("unit_id", d.unit_id, Need::optional, 1, 247);
  duration_in(s, "drive", "response_timeout", d.response_timeout, Need::optional,
              {0.01, 2, "a drive answers within milliseconds; a longer wait only delays noticing a dead link"});
  duration_in(s, "drive", "poll_period", d.poll_period, Need::optional,
              {0.005, 0.5, "the belt is read and steered once per poll; slower than 0.5 s it runs unwatched"});
  s.integer("max_failed_polls", d.max_failed_polls, Need::optional, 1, 20);
  s.text("profile", d.profile, Need::optional);
  s.text("commissioning_waiver", d.commissioning_waiver, Need::optional);
  // generic is treadsim's map, not a drive's: a real transport never falls back to it by default
  // (on an Optidrive E3 its setpoint words mean ten times the speed).
  if (needs_profile(d.transport) && d.profile.empty()) {
    s.error(s.node().Mark(), "drive.profile is required when drive.transport is '" + std::string(to_string(d.transport)) +
                                 "': name the drive's profile (abb-acs580, delta-ms300, optidrive-e3, siemens-v20, "
                                 "or generic for treadsim)");
  }
  if (d.transport == Transport::rtu && d.device.empty()) {
    s.error(s.node().Mark(), "drive.device is required when drive.transport is 'rtu' (e.g. /dev/ttyUSB0)");
  }
  s.finish();
}

void read_ceilings(YamlSection s, Ceilings& c) {
  if (!s.valid()) return;
  speed_in(s, "ceilings", "forward_max", c.forward_max_kmh, Need::required,
           {0, 25, "no treadmill built for people runs its belt faster"});
  speed_in(s, "ceilings", "reverse_max", c.reverse_max_kmh, Need::required,
           {0, 16, "backward running is far slower than forward running; above 16 km/h nobody runs backward"});
  accel_in(s, "ceilings", "max_accel", c.max_accel_mps2, Need::required,
           {0.05, 2.9, "below 0.05 m/s² reaching walking speed takes most of a minute; 3 m/s² perturbs balance"});
  accel_in(s, "ceilings", "max_decel", c.max_decel_mps2, Need::required,
           {0.1, 2.9, "below 0.1 m/s² a stop from running speed takes half a minute; 3 m/s² perturbs balance"});
  accel_in(s, "ceilings", "emergency_decel", c.emergency_decel_mps2, Need::required,
           {0.5, 2.9, "an emergency stop must brake harder than 0.5 m/s² and stay below the 3 m/s² that perturbs balance"});
  duration_in(s, "ceilings", "max_session", c.max_session, Need::required,
              {60, 4 * 3600, "a session of a minute to four hours"});
  duration_in(s, "ceilings", "max_stop_time", c.max_stop_time, Need::optional,
              {1, 15, "a stop that takes longer than 15 s is not a stop a patient can rely on"});
  duration_in(s, "ceilings", "max_speedup_time", c.max_speedup_time, Need::optional,
              {1, 120, "a profile's ramp up to its cap must finish within two minutes"});
  // The machine's own ramps must meet its bounds, or no profile could.
  if (ramp_seconds(0, std::max(c.forward_max_kmh, c.reverse_max_kmh), c.max_decel_mps2) >
      std::chrono::duration<double>(c.max_stop_time).count()) {
    s.error_at("max_decel", "ceilings.max_decel cannot stop the belt from its highest ceiling within ceilings.max_stop_time (" +
                                units::format_duration(c.max_stop_time) + ")");
  }
  // Belt accelerations near 3 m/s² are used in research to knock people off balance on purpose.
  constexpr double perturbation_mps2 = 3.0;
  const std::pair<const char*, double> rates[] = {
      {"max_accel", c.max_accel_mps2}, {"max_decel", c.max_decel_mps2}, {"emergency_decel", c.emergency_decel_mps2}};
  for (const auto& [key, value] : rates) {
    if (value >= perturbation_mps2) {
      s.error_at(key, std::string("ceilings.") + key +
                          " must stay well below 3 m/s², the rate used to deliberately perturb balance");
    }
  }
  if (c.emergency_decel_mps2 < c.max_decel_mps2) {
    s.error_at("emergency_decel", "ceilings.emergency_decel must be at least ceilings.max_decel");
  }
  s.finish();
}

void read_safety(YamlSection s, SafetySettings& f) {
  if (!s.valid()) return;
  speed_in(s, "safety", "standstill_below", f.standstill_kmh, Need::optional,
           {0.01, 0.5, "above 0.5 km/h a belt visibly moves: it is not standing still"});
  duration_in(s, "safety", "standstill_dwell", f.standstill_dwell, Need::optional,
              {0.2, 10, "long enough to see the belt has settled, short enough to turn it around"});
  speed_in(s, "safety", "overspeed_margin", f.overspeed_margin_kmh, Need::optional,
           {0.1, 2, "more than 2 km/h above the cap is a belt out of control, not a margin"});
  speed_in(s, "safety", "tracking_tolerance", f.tracking_tolerance_kmh, Need::optional,
           {0.2, 3, "a belt 3 km/h away from its command is not following it"});
  duration_in(s, "safety", "tracking_time", f.tracking_time, Need::optional,
              {0.2, 10, "a belt that has not followed its command for 10 s has failed"});
  duration_in(s, "safety", "link_timeout", f.link_timeout, Need::optional,
              {0.05, 2, "without a reading for 2 s the belt runs unwatched; below 50 ms one late reply would stop it"});
  speed_in(s, "safety", "implausible_step", f.implausible_step_kmh, Need::optional,
           {0.5, 5, "no belt changes by more than 5 km/h between two readings; below 0.5 km/h normal noise would trip it"});
  s.integer("max_overruns", f.max_overruns, Need::optional, 1, 50);
  s.finish();
}

void read_control(YamlSection s, ControlSettings& c) {
  if (!s.valid()) return;
  s.text("socket", c.socket_path, Need::optional);
  s.text("clinician_group", c.clinician_group, Need::optional);
  s.text("operator_group", c.operator_group, Need::optional);
  if (s.hertz("tick_rate", c.tick_hz, Need::optional) && (c.tick_hz < 10 || c.tick_hz > 500)) {
    s.error_at("tick_rate", "control.tick_rate must be between 10 Hz and 500 Hz");
  }
  s.finish();
}

void read_metrics(YamlSection s, MetricsSettings& m) {
  if (!s.valid()) return;
  s.text("textfile", m.textfile, Need::optional);
  duration_in(s, "metrics", "interval", m.interval, Need::optional,
              {0.1, 300, "monitoring reads the file every few seconds; over 5 minutes it shows the past"});
  s.finish();
}

void read_records(YamlSection s, RecordsSettings& r) {
  if (!s.valid()) return;
  s.integer("keep", r.keep, Need::optional, 1, 100000);
  s.integer("keep_days", r.keep_days, Need::optional, 1, 36500);
  std::string age_by = "synchronised_clock";
  if (s.text("age_by", age_by, Need::optional)) {
    if (age_by == "system_clock") {
      r.age_by = AgeClock::system;
    } else if (age_by != "synchronised_clock") {
      s.error_at("age_by", "records.age_by must be 'synchronised_clock' or 'system_clock', got '" + age_by + "'");
    }
  }
  std::string patient_code = "optional";
  if (s.text("patient_code", patient_code, Need::optional) && patient_code != "required" && patient_code != "optional") {
    s.error_at("patient_code", "records.patient_code must be 'required' or 'optional', got '" + patient_code + "'");
  }
  r.patient_code_required = patient_code == "required";
  s.finish();
}

void read_belt(YamlSection s, BeltSettings& b) {
  if (!s.valid()) return;
  if (s.ratio("kmh_per_hz", b.kmh_per_hz, Need::required)) {
    check_range(s, "belt", "kmh_per_hz", b.kmh_per_hz, {0.02, 1, "a belt gear of 1 to 50 km/h at 50 Hz"}, "(km/h per Hz)");
  }
  s.finish();
}

}  // namespace

namespace {

// A node as text with map keys sorted: two files that say the same say it in the same words.
void canonical(const YAML::Node& n, std::string& out) {
  if (n.IsMap()) {
    std::map<std::string, YAML::Node> sorted;
    for (const auto& kv : n) sorted.emplace(kv.first.Scalar(), kv.second);
    out += '{';
    for (const auto& [k, v] : sorted) {
      if (k == "commissioning_waiver") continue;  // a waiver is about the report, not the belt
      out += k + ':';
      canonical(v, out);
      out += ';';
    }
    out += '}';
  } else if (n.IsSequence()) {
    out += '[';
    for (const auto& v : n) {
      canonical(v, out);
      out += ',';
    }
    out += ']';
  } else if (n.IsScalar()) {
    out += '"' + n.Scalar() + '"';
  }
}

}  // namespace

Loaded<MachineConfig> parse_machine(const std::string& yaml_text, const std::string& file_name) {
  return parse_document<MachineConfig>(
      yaml_text, file_name, "machine.yaml",
      [](YamlSection& top, const YAML::Node&, MachineConfig& m, Diagnostics& diag) {
        for (const char* section : belt_sections) {
          m.belt_sections_text += std::string(section) + '=';
          if (auto n = top.child(section); n.IsDefined()) canonical(n, m.belt_sections_text);
          m.belt_sections_text += '\n';
        }
        read_drive(YamlSection(top.child("drive"), "drive", diag), m.drive);
        read_belt(YamlSection(top.child("belt"), "belt", diag), m.belt);
        read_ceilings(YamlSection(top.child("ceilings"), "ceilings", diag), m.ceilings);
        if (auto n = top.child("safety"); n.IsDefined()) read_safety(YamlSection(n, "safety", diag), m.safety);
        if (auto n = top.child("control"); n.IsDefined()) read_control(YamlSection(n, "control", diag), m.control);
        if (auto n = top.child("metrics"); n.IsDefined()) read_metrics(YamlSection(n, "metrics", diag), m.metrics);
        if (auto n = top.child("records"); n.IsDefined()) read_records(YamlSection(n, "records", diag), m.records);
      });
}

std::optional<std::string> read_config_file(const std::string& path, std::vector<Diagnostic>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(Diagnostic{path, 0, 0, "cannot open the file (does it exist, and may treadd read it?)"});
    return std::nullopt;
  }
  // Never more than the limit plus one byte: /dev/zero or a huge file is refused, not swallowed.
  std::string text(max_config_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_config_bytes) {
    errors.push_back(Diagnostic{path, 1, 1, "the file is larger than " + std::to_string(max_config_bytes / 1024) +
                                                " KiB; a configuration file may be at most " +
                                                std::to_string(max_config_bytes / 1024) + " KiB"});
    return std::nullopt;
  }
  return text;
}

Loaded<MachineConfig> load_machine(const std::string& path) {
  std::vector<Diagnostic> errors;
  auto text = read_config_file(path, errors);
  if (!text) return {std::nullopt, errors};
  return parse_machine(*text, path);
}

Loaded<LimitsConfig> load_limits(const std::string& path, const MachineConfig& machine) {
  std::vector<Diagnostic> errors;
  auto text = read_config_file(path, errors);
  if (!text) return {std::nullopt, errors};
  return parse_limits(*text, path, machine);
}

Loaded<std::optional<DriveProfile>> load_named_drive_profile(const MachineConfig& machine, const std::string& machine_path) {
  if (!needs_profile(machine.drive.transport)) return {std::optional<DriveProfile>{}, {}};
  const std::string config_dir = std::filesystem::path(machine_path).parent_path().string();
  std::string why;
  const auto path = find_drive_profile(machine.drive.profile, config_dir.empty() ? "." : config_dir, why);
  if (!path) return {std::nullopt, {Diagnostic{machine_path, 0, 0, why}}};
  auto profile = load_drive_profile(*path);
  if (!profile.ok()) return {std::nullopt, profile.errors};
  if (auto e = poll_period_error(*profile.value, machine.drive, machine_path)) return {std::nullopt, {*e}};
  return {std::optional<DriveProfile>(*profile.value), {}};
}

Loaded<FullConfig> load_config_dir(const std::string& dir) {
  auto machine = load_machine(dir + "/machine.yaml");
  if (!machine.ok()) return {std::nullopt, machine.errors};
  auto profile = load_named_drive_profile(*machine.value, dir + "/machine.yaml");
  auto limits = load_limits(dir + "/limits.yaml", *machine.value);
  std::vector<Diagnostic> errors = profile.errors;
  errors.insert(errors.end(), limits.errors.begin(), limits.errors.end());
  if (!errors.empty()) return {std::nullopt, errors};
  return {FullConfig{*machine.value, *limits.value, *profile.value}, {}};
}

}  // namespace treadd
