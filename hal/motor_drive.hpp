// SPDX-License-Identifier: Apache-2.0
// The hardware abstraction: one belt motor behind a drive. It decides nothing; the supervisor does.
// Every call returns at once: a transport with blocking I/O (libmodbus) does its I/O on its own
// thread, so the control loop never waits on the wire and an emergency stop never waits behind a poll.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "hal/drive_types.hpp"
#include "hal/parameter_reading.hpp"

namespace treadd {

class DriveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MotorDrive {
 public:
  MotorDrive() = default;
  MotorDrive(const MotorDrive&) = delete;
  MotorDrive& operator=(const MotorDrive&) = delete;
  virtual ~MotorDrive() = default;

  // Opens the link and arms the drive's own comms-loss stop where it has one. Throws DriveError.
  virtual void connect() = 0;
  // The daemon's way: returns at once and keeps trying in the background (a drive still booting, a
  // cable being fixed), with link_problem() saying why it is not connected yet. The belt stays
  // stopped meanwhile: the supervisor sees no link.
  virtual void start_connecting() { connect(); }
  // Why the drive is not connected (no answer, refused settings), in a technician's words; empty when it is.
  virtual std::string link_problem() const { return {}; }
  // Tells the drive to stop and closes the link.
  virtual void disconnect() = 0;
  // The command to hold from now on; sent in full every cycle, so a lost write heals.
  virtual void command(const DriveCommand& cmd) = 0;
  // The fast-stop frame goes out next, ahead of any routine poll.
  virtual void emergency_stop() = 0;
  // The latest feedback; `received_at` tells how old it is.
  virtual DriveFeedback feedback() = 0;
  // One line for logs and status: transport and address.
  virtual std::string describe() const = 0;
  virtual LinkCounters link_counters() const { return {}; }
  // What tells this drive from another of its model (serial number, firmware), as read at the last
  // connect; empty when the drive exposes nothing of the kind.
  virtual std::string identity() const { return {}; }
  // Commissioning (daemon/commissioning/commissioning.hpp) speaks to a drive through what follows, whatever its
  // transport. The drive's safety parameters as it held them at the last connect (or re-arm): what
  // the commissioning check prints and why connect() refused; empty for a drive that has none.
  virtual std::vector<ParameterReading> parameter_readings() const { return {}; }
  // Stop talking to the drive, the link kept open, so that its own comms-loss stop can be watched;
  // an emergency stop still goes out. false speaks again (reading the drive before writing to it).
  virtual void set_silent(bool silent) = 0;
  // The thread that does this drive's I/O, if it has one (real-time scheduling is raised on it).
  virtual std::optional<std::thread::native_handle_type> io_thread() { return std::nullopt; }
};

}  // namespace treadd
