#include "daemon/audit_log.hpp"

#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace treadd {

AuditLog::AuditLog(const std::filesystem::path& file, BackgroundSync* sync)
    : file_(std::fopen(file.c_str(), "a")), journal_(std::getenv("JOURNAL_STREAM") != nullptr), sync_(sync) {}

AuditLog::~AuditLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void AuditLog::record(const std::string& kind, const std::string& who, const std::string& text) {
  const bool serious = kind == "estop" || kind == "fault";
  if (file_ != nullptr) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t tt = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const std::string line =
        nlohmann::json{{"time", when}, {"kind", kind}, {"who", who}, {"text", text}}.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
    if (serious && sync_ != nullptr) sync_->request(fileno(file_));
  }
  if (journal_) {
    sd_journal_send("MESSAGE=%s: %s (%s)", kind.c_str(), text.c_str(), who.c_str(), "PRIORITY=%i", serious ? 4 : 5,
                    "TREADD_EVENT=%s", kind.c_str(), "TREADD_USER=%s", who.c_str(), nullptr);
  }
}

}  // namespace treadd
