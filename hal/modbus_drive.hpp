// SPDX-License-Identifier: Apache-2.0
// A real drive over Modbus TCP or RTU, by its drive profile's registers: how to open, write and
// read. When, on which thread, and with the e-stop ahead of every routine frame is PolledDrive's
// (polled_drive.hpp), shared with any other transport.
#pragma once

#include <mutex>
#include <optional>
#include <vector>

#include "config/drive_profile.hpp"
#include "hal/modbus_link.hpp"
#include "hal/parameter_reading.hpp"
#include "hal/polled_drive.hpp"
#include "hal/register_codec.hpp"

namespace treadd {

class ModbusDrive final : public PolledDrive {
 public:
  ModbusDrive(const DriveSettings& settings, DriveProfile profile, double kmh_per_hz);
  ~ModbusDrive() override;

  std::string describe() const override;
  std::string identity() const override;
  std::vector<ParameterReading> parameter_readings() const override;

 private:
  bool open_link(std::string& why) override;
  bool arm(std::string& why) override;
  void close_link() override { link_.close(); }
  bool link_open() const override { return link_.is_open(); }
  bool link_broken() const override { return link_.broken(); }
  void after_failed_poll() override;
  LinkCounters transport_counters() const override { return link_.counters(); }
  std::string link_error() const override { return link_.last_error(); }
  bool write_fast_stop() override;
  bool write_command(const DriveCommand& cmd, bool acknowledge_fault) override;
  bool read_feedback() override;
  // One of the profile's settings (or the restart marker) per turn, all of them about once a
  // second: a written one the drive forgot means it restarted (re-armed), a read-only one it no
  // longer holds is reported in the feedback (setting_lost) until it holds again.
  bool poll_settings() override;

  std::string read_identity();
  // Writes the profile's writable parameters and reads every one back; true when all hold.
  bool apply_parameters();

  DriveSettings settings_;
  DriveProfile profile_;
  double kmh_per_hz_;
  std::vector<ReadBlock> reads_;
  ModbusLink link_;  // touched only by the I/O thread once it runs
  std::vector<ParameterCheck> checks_;  // the profile's parameters, then the restart marker
  long cycles_since_settings_check_ = 0;               // I/O thread only
  std::size_t next_setting_ = 0;                       // I/O thread only
  std::optional<std::uint16_t> last_restart_counter_;  // I/O thread only
  mutable std::mutex readings_mutex_;
  std::vector<ParameterReading> readings_;  // guarded by readings_mutex_
  std::string identity_;                    // guarded by readings_mutex_
};

}  // namespace treadd
