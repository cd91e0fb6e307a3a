// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/storage_health.hpp"

#include "daemon/records/log.hpp"

namespace treadd {

void StorageHealth::failed(Sink sink, const std::string& what, TimePoint now) {
  std::lock_guard lock(mutex_);
  ++errors_;
  last_error_ = what;
  bool& failing = failing_[static_cast<std::size_t>(sink)];
  const bool newly = !failing;
  failing = true;
  if (newly || !last_logged_ || now - *last_logged_ >= std::chrono::minutes(1)) {
    last_logged_ = now;
    log::error(what + " (" + std::to_string(errors_) + " storage errors so far; the belt stays under control)");
  }
}

}  // namespace treadd
