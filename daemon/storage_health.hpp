// What went wrong writing the daemon's traces (session records, audit log, metrics file). A full
// disk, a removed directory or a read-only mount must never stop the control loop: each failure is
// counted, logged at error (the first of a run, then at most once a minute), shown in status and
// exported as a metric, and the belt stays under control. Loop-thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hal/drive_types.hpp"

namespace treadd {

class StorageHealth {
 public:
  void failed(const std::string& what, TimePoint now);
  void succeeded() { failing_ = false; }

  bool ok() const { return !failing_; }
  std::uint64_t errors() const { return errors_; }
  const std::string& last_error() const { return last_error_; }

 private:
  bool failing_ = false;
  std::uint64_t errors_ = 0;
  std::string last_error_;
  std::optional<TimePoint> last_logged_;
};

}  // namespace treadd
