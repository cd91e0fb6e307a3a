// SPDX-License-Identifier: Apache-2.0
#include "daemon/records/append_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace treadd {

namespace {
std::string reason() { return std::strerror(errno); }
}  // namespace

bool AppendFile::open(const std::filesystem::path& path, std::string& error) {
  close();
  path_ = path;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  // 0640: records and the audit log name patients and staff.
  // 0600: session records and the audit log hold patient codes; people read them through treadctl,
  // which gives clinicians all of them and operators today's sessions only.
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error = "cannot open " + path.string() + ": " + reason();
    return false;
  }
  return true;
}

void AppendFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool AppendFile::still_ours() const {
  struct stat on_disk {};
  struct stat ours {};
  return ::stat(path_.c_str(), &on_disk) == 0 && ::fstat(fd_, &ours) == 0 && on_disk.st_ino == ours.st_ino &&
         on_disk.st_dev == ours.st_dev;
}

bool AppendFile::write_all(const std::string& text, std::string& error) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot write " + path_.string() + ": " + (n < 0 ? reason() : std::string("nothing written"));
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool AppendFile::append(const std::string& text, std::string& error, const std::string& header) {
  if (path_.empty()) {
    error = "no file to write to";
    return false;
  }
  if (fd_ < 0 || !still_ours()) {
    if (!open(path_, error)) return false;
    struct stat st {};
    if (!header.empty() && ::fstat(fd_, &st) == 0 && st.st_size == 0 && !write_all(header, error)) return false;
  }
  return write_all(text, error);
}

}  // namespace treadd
