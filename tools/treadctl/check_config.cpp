// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/check_config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>

#include "config/drive_profile.hpp"
#include "config/loader.hpp"

namespace treadctl {
namespace {

// Files are recognised by their top-level keys: machine.yaml has `ceilings:`, a drive profile
// `commands:`, limits.yaml `profiles:`.
enum class FileKind { machine, drive, limits };

FileKind kind_of(const std::string& f) {
  // Read with the daemon's bound (256 KiB): /dev/zero or a huge file is refused by the loader
  // that follows, never swallowed here.
  std::vector<treadd::Diagnostic> ignored;
  const auto text = treadd::read_config_file(f, ignored);
  try {
    if (text) {
      YAML::Node n = YAML::Load(*text);
      if (n["ceilings"].IsDefined()) return FileKind::machine;
      if (n["commands"].IsDefined()) return FileKind::drive;
    }
  } catch (...) {
  }
  if (std::filesystem::path(f).filename() == "machine.yaml") return FileKind::machine;
  return FileKind::limits;
}

FileCheck checked(const std::string& file, const std::vector<treadd::Diagnostic>& diagnostics) {
  FileCheck c{file, {}, {}};
  for (const auto& d : diagnostics) c.errors.push_back(d.to_string());
  return c;
}

// Without a machine.yaml the machine's ceilings are unknown: a limits file is checked for all the
// rest (syntax, keys, units, each key's own bounds, programs) against ceilings no profile reaches.
treadd::MachineConfig without_ceilings() {
  treadd::MachineConfig m;
  treadd::Ceilings& c = m.ceilings;
  c.forward_max_kmh = c.reverse_max_kmh = 1000;
  c.max_accel_mps2 = c.max_decel_mps2 = c.emergency_decel_mps2 = 100;
  c.max_session = c.max_stop_time = c.max_speedup_time = std::chrono::hours(24);
  return m;
}

}  // namespace

std::vector<FileCheck> check_config(const std::vector<std::string>& files, const std::string& machine_path) {
  std::vector<FileCheck> out;
  std::optional<treadd::MachineConfig> machine;
  for (const auto& f : files) {
    if (kind_of(f) == FileKind::machine) {
      auto m = treadd::load_machine(f);
      std::vector<treadd::Diagnostic> errors = m.errors;
      // The drive profile machine.yaml names is part of the machine: a misspelt one fails here,
      // not at the daemon's next start.
      if (m.ok()) {
        auto profile = treadd::load_named_drive_profile(*m.value, f);
        errors.insert(errors.end(), profile.errors.begin(), profile.errors.end());
      }
      out.push_back(checked(f, errors));
      if (m.ok()) machine = m.value;
    } else if (kind_of(f) == FileKind::drive) {
      out.push_back(checked(f, treadd::load_drive_profile(f).errors));
    }
  }
  for (const auto& f : files) {
    if (kind_of(f) != FileKind::limits) continue;
    // A file that cannot be read (missing, too big) is named first, before any ceilings are sought.
    std::vector<treadd::Diagnostic> unreadable;
    if (!treadd::read_config_file(f, unreadable)) {
      out.push_back(checked(f, unreadable));
      continue;
    }
    if (!machine) {
      std::string candidate = machine_path;
      if (candidate.empty()) {
        auto sibling = std::filesystem::path(f).parent_path() / "machine.yaml";
        candidate = std::filesystem::exists(sibling) ? sibling.string() : "/etc/treadd/machine.yaml";
      }
      // Away from the machine (none named, none beside the file, none installed) the file is
      // checked for all but what only the machine can tell; a machine.yaml named or found but
      // unreadable or wrong is an error, as it would be for the daemon.
      if (machine_path.empty() && !std::filesystem::exists(candidate)) {
        FileCheck c = checked(f, treadd::load_limits(f, without_ceilings()).errors);
        c.unchecked = "the machine's ceilings (caps, ramps, session length) and its standstill dwell were not "
                      "checked: no machine.yaml beside the file or in /etc/treadd; name one with --machine";
        out.push_back(std::move(c));
        continue;
      }
      auto m = treadd::load_machine(candidate);
      if (!m.ok()) {
        FileCheck c = checked(f, m.errors);
        c.errors.insert(c.errors.begin(), f + ": cannot be checked against the machine ceilings of " + candidate +
                                              " (name another with --machine):");
        out.push_back(std::move(c));
        continue;
      }
      machine = m.value;
    }
    out.push_back(checked(f, treadd::load_limits(f, *machine).errors));
  }
  return out;
}

}  // namespace treadctl
