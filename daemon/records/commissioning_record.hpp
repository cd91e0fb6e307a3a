// SPDX-License-Identifier: Apache-2.0
// The commissioning report a technician leaves under the state directory, and what treadd makes of
// it at start: a tcp/rtu machine runs sessions only on a drive that passed its last commissioning
// check with the profile and connection it has now, unless machine.yaml waives it with a reason.
#pragma once

#include <array>
#include <string_view>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace treadd {

struct CommissioningCheck {
  std::string name;    // "P2014", "forward run", "drive-side backstop"
  std::string kind;    // parameter | question | belt
  bool pass = false;
  std::string detail;  // what was read or measured, and what to set when it failed
  std::optional<double> seconds;        // a measured time (stops, backstop)
  std::optional<double> commanded_kmh;  // belt runs
  std::optional<double> measured_kmh;
  std::string value;  // what the technician read on the panel (a question's `value:`), or empty
};

struct CommissioningRecord {
  std::string date;         // ISO 8601, UTC
  std::string profile;      // drive profile name
  std::string fingerprint;  // of the profile's contents and the drive connection
  std::string drive;        // "Modbus RTU /dev/ttyUSB0 19200 8E1 unit 1, profile siemens-v20"
  std::string identity;     // what the drive said it is ("serial number 1-1-8745-57"); empty if it says nothing
  std::string technician;   // who ran it
  std::string answered_by;  // "the technician at a terminal" or "a script (--answers-from-stdin)"
  std::string treadd_version;
  std::string direction;    // how treadd knows the belt's turn: status_bits | signed_output | none
  bool passed = false;
  std::vector<CommissioningCheck> checks;
};

// Passed = every check passed and the drive-side backstop was measured: recomputed from the checks
// wherever a report is read, so an edited "result" proves nothing.
bool commissioning_passed(const CommissioningRecord& r);

nlohmann::json to_json(const CommissioningRecord& r);
std::optional<CommissioningRecord> record_from_json(const nlohmann::json& j);
std::string to_text(const CommissioningRecord& r);

// Identifies what was commissioned: the whole drive profile file and every key of machine.yaml's
// belt_sections (config/model.hpp). Any change to either makes an old report stale.
std::string commissioning_fingerprint(const FullConfig& config);

// Before a commissioning moves the belt, the last report stops counting: a run that fails, is
// interrupted, or cannot write its report must never leave an earlier pass in force. Writes an
// "in progress" failed report as latest, or removes latest; throws std::runtime_error if neither works.
void withdraw_commissioning_record(const std::string& state_dir, const CommissioningRecord& starting);

// <state>/commissioning/: one JSON and one text file per run, and latest.json / latest.txt.
std::string commissioning_dir(const std::string& state_dir);
// Writes the report; returns the path of latest.txt, or throws std::runtime_error naming the file.
std::string write_commissioning_record(const std::string& state_dir, const CommissioningRecord& r);

// What treadd makes of the drive's commissioning, declared once: status, refusals and the
// treadd_commissioning metric name these.
#define TREADD_COMMISSIONING_STATES(X) X(passed) X(failed) X(missing) X(stale) X(unchecked) X(waived) X(not_needed) X(unconfigured)
#define TREADD_ENUMERATOR(name) name,
enum class CommissioningState { TREADD_COMMISSIONING_STATES(TREADD_ENUMERATOR) };
#undef TREADD_ENUMERATOR
#define TREADD_ENUMERATOR(name) CommissioningState::name,
inline constexpr std::array all_commissioning_states{TREADD_COMMISSIONING_STATES(TREADD_ENUMERATOR)};
#undef TREADD_ENUMERATOR
std::string_view to_string(CommissioningState state);

struct CommissioningStatus {
  CommissioningState state = CommissioningState::missing;
  std::string detail;  // one sentence for status and refusals
  std::string date;    // of the report, when there is one
  bool allows_start() const {
    return state == CommissioningState::passed || state == CommissioningState::waived ||
           state == CommissioningState::not_needed;
  }
  // Said in the journal at start and at each reconnection: anything but a pass or no need.
  bool worth_a_warning() const { return state != CommissioningState::passed && state != CommissioningState::not_needed; }
  nlohmann::json to_json() const;
};

// <state>/commissioning/latest.json as read once (at start): judged again in memory whenever the
// drive (re)connects, so the control loop never reads a file for it.
struct LatestCommissioning {
  std::string path;
  bool exists = false;
  std::optional<CommissioningRecord> record;  // nullopt when missing or unreadable
};
LatestCommissioning read_latest_commissioning(const std::string& state_dir);

// `live_identity`: what the connected drive says it is; a report for another drive (a swap of the
// same model) is stale. nullopt = not connected yet (judged again once it is).
CommissioningStatus commissioning_status(const FullConfig& config, const std::string& state_dir,
                                         const std::optional<std::string>& live_identity = std::nullopt);
CommissioningStatus judge_commissioning(const FullConfig& config, const LatestCommissioning& latest,
                                        const std::optional<std::string>& live_identity);

}  // namespace treadd
