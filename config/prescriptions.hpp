// SPDX-License-Identifier: Apache-2.0
// Prescriptions: one file per patient under <config-dir>/patients/, named after the patient's
// code (patients/LBP-0042.yaml), checked against limits.yaml like limits.yaml against the machine.
// Each error has the file:line:column a clinician edits.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "config/diagnostics.hpp"
#include "config/model.hpp"

namespace treadd {

// The directory of the prescriptions of a configuration directory.
std::string patients_dir(const std::string& config_dir);

// One prescription; `file_code` is the code its file is named for (the `patient:` key must say it too).
Loaded<Prescription> parse_prescription(const std::string& yaml_text, const std::string& file_name,
                                        const std::string& file_code, const LimitsConfig& limits);

// The most prescription files a directory may hold: read at every reload, off the control loop.
inline constexpr std::size_t max_prescriptions = 5000;
// A prescription is a few lines: a bigger file is refused before it is read.
inline constexpr std::size_t max_prescription_bytes = 16 * 1024;

// Every *.yaml of `dir` (none when the directory does not exist), each checked against `limits`.
Loaded<std::map<std::string, Prescription>> load_prescriptions(const std::string& dir, const LimitsConfig& limits);
// Why treadd (a member of treadd-clinician, not the file's owner) could not read a prescription of
// this mode, or nothing. In words that name no file (they reach the journal).
std::optional<std::string> unreadable_by_treadd(std::filesystem::perms perms);

// limits.yaml and patients/ of a configuration directory, as the daemon loads and reloads them:
// one error in either refuses both (the ones in force stay).
Loaded<LimitsConfig> load_clinical(const std::string& config_dir, const MachineConfig& machine);

// Errors as the journal and the audit log may keep them, which neither `forget` nor retention
// reaches. A prescription's file is named for its patient; and a clinician's file (limits.yaml, a
// prescription) may hold a person's name where a code belongs, in a name or any value, which an
// error quotes ("the profile name 'Müller Hans (LBP)' is not a code"). So errors in the clinicians'
// files are kept as their places only, and a prescription's place without its name; treadctl
// check-config (and the reload's reply) show them whole. The technician's files are kept whole.
std::vector<Diagnostic> for_the_journal(std::vector<Diagnostic> errors);

}  // namespace treadd
