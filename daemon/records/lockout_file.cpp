// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/lockout_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace treadd {

LockoutAtStart read_lockout(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec) && !ec) return {};
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return {true, "the lock-out state (" + file.string() + ") cannot be read, so the treadmill came up locked; a clinician unlocks it"};
  }
  if (line.rfind("unlocked", 0) == 0) return {};
  if (line.rfind("locked", 0) == 0) return {true, "the treadmill was " + line + "; a clinician unlocks it"};
  return {true, "the lock-out state (" + file.string() + ") is damaged, so the treadmill came up locked; a clinician unlocks it"};
}

void write_lockout(const std::filesystem::path& file, bool locked, const std::string& who, const std::string& when) {
  const std::string text = std::string(locked ? "locked" : "unlocked") + " by " + who + " at " + when + "\n";
  const std::string tmp = file.string() + ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(saved));
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw std::runtime_error("cannot replace " + file.string() + ": " + ec.message());
}

}  // namespace treadd
