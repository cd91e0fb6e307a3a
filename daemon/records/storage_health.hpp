// SPDX-License-Identifier: Apache-2.0
// What went wrong writing the daemon's traces (session records, audit log, metrics file). A full
// disk, a removed directory or a read-only mount must never stop the control loop: each failure is
// counted, logged at error (the first of a run, then at most once a minute), shown in status and
// exported as a metric, and the belt stays under control. The writer thread reports, the loop
// reads: every member takes the lock (a few instructions, never held across I/O).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "hal/drive_types.hpp"

namespace treadd {

class StorageHealth {
 public:
  enum class Sink { records, audit, metrics };

  void failed(Sink sink, const std::string& what, TimePoint now);
  void succeeded(Sink sink) {
    std::lock_guard lock(mutex_);
    failing_[static_cast<std::size_t>(sink)] = false;
  }

  // True while the latest write of every sink succeeded.
  bool ok() const {
    std::lock_guard lock(mutex_);
    return !failing_[0] && !failing_[1] && !failing_[2];
  }
  std::uint64_t errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  std::string last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
  }

 private:
  mutable std::mutex mutex_;
  bool failing_[3] = {false, false, false};
  std::uint64_t errors_ = 0;
  std::string last_error_;
  std::optional<TimePoint> last_logged_;
};

}  // namespace treadd
