// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/log.hpp"

// No CODE_FILE=: a build path must not reach the installed binary (tests/package/check_deb.sh).
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace treadd::log {

void write(Level level, std::string_view message) {
  // Under systemd (JOURNAL_STREAM set) the "<N>" prefix carries the priority; on a terminal, a word does.
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  std::string line;
  if (journal) {
    line = "<" + std::to_string(static_cast<int>(level)) + ">";
  } else {
    switch (level) {
      case Level::error: line = "treadd: error: "; break;
      case Level::warning: line = "treadd: warning: "; break;
      default: line = "treadd: "; break;
    }
  }
  line.append(message);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void event(Level level, std::string_view kind, std::string_view who, std::string_view text) {
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  const std::string message = std::string(kind) + ": " + std::string(text) + " (" + std::string(who) + ")";
  if (journal) {
    const int sent = sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%i", static_cast<int>(level),
                                     "TREADD_EVENT=%.*s", static_cast<int>(kind.size()), kind.data(), "TREADD_USER=%.*s",
                                     static_cast<int>(who.size()), who.data(), "SYSLOG_IDENTIFIER=treadd", nullptr);
    if (sent >= 0) return;
    // journald did not take it: stderr (which it also reads) keeps the event, unstructured.
  }
  write(level, message);
}

}  // namespace treadd::log
