// The safety audit log: every refusal, e-stop, fault, reset, lock/unlock and reload, and who did it.
// An append-only JSON-lines file under the state directory, and the journal with structured fields
// (TREADD_EVENT=, TREADD_USER=) when running under systemd.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include "daemon/background_sync.hpp"

namespace treadd {

class AuditLog {
 public:
  explicit AuditLog(const std::filesystem::path& file, BackgroundSync* sync = nullptr);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(const std::string& kind, const std::string& who, const std::string& text);

 private:
  FILE* file_ = nullptr;
  bool journal_ = false;
  BackgroundSync* sync_;
};

}  // namespace treadd
