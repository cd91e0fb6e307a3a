// SPDX-License-Identifier: Apache-2.0
// treadsim's drive: a VfdModel behind a profile's register map, as a Modbus server would see it.
// Pure of sockets, so it is easy to test; main.cpp does the libmodbus serving.
#pragma once

#include <modbus/modbus.h>

#include "config/drive_profile.hpp"
#include "hal/vfd_model.hpp"

namespace treadd::sim {

class VfdRegisters {
 public:
  VfdRegisters(DriveProfile profile, VfdParameters params);
  ~VfdRegisters();
  VfdRegisters(const VfdRegisters&) = delete;
  VfdRegisters& operator=(const VfdRegisters&) = delete;

  modbus_mapping_t* mapping() { return map_; }
  VfdModel& vfd() { return vfd_; }

  // Advances the physics and refreshes the feedback registers.
  void step(double dt_s);
  // After a write from the master: apply command word, setpoint, fault reset and watchdog settings.
  void apply_writes();
  void set_safety_key(bool present) { key_present_ = present; }
  // A drive whose parameter holds `raw` whatever the master writes (a keypad-only setting, or one
  // the drive does not keep): how tests make "comms-loss off" or "P2000 = 60 Hz". False when the
  // profile has no such parameter.
  bool pin_parameter(const std::string& name, std::uint16_t raw);
  // The drive's own comms-loss stop for profiles whose timeout is keypad-only (E3's P-36).
  void set_panel_watchdog(double seconds);

 private:
  std::uint16_t& holding(std::uint16_t a) { return map_->tab_registers[a]; }

  void apply_pinned();

  DriveProfile profile_;
  VfdModel vfd_;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> pinned_;  // (address, raw) of pinned parameters
  modbus_mapping_t* map_;
  bool key_present_ = true;
  double powered_s_ = 0;  // the restart counter's source
};

}  // namespace treadd::sim
