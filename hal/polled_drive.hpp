// SPDX-License-Identifier: Apache-2.0
// What every drive behind a blocking transport shares, whatever the wire: one thread owns the link
// and polls it on a fixed grid; the control loop only swaps values under a mutex; an emergency
// stop is the next frame after the one in flight, never behind a routine poll; a lost link is
// retried with back-off and every reconnect is reported; a drive that restarted gets no run
// command until the supervisor has answered with a stop; a silenced drive hears only e-stops.
// A transport (ModbusDrive) says how to open, write and read; this class says when. A second
// transport (CANopen, a vendor's serial protocol) implements the protected virtuals and inherits
// the timing the e-stop tests measure.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "hal/motor_drive.hpp"

namespace treadd {

class PolledDrive : public MotorDrive {
 public:
  void connect() final;
  void start_connecting() final;
  std::string link_problem() const final;
  void disconnect() final;
  void command(const DriveCommand& cmd) final;
  void emergency_stop() final;
  DriveFeedback feedback() final;
  LinkCounters link_counters() const final;
  void set_silent(bool silent) final;
  std::optional<std::thread::native_handle_type> io_thread() final;

 protected:
  // `max_failed_polls` failed polls in a row declare the link down (a broken connection at once).
  PolledDrive(Millis poll_period, int max_failed_polls) : poll_period_(poll_period), max_failed_polls_(max_failed_polls) {}
  // The most-derived destructor calls disconnect(): the thread calls the transport's virtuals.
  ~PolledDrive() override = default;

  // ---- the transport: called on the I/O thread only (or before it runs) ----
  // Opens the link and checks that the drive answers at all; false with `why` in a technician's words.
  virtual bool open_link(std::string& why) = 0;
  // After the drive was told to stop: writes what treadd writes and checks the drive's settings;
  // false with `why` (the drive is refused; the link is closed again).
  virtual bool arm(std::string& why) = 0;
  virtual void close_link() = 0;
  virtual bool link_open() const = 0;
  // The connection itself is gone (a TCP peer that closed): reconnect at once.
  virtual bool link_broken() const = 0;
  // After a failed poll with the connection still there (resynchronise a garbled stream).
  virtual void after_failed_poll() {}
  virtual LinkCounters transport_counters() const = 0;
  // The transport's last error, for a technician ("connection refused", "timed out").
  virtual std::string link_error() const { return {}; }
  // One fast-stop frame.
  virtual bool write_fast_stop() = 0;
  // The command in full (setpoint, run word, direction), and the drive's fault reset first when
  // `acknowledge_fault`. Calls send_pending_estop() between its frames.
  virtual bool write_command(const DriveCommand& cmd, bool acknowledge_fault) = 0;
  // Reads the drive and publishes what it read (publish_reading); false on a failed read.
  virtual bool read_feedback() = 0;
  // The routine work of a cycle after the read (re-reading one setting per turn); false on failure.
  virtual bool poll_settings() { return true; }

  // ---- for the transport ----
  // Sends every e-stop asked for since the last frame; false when a frame failed.
  bool send_pending_estop();
  struct Reading {
    double measured_kmh = 0;
    std::optional<Direction> turning;
    bool direction_verified = false;
    int fault_code = 0;
    bool safety_key_present = true;
  };
  void publish_reading(const Reading& r);
  // The drive restarted (power-up seen, or a written setting forgotten): the supervisor hears it,
  // and no run goes out until it answered with a stop.
  void report_restart();
  // Which of the drive's read-only settings it no longer holds (the raw value read), per setting
  // in the profile's order; the feedback names the first.
  void report_settings(std::vector<std::optional<std::uint16_t>> lost);
  void report_setting(std::size_t index, std::size_t count, std::optional<std::uint16_t> lost);
  // The motion last written to the drive (a restart is judged against it, not against what is wanted).
  Motion last_sent_motion() const { return last_sent_motion_; }

 private:
  void io_loop();
  bool try_connect(std::string& why);
  bool send(const DriveCommand& wanted);
  void reconnect_with_backoff();
  bool sleep_unless_stopping(std::chrono::steady_clock::duration d);  // false when asked to stop
  // Sleeps until `next`, sending any e-stop that arrives meanwhile; false when asked to stop.
  bool wait_until_next_poll(std::chrono::steady_clock::time_point next);
  void record_poll(bool ok);  // counts failures, declares the link down, reconnects
  void publish_settings_lost();  // with mutex_ held

  const Millis poll_period_;
  const int max_failed_polls_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  DriveCommand wanted_;
  DriveFeedback latest_;
  LinkCounters counters_;
  std::string problem_;
  std::vector<std::optional<std::uint16_t>> settings_lost_;  // guarded by mutex_
  std::atomic<bool> estop_pending_{false};
  std::atomic<bool> acknowledge_pending_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> silent_{false};
  std::atomic<bool> read_first_{false};  // after a silence: read the drive before writing to it
  std::atomic<bool> hold_stop_{false};   // a restart not yet answered by a stop
  int consecutive_failures_ = 0;         // guarded by mutex_
  Motion last_sent_motion_ = Motion::stop;  // I/O thread only
  std::mutex join_mutex_;
  std::thread thread_;
};

}  // namespace treadd
