// Builds the drive that machine.yaml names (drive.transport).
#pragma once

#include <memory>

#include "config/model.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

// Drive profiles are looked up as <config_dir>/drives/<name>.yaml, then in the installed data dir.
std::unique_ptr<MotorDrive> make_drive(const MachineConfig& machine, const std::string& config_dir);
std::string find_drive_profile(const std::string& name, const std::string& config_dir);

}  // namespace treadd
