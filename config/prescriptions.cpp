// SPDX-License-Identifier: Apache-2.0
#include "config/prescriptions.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "config/loader.hpp"
#include "config/yaml_section.hpp"
#include "core/calendar.hpp"
#include "core/patient.hpp"
#include "core/units.hpp"

namespace treadd {

namespace fs = std::filesystem;

std::string patients_dir(const std::string& config_dir) { return config_dir + "/patients"; }

namespace {

void check_goals(YamlSection& s, const Prescription& p, const Profile& profile, const Program* program) {
  // A goal past both the program's length and the profile's session_time is one mistake: said once,
  // naming both.
  std::vector<std::string> beyond;
  const bool goal_time = p.goal_time && s.sound("goal_time");
  if (program != nullptr && goal_time) {
    Millis length{0};
    for (const Segment& seg : program->segments) length += seg.duration;
    if (*p.goal_time > length) beyond.push_back("program '" + program->name + "' (" + units::format_duration(length) + ")");
  }
  if (goal_time && *p.goal_time > profile.session_time) {
    beyond.push_back("the session_time of " + units::format_duration(profile.session_time) + " in profile '" + profile.name + "'");
  }
  if (!beyond.empty()) {
    s.error_at("goal_time", "goal_time " + units::format_duration(*p.goal_time) + " is longer than " + beyond.front() +
                                (beyond.size() > 1 ? " and " + beyond.back() : "") + ": no session of it can reach the goal");
  }
  if (p.goal_distance_m && s.sound("goal_distance") && profile.max_distance_m && *p.goal_distance_m > *profile.max_distance_m) {
    s.error_at("goal_distance", "goal_distance is beyond the max_distance of profile '" + profile.name + "'");
  }
}

}  // namespace

Loaded<Prescription> parse_prescription(const std::string& yaml_text, const std::string& file_name,
                                        const std::string& file_code, const LimitsConfig& limits) {
  return parse_document<Prescription>(
      yaml_text, file_name, "prescription",
      [&](YamlSection& top, const YAML::Node&, Prescription& p, Diagnostics&) {
        if (top.text("patient", p.patient, Need::required)) {
          if (!is_patient_code(p.patient)) {
            top.error_at("patient", "patient must be a patient code: " + std::string(patient_code_form));
          } else if (p.patient != file_code) {
            // The code itself stays out of the message: it reaches the journal.
            top.error_at("patient", "patient differs from the code the file is named for: name the file after the "
                                    "patient's code (patients/CODE.yaml) and write the same code here");
          }
        }
        const Profile* profile = nullptr;
        // Each check only on keys read as written (YamlSection::sound): a key given twice, say, has
        // its own error, and a check of the first value may be a false second one.
        if (top.text("profile", p.profile, Need::required) && top.sound("profile")) {
          auto it = limits.profiles.find(p.profile);
          if (it == limits.profiles.end()) {
            top.error_at("profile", "profile '" + p.profile + "' is not in limits.yaml");
          } else {
            profile = &it->second;
          }
        }
        std::string program;
        if (top.text("program", program, Need::optional) && top.sound("program")) {
          p.program = program;
          auto g = limits.programs.find(program);
          if (g == limits.programs.end()) {
            top.error_at("program", "program '" + program + "' is not in limits.yaml");
          } else if (profile != nullptr && g->second.profile != p.profile) {
            top.error_at("program", "program '" + program + "' belongs to profile '" + g->second.profile + "', not '" +
                                        p.profile + "'");
          }
        }
        if (top.text("clinician", p.clinician, Need::required)) {
          // Shown on reports and terminals: a name, on one line, never a control sequence.
          const bool printable = std::none_of(p.clinician.begin(), p.clinician.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
          });
          if (!printable || p.clinician.size() > 80) {
            top.error_at("clinician", "clinician must be a name of at most 80 characters on one line");
          }
        }
        if (top.text("date", p.date, Need::required) && (p.date.size() != 10 || !is_iso_utc(p.date))) {
          top.error_at("date", "date must be the day it was prescribed as YYYY-MM-DD, got '" + p.date + "'");
        }
        Millis goal_time{0};
        if (top.duration("goal_time", goal_time, Need::optional)) p.goal_time = goal_time;
        double goal_m = 0;
        if (top.metres("goal_distance", goal_m, Need::optional)) p.goal_distance_m = goal_m;
        if (profile != nullptr) {
          const auto g = p.program ? limits.programs.find(*p.program) : limits.programs.end();
          // A program refused above (another profile's) is not what the goal is checked against.
          const bool program_sound = g != limits.programs.end() && top.sound("program");
          check_goals(top, p, *profile, program_sound ? &g->second : nullptr);
        }
      });
}

