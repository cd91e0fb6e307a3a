// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/audit_log.hpp"

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "daemon/records/log.hpp"

namespace treadd {

AuditLog::AuditLog(const std::filesystem::path& file, BackgroundSync* sync, StorageHealth* health)
    : sync_(sync), health_(health) {
  std::string error;
  if (!file_.open(file, error) && health_ != nullptr) health_->failed(StorageHealth::Sink::audit, "audit log: " + error, TimePoint{});
}

void AuditLog::record(const std::string& kind, const std::string& who, const std::string& text, TimePoint now) {
  const bool serious = kind == "estop" || kind == "fault";
  const std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const std::string line = nlohmann::json{{"time", when}, {"kind", kind}, {"who", who}, {"text", text}}.dump() + "\n";
  std::string error;
  if (file_.append(line, error)) {
    if (health_ != nullptr) health_->succeeded(StorageHealth::Sink::audit);
    if (serious && sync_ != nullptr) sync_->request(file_.fd());
  } else {
    // Not lost: the caller logged the same event to the journal (or stderr) with log::event.
    if (health_ != nullptr) health_->failed(StorageHealth::Sink::audit, "audit log: " + error, now);
  }
}

}  // namespace treadd
