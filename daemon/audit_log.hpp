// The safety audit log: every refusal, e-stop, fault, reset, lock/unlock and reload, and who did it.
// An append-only JSON-lines file under the state directory, and the journal with structured fields
// (TREADD_EVENT=, TREADD_USER=) when running under systemd. When the file cannot be written (disk
// full, directory removed) the entry still goes to the journal and the failure is counted.
#pragma once

#include <filesystem>
#include <string>

#include "daemon/append_file.hpp"
#include "daemon/background_sync.hpp"
#include "daemon/storage_health.hpp"

namespace treadd {

class AuditLog {
 public:
  explicit AuditLog(const std::filesystem::path& file, BackgroundSync* sync = nullptr, StorageHealth* health = nullptr);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(const std::string& kind, const std::string& who, const std::string& text, TimePoint now);

 private:
  AppendFile file_;
  bool journal_ = false;
  BackgroundSync* sync_;
  StorageHealth* health_;
};

}  // namespace treadd
