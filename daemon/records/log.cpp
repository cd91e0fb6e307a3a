// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/log.hpp"

// No CODE_FILE=: a build path must not reach the installed binary (tests/package/check_deb.sh).
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace treadd::log {

std::string stderr_lines(Level level, std::string_view message, bool journal) {
  std::string prefix;
  if (journal) {
    prefix = "<" + std::to_string(static_cast<int>(level)) + ">";
  } else {
    switch (level) {
      case Level::error: prefix = "treadd: error: "; break;
      case Level::warning: prefix = "treadd: warning: "; break;
      default: prefix = "treadd: "; break;
    }
  }
  std::string lines;
  while (true) {
    const std::size_t end = message.find('\n');
    lines += prefix;
    lines.append(message.substr(0, end));
    lines.push_back('\n');
    if (end == std::string_view::npos || end + 1 == message.size()) break;
    message.remove_prefix(end + 1);
  }
  return lines;
}

void write(Level level, std::string_view message) {
  // Under systemd (JOURNAL_STREAM set) the "<N>" prefix carries the priority; on a terminal, a word does.
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  const std::string lines = stderr_lines(level, message, journal);
  std::fwrite(lines.data(), 1, lines.size(), stderr);
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
