// Logging to stderr with sd-daemon(3) priority prefixes, which journald turns into priorities.
// A library would add nothing here that journald does not already do for a service's stderr.
#pragma once

#include <string_view>

namespace treadd::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void write(Level level, std::string_view message);
inline void error(std::string_view m) { write(Level::error, m); }
inline void warning(std::string_view m) { write(Level::warning, m); }
inline void notice(std::string_view m) { write(Level::notice, m); }
inline void info(std::string_view m) { write(Level::info, m); }

}  // namespace treadd::log
