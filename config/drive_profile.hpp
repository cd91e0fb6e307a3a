// A drive's Modbus register map (config/drives/<name>.yaml), written by a technician from the
// drive's manual. It covers any drive whose commands are writes of fixed values to a holding
// register, whose setpoint is one holding register with a linear scale, and whose feedback
// registers are holding or input registers with a linear scale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.hpp"

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
  // Written at connect and read back; treadd refuses to run if the drive does not keep them.
  std::vector<RegisterWrite> watchdog;
  // The register (among the watchdog writes) holding the comms-loss timeout, value x scale = seconds.
  // treadsim models the drive's own stop from it.
  std::optional<ScaledRegister> comms_timeout;
};

Loaded<DriveProfile> parse_drive_profile(const std::string& yaml_text, const std::string& file_name);
Loaded<DriveProfile> load_drive_profile(const std::string& path);

}  // namespace treadd
