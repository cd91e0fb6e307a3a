// SPDX-License-Identifier: Apache-2.0
#include "daemon/drive_factory.hpp"

#include "config/drive_profile.hpp"
#include "core/units.hpp"
#include "hal/modbus_drive.hpp"
#include "hal/sim_drive.hpp"

namespace treadd {
namespace {

std::unique_ptr<MotorDrive> make_sim_drive(const MachineConfig& machine, std::string description) {
  SimDriveOptions options;
  options.description = std::move(description);
  options.kmh_per_hz = machine.belt.kmh_per_hz;
  // The simulated drive's own fast-stop ramp is the machine's emergency deceleration.
  options.vfd.fast_stop_hz_per_s =
      units::hz_from_kmh(units::kmh_per_s(machine.ceilings.emergency_decel_mps2), machine.belt.kmh_per_hz);
  options.vfd.max_hz =
      std::max(machine.ceilings.forward_max_kmh, machine.ceilings.reverse_max_kmh) / machine.belt.kmh_per_hz * 1.1;
  return std::make_unique<SimDrive>(options, [] { return std::chrono::steady_clock::now(); });
}

std::unique_ptr<MotorDrive> make_modbus_drive(const FullConfig& config) {
  // load_config_dir() found and validated the profile of every tcp/rtu machine.
  if (!config.drive_profile) throw DriveError("drive.profile names no loaded profile");
  return std::make_unique<ModbusDrive>(config.machine.drive, *config.drive_profile, config.machine.belt.kmh_per_hz);
}

}  // namespace

// One case per Transport (config/model.hpp): a new transport that is not handled here fails the
// build (-Wswitch, -Werror), not a session.
std::unique_ptr<MotorDrive> make_drive(const FullConfig& config) {
  switch (config.machine.drive.transport) {
    case Transport::sim: return make_sim_drive(config.machine, "simulated drive");
    // No drive yet: a simulated one answers the loop, and every start is refused (commissioning
    // state `unconfigured`), so nothing ever asks it — or anything — to turn.
    case Transport::unconfigured:
      return make_sim_drive(config.machine, "none set up yet (machine.yaml drive.transport: unconfigured; no belt is driven)");
    case Transport::tcp:
    case Transport::rtu: return make_modbus_drive(config);
  }
  throw DriveError("unknown drive transport");
}

}  // namespace treadd
