// SPDX-License-Identifier: Apache-2.0
// Builds the drive that machine.yaml names (drive.transport) with the profile it names.
#pragma once

#include <memory>

#include "config/loader.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

std::unique_ptr<MotorDrive> make_drive(const FullConfig& config);

}  // namespace treadd
