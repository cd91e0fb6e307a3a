// SPDX-License-Identifier: Apache-2.0
// A real drive over Modbus TCP or RTU. libmodbus blocks, so all I/O runs on one dedicated thread
// that owns the link; the control loop only swaps values under a mutex. An emergency stop is the
// next frame on the wire after the one in flight, never behind a routine poll.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>
#include <thread>

#include "config/drive_profile.hpp"
#include "hal/modbus_link.hpp"
#include "hal/motor_drive.hpp"
#include "hal/parameter_reading.hpp"
#include "hal/register_codec.hpp"

namespace treadd {

class ModbusDrive final : public MotorDrive {
 public:
  ModbusDrive(const DriveSettings& settings, DriveProfile profile, double kmh_per_hz);
  ~ModbusDrive() override;

  void connect() override;
  void start_connecting() override;
  std::string link_problem() const override;
  void disconnect() override;
  void command(const DriveCommand& cmd) override;
  void emergency_stop() override;
  DriveFeedback feedback() override;
  std::string describe() const override;

  LinkCounters link_counters() const override;
  std::string identity() const override;

  std::vector<ParameterReading> parameter_readings() const override;
  void set_silent(bool silent) override;

 private:
  void io_loop();
  bool cycle();
  bool send_command(const DriveCommand& wanted);
  bool send_pending_estop();
  bool read_feedback();
  // One of the profile's settings (or the restart marker) per turn, all of them about once a
  // second: a written one the drive forgot means it restarted (re-armed), a read-only one it no
  // longer holds is reported in the feedback (setting_lost) until it holds again.
  bool scan_next_setting();
  void count_restart();  // with mutex_ held
  std::string read_identity();
  // Writes the profile's writable parameters and reads every one back; true when all hold.
  bool apply_parameters();
  void reconnect_with_backoff();
  // Opens the link, checks the drive answers, arms and checks its settings, sends a stop; false
  // with `why` in a technician's words. I/O thread (or before it runs).
  bool try_connect(std::string& why);
  bool sleep_unless_stopping(std::chrono::steady_clock::duration d);  // false when asked to stop
  // Sleeps until `next`, sending any e-stop that arrives meanwhile; false when asked to stop.
  bool wait_until_next_poll(std::chrono::steady_clock::time_point next);
  void record_poll(bool ok);  // counts failures, declares the link down, reconnects

  DriveSettings settings_;
  DriveProfile profile_;
  double kmh_per_hz_;
  std::vector<ReadBlock> reads_;
  ModbusLink link_;  // touched only by the I/O thread once it runs

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  DriveCommand wanted_;
  DriveFeedback latest_;
  LinkCounters counters_;
  std::atomic<bool> estop_pending_{false};
  std::atomic<bool> acknowledge_pending_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> silent_{false};
  std::atomic<bool> read_first_{false};  // after a silence: read the drive before writing to it
  std::vector<ParameterReading> readings_;  // guarded by mutex_
  int consecutive_failures_ = 0;
  long cycles_since_settings_check_ = 0;  // I/O thread only
  std::size_t next_setting_ = 0;          // I/O thread only
  std::vector<ParameterCheck> checks_;    // the profile's parameters, then the restart marker
  std::optional<std::uint16_t> last_restart_counter_;  // I/O thread only
  std::string identity_;                  // guarded by mutex_
  std::string problem_;                   // guarded by mutex_
  std::vector<std::optional<std::uint16_t>> settings_lost_;  // per check: the raw value that fails; guarded by mutex_
  void publish_settings_lost();           // with mutex_ held
  std::atomic<bool> hold_stop_{false};    // a restart not yet answered by a stop
  Motion last_sent_motion_ = Motion::stop;  // I/O thread only
  std::mutex join_mutex_;
  std::thread thread_;

 public:
  std::optional<std::thread::native_handle_type> io_thread() override {
    if (!thread_.joinable()) return std::nullopt;
    return thread_.native_handle();
  }

 private:
};

}  // namespace treadd
