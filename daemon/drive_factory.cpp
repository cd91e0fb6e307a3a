#include "daemon/drive_factory.hpp"
#include "core/units.hpp"


#include "config/drive_profile.hpp"
#include "hal/modbus_drive.hpp"
#include "hal/sim_drive.hpp"

namespace treadd {

std::unique_ptr<MotorDrive> make_drive(const FullConfig& config) {
  const MachineConfig& machine = config.machine;
  if (machine.drive.transport == "sim") {
    SimDriveOptions options;
    options.kmh_per_hz = machine.belt.kmh_per_hz;
    // The simulated drive's own fast-stop ramp is the machine's emergency deceleration.
    options.vfd.fast_stop_hz_per_s = units::hz_from_kmh(units::kmh_per_s(machine.ceilings.emergency_decel_mps2), machine.belt.kmh_per_hz);
    options.vfd.max_hz = std::max(machine.ceilings.forward_max_kmh, machine.ceilings.reverse_max_kmh) /
                         machine.belt.kmh_per_hz * 1.1;
    return std::make_unique<SimDrive>(options, [] { return std::chrono::steady_clock::now(); });
  }
  // load_config_dir() found and validated the profile of every tcp/rtu machine.
  if (!config.drive_profile) throw DriveError("drive.profile names no loaded profile");
  return std::make_unique<ModbusDrive>(machine.drive, *config.drive_profile, machine.belt.kmh_per_hz);
}

}  // namespace treadd