std::optional<std::string> unreadable_by_treadd(std::filesystem::perms perms) {
  // A clinician whose umask is 077 writes a file treadd, which reads as a member of the
  // clinicians' group, cannot read: say what to do, not "cannot open the file". The words name no
  // file: this line reaches the journal, and a prescription's file is named for its patient.
  if ((perms & (fs::perms::group_read | fs::perms::others_read)) != fs::perms::none) return std::nullopt;
  return "its mode lets neither the clinicians' group nor others read it, so treadd cannot: "
         "chmod g+r on the file (group treadd-clinician)";
}

Loaded<std::map<std::string, Prescription>> load_prescriptions(const std::string& dir, const LimitsConfig& limits) {
  std::map<std::string, Prescription> found;
  std::vector<Diagnostic> errors;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return {std::move(found), {}};
  std::vector<fs::path> files;
  fs::directory_iterator it(dir, ec);
  if (ec) return {std::nullopt, {Diagnostic{dir, 0, 0, "cannot list the directory: " + ec.message()}}};
  std::size_t entries = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (++entries > 2 * max_prescriptions || errors.size() > 100) {
      errors.push_back(Diagnostic{dir, 0, 0, "holds too many files to read at each reload: keep prescriptions only"});
      break;
    }
    const fs::path& path = it->path();
    const std::string ext = path.extension().string();
    std::string lower = ext;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // LBP-0042.YAML or .yml would otherwise go unread, and that patient would be bound by nothing.
    if ((lower == ".yaml" || lower == ".yml") && ext != ".yaml") {
      errors.push_back(Diagnostic{path.string(), 0, 0, "name prescription files CODE.yaml, in lower case (this one is not read)"});
      continue;
    }
    if (ext != ".yaml") continue;  // a README, an editor's backup: not a prescription
    // Never followed or opened: a link (to a device, to another patient's file) or a pipe, which
    // would block the reading thread.
    std::error_code kind_error;
    if (it->symlink_status(kind_error).type() != fs::file_type::regular) {
      errors.push_back(Diagnostic{path.string(), 0, 0, "is not a plain file (a link, a directory or a device): "
                                                       "a prescription is a file of its own"});
      continue;
    }
    if (const auto size = it->file_size(kind_error); !kind_error && size > max_prescription_bytes) {
      errors.push_back(Diagnostic{path.string(), 0, 0, "a prescription is a few lines; this file is " +
                                                           std::to_string(size / 1024) + " KiB (at most " +
                                                           std::to_string(max_prescription_bytes / 1024) + " KiB)"});
      continue;
    }
    if (auto unreadable = unreadable_by_treadd(it->symlink_status(kind_error).permissions()); unreadable && !kind_error) {
      errors.push_back(Diagnostic{path.string(), 0, 0, *unreadable});
      continue;
    }
    if (files.size() == max_prescriptions) {
      errors.push_back(Diagnostic{dir, 0, 0, "holds more than " + std::to_string(max_prescriptions) +
                                                 " prescriptions; move those of patients who finished elsewhere"});
      break;
    }
    files.push_back(path);
  }
  if (ec) errors.push_back(Diagnostic{dir, 0, 0, "cannot list the directory: " + ec.message()});
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    const std::string code = path.stem().string();
    if (!is_patient_code(code)) {
      errors.push_back(Diagnostic{path.string(), 0, 0,
                                  "a prescription's file is named for the patient's code (" +
                                      std::string(patient_code_form) + ")"});
      continue;
    }
    auto text = read_config_file(path.string(), errors);
    if (!text) continue;
    auto one = parse_prescription(*text, path.string(), code, limits);
    errors.insert(errors.end(), one.errors.begin(), one.errors.end());
    if (one.ok()) found.emplace(code, std::move(*one.value));
  }
  if (!errors.empty()) return {std::nullopt, errors};
  return {std::move(found), {}};
}

Loaded<LimitsConfig> load_clinical(const std::string& config_dir, const MachineConfig& machine) {
  auto limits = load_limits(config_dir + "/limits.yaml", machine);
  if (!limits.ok()) return limits;
  auto prescriptions = load_prescriptions(patients_dir(config_dir), *limits.value);
  if (!prescriptions.ok()) return {std::nullopt, prescriptions.errors};
  limits.value->prescriptions = std::move(*prescriptions.value);
  return limits;
}

std::vector<Diagnostic> for_the_journal(std::vector<Diagnostic> errors) {
  for (Diagnostic& d : errors) {
    const fs::path path(d.file);
    const bool prescription = path.parent_path().filename() == "patients";
    if (prescription) d.file = (path.parent_path() / "(a patient's prescription)").string();
    if (prescription || path.filename() == "limits.yaml") {
      d.message = "an error (not copied here, as it may quote a name: treadctl check-config shows it)";
    }
  }
  return errors;
}

}  // namespace treadd
