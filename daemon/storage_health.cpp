#include "daemon/storage_health.hpp"

#include "daemon/log.hpp"

namespace treadd {

void StorageHealth::failed(const std::string& what, TimePoint now) {
  ++errors_;
  last_error_ = what;
  const bool newly = !failing_;
  failing_ = true;
  if (newly || !last_logged_ || now - *last_logged_ >= std::chrono::minutes(1)) {
    last_logged_ = now;
    log::error(what + " (" + std::to_string(errors_) + " storage errors so far; the belt stays under control)");
  }
}

}  // namespace treadd
