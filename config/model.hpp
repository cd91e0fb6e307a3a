// SPDX-License-Identifier: Apache-2.0
// Plain configuration values shared by the loader, the supervisor and the HAL.
// Every field names its unit; bounds are checked by the loader (loader.cpp).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"

namespace treadd {

// ---- machine.yaml (technician) ----

// How treadd reaches the drive (drive.transport). A new transport: a row here and a case in
// make_drive() (daemon/drive_factory.cpp); the compiler points at every switch that must learn it.
// `unconfigured`: the packaged machine.yaml, until a technician sets the drive — treadd runs (status,
// records, e-stop) and refuses every session, saying so; the belt is never driven.
enum class Transport { sim, tcp, rtu, unconfigured };
struct TransportInfo {
  Transport transport;
  std::string_view name;
  bool needs_profile;  // a real drive: its register map and commissioning
};
inline constexpr TransportInfo transports[] = {
    {Transport::sim, "sim", false},
    {Transport::tcp, "tcp", true},
    {Transport::rtu, "rtu", true},
    {Transport::unconfigured, "unconfigured", false}};
std::string_view to_string(Transport t);
std::optional<Transport> parse_transport(std::string_view name);
bool needs_profile(Transport t);

struct DriveSettings {
  Transport transport = Transport::sim;  // drive.transport
  std::string host = "127.0.0.1";  // drive.host (tcp)
  int port = 502;                  // drive.port (tcp), 1..65535
  std::string device;              // drive.device (rtu), e.g. /dev/ttyUSB0
  int baud = 19200;                // drive.baud (rtu)
  char parity = 'N';               // drive.parity (rtu): N | E | O
  int data_bits = 8;               // drive.data_bits (rtu)
  int stop_bits = 1;               // drive.stop_bits (rtu)
  int unit_id = 1;                 // drive.unit_id, 1..247
  Millis response_timeout{200};    // drive.response_timeout
  Millis poll_period{20};          // drive.poll_period
  int max_failed_polls = 3;        // drive.max_failed_polls: consecutive failures that latch link loss
  std::string profile;              // drive.profile: register map name under config/drives/ (tcp/rtu: required)
  // drive.commissioning_waiver: why this machine runs without a passed commissioning check (shown
  // in status); empty = `start` needs one (tcp/rtu).
  std::string commissioning_waiver;
};

struct BeltSettings {
  double kmh_per_hz = 0.2;  // belt.kmh_per_hz: belt speed per motor output Hz
};

struct ControlSettings {
  std::string socket_path = "/run/treadd/control.sock";  // control.socket
  double tick_hz = 50.0;                                 // control.tick_rate (Hz)
  std::string clinician_group = "treadd-clinician";      // control.clinician_group
  std::string operator_group = "treadd-operator";        // control.operator_group
};

struct MetricsSettings {
  std::string textfile;   // metrics.textfile: default <state-dir>/metrics/treadd.prom
  Millis interval{5000};  // metrics.interval
};

// records.age_by: what a record's age is judged by (daemon/records/retention.hpp says why).
enum class AgeClock {
  synchronised,  // synchronised_clock: only while the kernel says NTP keeps the clock (default)
  system,        // system_clock: the clock as it is, on a machine without NTP
};

struct RecordsSettings {
  int keep = 500;  // records.keep: records kept; beyond, the oldest go at a clinician's session start
  int keep_days = 0;  // records.keep_days: records older than this are deleted (audited); 0 = no age limit
  AgeClock age_by = AgeClock::synchronised;  // records.age_by
  bool patient_code_required = false;  // records.patient_code: required | optional
};

// The machine.yaml sections that change what the belt does: a commissioning report proves the
// drive as these said, and any change to any key in them makes it stale. (control, records and
// metrics change nothing the drive does.)
inline constexpr const char* belt_sections[] = {"drive", "belt", "ceilings", "safety"};

struct MachineConfig {
  // belt_sections as read, canonical (keys sorted, comments and layout dropped), minus
  // drive.commissioning_waiver: what the commissioning fingerprint covers.
  std::string belt_sections_text;
  MetricsSettings metrics;
  RecordsSettings records;
  DriveSettings drive;
  BeltSettings belt;
  Ceilings ceilings;
  SafetySettings safety;
  ControlSettings control;
};

// ---- limits.yaml (clinician): Profile and Program are in core/limits.hpp ----

// ---- patients/<CODE>.yaml (clinician): one patient's prescription ----

// What a clinician prescribed for one patient: `treadctl start --patient CODE` starts it, and any
// other profile or program for that patient needs a clinician and is recorded as an override.
struct Prescription {
  std::string patient;                  // patient: the code, the file's name (patients/LBP-0042.yaml)
  std::string profile;                  // profile: a profile of limits.yaml
  std::optional<std::string> program;   // program: one of that profile's programs (optional)
  std::string clinician;                // clinician: who prescribed it, as the report names them
  std::string date;                     // date: when it was prescribed, YYYY-MM-DD
  std::optional<Millis> goal_time;      // goal_time: the session time aimed for (the reports' reference line)
  std::optional<double> goal_distance_m;  // goal_distance: the distance aimed for, metres
  bool operator==(const Prescription&) const = default;
};

// limits.yaml and the prescriptions beside it: loaded, checked and reloaded as one, so a
// prescription never names a profile the limits in force do not have.
struct LimitsConfig {
  std::map<std::string, Profile> profiles;
  std::map<std::string, Program> programs;
  std::map<std::string, Prescription> prescriptions;  // by patient code
  // profile → key → its value as the clinician wrote it ("1.2 m/s", "20 min"): `treadctl limits`
  // shows it beside the value in force, so a clinician recognises their own file.
  std::map<std::string, std::map<std::string, std::string>> written;
};

}  // namespace treadd
