// The commissioning check a technician runs once per drive (`treadd --commission`), with the belt
// unloaded: every safety parameter of the profile read back, every panel-only setting confirmed,
// then slow belt runs that prove what the drive really does — feedback against command in both
// directions, the normal stop, the emergency stop, and the drive stopping the belt by itself when
// treadd goes silent. treadd refuses sessions until the last check passed.
#pragma once

#include <functional>
#include <string>

#include "config/loader.hpp"
#include "daemon/commissioning_record.hpp"
#include "hal/modbus_drive.hpp"

namespace treadd {

struct CommissioningIo {
  std::function<bool(const std::string& question)> ask;  // a yes/no answer from the technician
  std::function<void(const std::string& line)> say;      // progress, one line at a time
};

// The belt never runs faster than this during commissioning (and never above a ceiling).
constexpr double commissioning_max_kmh = 1.5;

CommissioningRecord commission(const FullConfig& config, ModbusDrive& drive, const CommissioningIo& io);

}  // namespace treadd
