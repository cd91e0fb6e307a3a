// SPDX-License-Identifier: Apache-2.0
#include <yaml-cpp/yaml.h>

#include <map>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <algorithm>

#include "config/line_timing.hpp"
#include "config/loader.hpp"
#include "config/prescriptions.hpp"
#include "config/machine_keys.hpp"
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

std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// Every machine.yaml threshold lies between a floor and a ceiling, each with its reason: "above
// zero" let `ceilings.max_stop_time: 1h` (a stop that never ends) and `safety.link_timeout: 1h`
// through. Checked by check-config and at every start, at the key's file:line:column.
void check_range(YamlSection& s, const MachineKey& k, double value, std::string_view unit) {
  if (value >= k.min && value <= k.max) return;
  const std::string u = unit.empty() ? "" : " " + std::string(unit);
  const std::string key(k.key);
  s.error_at(key, std::string(k.section) + "." + key + " is " + number(value) + u + "; it must be between " + number(k.min) +
                      u + " and " + number(k.max) + u + ": " + std::string(k.why));
}

// One key of the table (config/machine_keys.hpp), read, bounded and put where its row says.
void read_key(YamlSection& s, const MachineKey& k, MachineConfig& m) {
  const std::string key(k.key);
  const Need need = k.required ? Need::required : Need::optional;
  if (k.kind == MachineKind::choice) {
    std::string word;
    if (s.text(key, word, need) && !k.choose(m, word)) {
      std::string words;
      for (char c : k.words) words += c == '|' ? std::string("', '") : std::string(1, c);
      s.error_at(key, std::string(k.section) + "." + key + " must be one of '" + words + "', got '" + word + "'");
    }
    return;
  }
  const MachineKey::Field field = k.field(m);
  // A number with a unit: the section's reader for the kind, and the unit an error names.
  using NumberReader = bool (YamlSection::*)(const std::string&, double&, Need);
  auto number_in = [&](NumberReader read, std::string_view unit) {
    double& out = *std::get<double*>(field);
    if ((s.*read)(key, out, need)) check_range(s, k, out, unit);
  };
  switch (k.kind) {
    case MachineKind::speed: number_in(&YamlSection::speed, "km/h"); break;
    case MachineKind::accel: number_in(&YamlSection::accel, "m/s²"); break;
    case MachineKind::hertz: number_in(&YamlSection::hertz, "Hz"); break;
    case MachineKind::ratio: number_in(&YamlSection::ratio, "(km/h per Hz)"); break;
    case MachineKind::duration: {
      Millis& out = *std::get<Millis*>(field);
      if (s.duration(key, out, need)) check_range(s, k, std::chrono::duration<double>(out).count(), "s");
      break;
    }
    case MachineKind::count:
      s.integer(key, *std::get<int*>(field), need, static_cast<int>(k.min), static_cast<int>(k.max));
      break;
    case MachineKind::text: s.text(key, *std::get<std::string*>(field), need); break;
    case MachineKind::choice: break;
  }
}

// What no single key can say: keys that must agree with each other.
void check_drive(YamlSection& s, const DriveSettings& d) {
  // generic is treadsim's map, not a drive's: a real transport never falls back to it by default
  // (on an Optidrive E3 its setpoint words mean ten times the speed).
  // Only on keys read as written (YamlSection::sound): a misspelt transport or profile has its
  // own error, and a second one built on the default would be false.
  if (s.sound({"transport", "profile"}) && needs_profile(d.transport) && d.profile.empty()) {
    s.error(s.node().Mark(), "drive.profile is required when drive.transport is '" + std::string(to_string(d.transport)) +
                                 "': name the drive's profile (abb-acs580, delta-ms300, optidrive-e3, siemens-v20, "
                                 "or generic for treadsim)");
  }
  if (s.sound({"transport", "device"}) && d.transport == Transport::rtu && d.device.empty()) {
    s.error(s.node().Mark(), "drive.device is required when drive.transport is 'rtu' (e.g. /dev/ttyUSB0)");
  }
}

void check_ceilings(YamlSection& s, const Ceilings& c) {
  // The machine's own ramps must meet its bounds, or no profile could.
  // Each check compares only values read as written (YamlSection::sound): a default standing in for
  // a value written wrong would give a false second error.
  if (s.sound({"forward_max", "reverse_max", "max_decel", "max_stop_time"}) &&
      ramp_seconds(0, std::max(c.forward_max_kmh, c.reverse_max_kmh), c.max_decel_mps2) >
          std::chrono::duration<double>(c.max_stop_time).count()) {
    s.error_at("max_decel", "ceilings.max_decel cannot stop the belt from its highest ceiling within ceilings.max_stop_time (" +
                                units::format_duration(c.max_stop_time) + ")");
  }
  if (s.sound({"emergency_decel", "max_decel"}) && c.emergency_decel_mps2 < c.max_decel_mps2) {
    s.error_at("emergency_decel", "ceilings.emergency_decel must be at least ceilings.max_decel");
  }
}

// A section: every key of the table, then what its keys must agree on. drive, belt and ceilings
// are required (a misspelt one is said once, at the typo: YamlSection::missing); the rest are read
// only when present.
void read_section(YamlSection& top, std::string_view name, Diagnostics& diag, MachineConfig& m) {
  const auto node = top.child(std::string(name));
  const bool required = name == "drive" || name == "belt" || name == "ceilings";
  if (!node.IsDefined()) {
    if (required) top.missing(std::string(name));
    return;
  }
  YamlSection s(node, std::string(name), diag);
  if (!s.valid()) return;
  for (const MachineKey& k : machine_keys) {
    if (k.section == name) read_key(s, k, m);
  }
  s.finish();  // first: a typo'd key makes the key it meant unsound for the checks below
  if (name == "drive") check_drive(s, m.drive);
  if (name == "ceilings") check_ceilings(s, m.ceilings);
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
        for (std::string_view section : machine_sections) read_section(top, section, diag, m);
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
  auto limits = load_clinical(dir, *machine.value);
  std::vector<Diagnostic> errors = profile.errors;
  errors.insert(errors.end(), limits.errors.begin(), limits.errors.end());
  if (!errors.empty()) return {std::nullopt, errors};
  return {FullConfig{*machine.value, *limits.value, *profile.value}, {}};
}

}  // namespace treadd
