// SPDX-License-Identifier: Apache-2.0
// The safety audit log: every refusal, e-stop, fault, reset, lock/unlock and reload, and who did it.
// An append-only JSON-lines file under the state directory. The same event goes once to the journal
// (log::event, structured TREADD_EVENT=/TREADD_USER=), so when the file cannot be written (disk
// full, directory removed) nothing is lost, and the failure is counted.
#pragma once

#include <filesystem>
#include <string>

#include "daemon/records/append_file.hpp"
#include "daemon/records/background_sync.hpp"
#include "daemon/records/storage_health.hpp"

namespace treadd {

class AuditLog {
 public:
  explicit AuditLog(const std::filesystem::path& file, BackgroundSync* sync = nullptr, StorageHealth* health = nullptr);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(const std::string& kind, const std::string& who, const std::string& text, TimePoint now);

 private:
  AppendFile file_;
  BackgroundSync* sync_;
  StorageHealth* health_;
};

}  // namespace treadd
