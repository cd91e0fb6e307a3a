// SPDX-License-Identifier: Apache-2.0
// Logging to stderr with sd-daemon(3) priority prefixes, which journald turns into priorities, and
// events as structured journal entries (libsystemd's sd_journal_send). A logging library would add
// nothing here that journald does not already do.
#pragma once

#include <string>
#include <string_view>

namespace treadd::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void write(Level level, std::string_view message);
// What write() puts on stderr: every line of a multi-line message carries the priority (journald
// reads stderr line by line: a line without "<N>" would be logged at info), or on a terminal the
// "treadd: error: " word.
std::string stderr_lines(Level level, std::string_view message, bool journal);
inline void error(std::string_view m) { write(Level::error, m); }
inline void warning(std::string_view m) { write(Level::warning, m); }
inline void notice(std::string_view m) { write(Level::notice, m); }
inline void info(std::string_view m) { write(Level::info, m); }

// One entry for one event (an e-stop, a fault, a refusal, a reset, a link that drops): under systemd a
// structured journal entry (MESSAGE, PRIORITY, TREADD_EVENT=kind, TREADD_USER=who) and nothing on
// stderr; otherwise one stderr line. `journalctl -u treadd TREADD_EVENT=estop`, `journalctl -p err`.
void event(Level level, std::string_view kind, std::string_view who, std::string_view text);

}  // namespace treadd::log
