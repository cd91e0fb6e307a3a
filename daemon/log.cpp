#include "daemon/log.hpp"

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

}  // namespace treadd::log
