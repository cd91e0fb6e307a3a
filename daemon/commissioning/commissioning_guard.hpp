// SPDX-License-Identifier: Apache-2.0
// What keeps a commissioning run as stoppable as a session: while `treadd --commission` may move
// the belt, the e-stop socket is open (`treadctl estop` from anyone), and Ctrl-C, a hang-up or
// SIGTERM fast-stop the drive at once. A crash leaves the drive to its own comms-loss stop, which
// the run proves before the belt ever moves; every other exit tells the drive to stop.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "hal/motor_drive.hpp"

namespace treadd {

class CommissioningGuard {
 public:
  // Blocks the stop signals in the calling thread (and so in every thread started after it): make
  // it before the drive starts its I/O thread. Throws std::runtime_error when the e-stop socket
  // cannot be opened: no belt runs without its e-stop.
  CommissioningGuard(MotorDrive& drive, const std::string& estop_socket_path);
  ~CommissioningGuard();
  CommissioningGuard(const CommissioningGuard&) = delete;
  CommissioningGuard& operator=(const CommissioningGuard&) = delete;

  const std::atomic<bool>& stopped() const { return stopped_; }
  // The run wrote its report and is leaving: a late signal only stops the drive.
  void finished() { finished_ = true; }

 private:
  void stop_belt(const std::string& why);
  void listen_estop();
  void wait_signals();

  MotorDrive& drive_;
  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> quit_{false};
  std::thread estop_thread_;
  std::thread signal_thread_;
};

}  // namespace treadd
