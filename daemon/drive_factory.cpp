#include "daemon/drive_factory.hpp"

#include <filesystem>

#include "config/drive_profile.hpp"
#include "hal/modbus_drive.hpp"
#include "hal/sim_drive.hpp"

namespace treadd {

std::string find_drive_profile(const std::string& name, const std::string& config_dir) {
  for (const std::string& dir : {config_dir + "/drives", std::string(TREADD_DRIVES_DIR), std::string(TREADD_SOURCE_DRIVES_DIR)}) {
    const std::string path = dir + "/" + name + ".yaml";
    if (std::filesystem::exists(path)) return path;
  }
  throw DriveError("drive profile '" + name + "' not found in " + config_dir + "/drives or " + TREADD_DRIVES_DIR);
}

std::unique_ptr<MotorDrive> make_drive(const MachineConfig& machine, const std::string& config_dir) {
  if (machine.drive.transport == "sim") {
    SimDriveOptions options;
    options.kmh_per_hz = machine.belt.kmh_per_hz;
    // The simulated drive's own fast-stop ramp is the machine's emergency deceleration.
    options.vfd.fast_stop_hz_per_s = machine.ceilings.emergency_decel_mps2 * 3.6 / machine.belt.kmh_per_hz;
    options.vfd.max_hz = std::max(machine.ceilings.forward_max_kmh, machine.ceilings.reverse_max_kmh) /
                         machine.belt.kmh_per_hz * 1.1;
    return std::make_unique<SimDrive>(options, [] { return std::chrono::steady_clock::now(); });
  }
  auto profile = load_drive_profile(find_drive_profile(machine.drive.profile, config_dir));
  if (!profile.ok()) throw DriveError("the drive profile has errors:\n" + join(profile.errors));
  return std::make_unique<ModbusDrive>(machine.drive, *profile.value, machine.belt.kmh_per_hz);
}

}  // namespace treadd
