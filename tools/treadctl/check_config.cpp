// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/check_config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "config/drive_profile.hpp"
#include "config/loader.hpp"
#include "config/prescriptions.hpp"
#include "core/patient.hpp"

namespace treadctl {
namespace {

// Files are recognised by their top-level keys: machine.yaml has `ceilings:`, a drive profile
// `commands:`, a prescription `patient:`, limits.yaml `profiles:`.
enum class FileKind { machine, drive, prescription, limits };

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
      if (n["patient"].IsDefined()) return FileKind::prescription;
    }
  } catch (...) {
  }
  if (std::filesystem::path(f).filename() == "machine.yaml") return FileKind::machine;
  if (std::filesystem::path(f).parent_path().filename() == "patients") return FileKind::prescription;
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

// A prescription is checked against the limits.yaml named with it, else the one of its
// configuration directory (patients/..), else the installed one: its profile and program must be there.
FileCheck check_prescription(const std::string& f, const std::vector<std::string>& files) {
  std::vector<treadd::Diagnostic> unreadable;
  const auto text = treadd::read_config_file(f, unreadable);
  if (!text) return checked(f, unreadable);
  std::string limits_path;
  for (const auto& other : files) {
    if (kind_of(other) == FileKind::limits) limits_path = other;
  }
  if (limits_path.empty()) {
    const auto beside = std::filesystem::path(f).parent_path().parent_path() / "limits.yaml";
    limits_path = std::filesystem::exists(beside) ? beside.string() : "/etc/treadd/limits.yaml";
  }
  // The machine's ceilings do not change what a prescription may name.
  auto limits = treadd::load_limits(limits_path, without_ceilings());
  if (!limits.ok()) {
    FileCheck c = checked(f, {});
    c.errors.push_back(f + ": cannot be checked: its profile is looked up in " + limits_path +
                       ", which cannot be read or has errors (check it too)");
    return c;
  }
  const std::string code = std::filesystem::path(f).stem().string();
  FileCheck c = checked(f, treadd::parse_prescription(*text, f, code, *limits.value).errors);
  // The clinician who runs check-config may read their own file where treadd may not.
  std::error_code mode_error;
  if (auto why = treadd::unreadable_by_treadd(std::filesystem::status(f, mode_error).permissions()); why && !mode_error) {
    c.errors.insert(c.errors.begin(), f + ": " + *why);
  }
  if (!treadd::is_patient_code(code) || std::filesystem::path(f).extension() != ".yaml") {
    c.errors.insert(c.errors.begin(), f + ": a prescription's file is named for the patient's code, CODE.yaml (" +
                                          treadd::patient_code_form + ")");
  }
  return c;
}

}  // namespace

std::vector<FileCheck> check_config(const std::vector<std::string>& files, const std::string& machine_path) {
  std::vector<FileCheck> out;
  std::optional<treadd::MachineConfig> machine;
  std::vector<std::string> refused_machines;  // machine.yaml files whose errors are listed already
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
      else refused_machines.push_back(f);
    } else if (kind_of(f) == FileKind::drive) {
      out.push_back(checked(f, treadd::load_drive_profile(f).errors));
    } else if (kind_of(f) == FileKind::prescription) {
      out.push_back(check_prescription(f, files));
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
      const bool listed = std::any_of(refused_machines.begin(), refused_machines.end(), [&](const std::string& r) {
        std::error_code ec;
        return std::filesystem::equivalent(r, candidate, ec);
      });
      if (!m.ok()) {
        // The file's own errors all the same, then why its ceilings were not checked; the machine's
        // errors are listed once, under its own name when it was checked too.
        FileCheck c = checked(f, treadd::load_limits(f, without_ceilings()).errors);
        c.errors.push_back(f + ": not checked against the machine ceilings of " + candidate +
                           (listed ? ", which has the errors listed under it" : " (name another with --machine):"));
        if (!listed) {
          for (const auto& d : m.errors) c.errors.push_back(d.to_string());
        }
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
