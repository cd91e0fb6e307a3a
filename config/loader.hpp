// SPDX-License-Identifier: Apache-2.0
// Loading and validation of machine.yaml (technician) and limits.yaml (clinician).
// Every error of a file is reported at once, each with file:line:column and a sentence.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/drive_profile.hpp"
#include "config/model.hpp"

namespace treadd {

Loaded<MachineConfig> parse_machine(const std::string& yaml_text, const std::string& file_name);
Loaded<MachineConfig> load_machine(const std::string& path);

// Profiles and programs are checked against the machine's ceilings and safety settings.
Loaded<LimitsConfig> parse_limits(const std::string& yaml_text, const std::string& file_name,
                                  const MachineConfig& machine);
Loaded<LimitsConfig> load_limits(const std::string& path, const MachineConfig& machine);

// Both files of a configuration directory, as the daemon loads them, and the drive profile that
// machine.yaml names (none for the built-in simulated drive).
struct FullConfig {
  MachineConfig machine;
  LimitsConfig limits;
  std::optional<DriveProfile> drive_profile;
};

// The profile machine.yaml names, found as find_drive_profile() says; errors name the profile file,
// or machine.yaml when it cannot be found. Nothing for the simulated drive.
Loaded<std::optional<DriveProfile>> load_named_drive_profile(const MachineConfig& machine, const std::string& machine_path);
Loaded<FullConfig> load_config_dir(const std::string& dir);

// The whole file, if it opens and is at most max_config_bytes; otherwise an error naming the file.
std::optional<std::string> read_config_file(const std::string& path, std::vector<Diagnostic>& errors);

// Shortest time a ramp from `from_kmh` to `to_kmh` takes at `mps2` (speeds are km/h).
double ramp_seconds(double from_kmh, double to_kmh, double mps2);

}  // namespace treadd
