// Builds the drive that machine.yaml names (drive.transport).
#pragma once

#include <memory>

#include "config/model.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

std::unique_ptr<MotorDrive> make_drive(const MachineConfig& machine);

}  // namespace treadd
