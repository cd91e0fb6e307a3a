// SPDX-License-Identifier: Apache-2.0
// A drive's Modbus register map (config/drives/<name>.yaml), written by a technician from the
// drive's manual. It covers any drive whose commands are writes of fixed values to a holding
// register, whose setpoint is one holding register with a linear scale, and whose feedback
// registers are holding or input registers with a linear scale.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.hpp"
#include "config/model.hpp"

namespace treadd {

enum class RegisterType { holding, input };

struct ScaledRegister {
  std::uint16_t address = 0;  // 0-based wire address (the loader subtracts address_base)
  RegisterType type = RegisterType::holding;
  double scale = 1.0;         // engineering units (Hz) per count
  bool is_signed = false;
};

struct RegisterWrite {
  std::uint16_t address = 0;
  std::uint16_t value = 0;
};

// A drive parameter the belt's safety depends on (comms-loss timeout and action, control source,
// base frequency, fast-stop ramp). treadd reads it at every connect, writing it first when `write`
// is set, and refuses to run a belt whose drive does not hold it, naming the parameter and `fix`.
struct ParameterCheck {
  std::string parameter;            // the drive's own name for it: "Pr.09-03", "P2014", "58.16"
  std::uint16_t address = 0;        // 0-based wire address
  RegisterType type = RegisterType::holding;
  std::optional<std::uint16_t> write;  // written at connect (and after a drive restart), then read back
  std::uint16_t mask = 0xFFFF;      // compared after masking (one bit field of a word)
  std::optional<long> equals;       // the raw value it must hold ...
  std::optional<long> min;          // ... or the raw range it must lie in
  std::optional<long> max;
  std::string what;                 // what the parameter does, for the technician
  std::string fix;                  // what to set on the panel, e.g. "set P2014 to 500 (ms)"

  bool holds(std::uint16_t raw) const;
  std::string expected() const;     // "2", "from 1 to 10"
  std::string shown(std::uint16_t raw) const;  // the value as the drive means it (signed where the bounds are)
};

// A setting that cannot be read over Modbus (a keypad-only parameter, the wiring of the safety key
// to the drive's hardware stop): the commissioning check asks the technician to confirm it.
struct PanelQuestion {
  std::string parameter;  // "P-36", "wiring"
  std::string ask;        // a yes/no question in the technician's terms
  std::string value;      // optional: the value to read off the panel for the report ("P1135 in s")
};

// How the drive says which way the motor turns: a bit field of a status word (Delta 2101H bits
// 4-3: 00 forward, 11 reverse). Other values (a turn in progress) say nothing.
struct TurnBits {
  ScaledRegister word;
  std::uint16_t mask = 0;
  std::uint16_t forward = 0;
  std::uint16_t reverse = 0;
};

// Where the direction the drive reports comes from, best first.
enum class DirectionSource { status_bits, signed_output, none };
const char* to_string(DirectionSource s);

// How treadd notices that the drive restarted (a power blip), which on RS-485 drops no connection:
//   counter: a register the drive counts up from power-up; it going back means a restart;
//   flag_while_running: a status bit the drive sets from power-up until it is told to stop (ABB
//     and Siemens "switch-on inhibited"), seen while treadd tells it to run;
//   marker: a volatile register treadd writes at connect and reads back; power-up clears it.
struct RestartIndicator {
  enum class Kind { counter, flag_while_running, marker };
  Kind kind = Kind::counter;
  ScaledRegister word;
  std::uint16_t mask = 0xFFFF;
  std::uint16_t value = 0;  // the marker's value
  std::string what;         // the manual's name for it, for the README and the report
};

// A register that tells one drive from another of the same model (serial number, firmware): read
// at connect, kept in the commissioning report, compared at every start.
struct IdentityRegister {
  std::string name;  // "serial number"
  ScaledRegister first;
  std::uint16_t count = 1;  // consecutive registers
};

// A drive's fault code as its manual names it: "1025 (overcurrent)", or the bare code.
std::string describe_fault(const std::map<int, std::string>& fault_names, int code);

struct DriveProfile {
  std::string name;
  std::uint16_t command_register = 0;
  std::uint16_t run_forward = 0;
  std::uint16_t run_reverse = 0;
  std::uint16_t stop = 0;
  std::uint16_t fast_stop = 0;  // the drive's emergency ramp; defaults to `stop`
  std::optional<RegisterWrite> fault_reset;
  ScaledRegister setpoint;      // Hz; must be a holding register
  bool direction_by_sign = false;  // reverse = negative setpoint (drives without a reverse command value)
  ScaledRegister output_hz;
  std::optional<ScaledRegister> fault_code;  // raw code (after the mask); 0 = no fault
  std::uint16_t fault_code_mask = 0xFFFF;
  std::optional<ScaledRegister> safety_key;  // non-zero = key present
  std::uint16_t safety_key_mask = 0xFFFF;
  // Drives that flag a fault with a status bit keep the fault number elsewhere (ABB 04.01): read
  // only while the flag is set, so the fault names the drive's own code.
  std::optional<ScaledRegister> fault_number;
  std::optional<TurnBits> turn;  // feedback.turn
  DirectionSource direction_source() const;
  std::optional<RestartIndicator> restart;
  std::vector<IdentityRegister> identity;
  // The profile file's bytes, as loaded: the commissioning fingerprint covers all of it.
  std::string source_text;
  // Control word and setpoint in one FC16 frame when adjacent. Off unless the profile says the
  // drive takes it: some drives refuse multi-register writes to their control block.
  bool combined_write = false;
  std::vector<ParameterCheck> parameters;
  std::vector<PanelQuestion> panel_questions;
  // fault_names: {code: text} as the drive's manual names them, so staff read "overcurrent", not
  // a bare number. Codes are the value treadd reports (after the mask, or the fault number).
  std::map<int, std::string> fault_names;
  // "1025 (overcurrent)", or the bare code when the profile does not name it.
  std::string describe_fault(int code) const;
  // The register holding the comms-loss timeout, value x scale = seconds (treadsim models the
  // drive's own stop from it).
  std::optional<ScaledRegister> comms_timeout;
  // The longest the drive may run on after treadd falls silent before it starts its own stop (its
  // comms-loss timeout, at most). The commissioning check stays silent this long plus a stop.
  Millis backstop_within{0};
  // The drive's own setting(s) behind that stop, named in a failed backstop test ("P-36 index 3").
  std::string backstop_set_by;

  const ParameterCheck* parameter(const std::string& name) const;
};

// Where a profile named in machine.yaml is looked for: <config-dir>/drives, then the installed
// profiles. The installed binary never looks anywhere else.
std::vector<std::string> drive_profile_dirs(const std::string& config_dir);
// The profile's file, or nullopt with `why` naming every place looked in.
std::optional<std::string> find_drive_profile(const std::string& name, const std::string& config_dir, std::string& why);

Loaded<DriveProfile> parse_drive_profile(const std::string& yaml_text, const std::string& file_name);
Loaded<DriveProfile> load_drive_profile(const std::string& path);

}  // namespace treadd
