// SPDX-License-Identifier: Apache-2.0
// An append-only file that survives its surroundings: written with O_APPEND and checked before
// each write, so a file or directory that was removed (or replaced) under the daemon is created
// anew instead of writing into an unlinked inode where nothing can read it. Every failure comes
// back as a sentence naming the file and the system's reason; nothing here throws.
#pragma once

#include <filesystem>
#include <string>

namespace treadd {

class AppendFile {
 public:
  AppendFile() = default;
  ~AppendFile() { close(); }
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Opens (creating the parent directories) for appending; false with `error` set on failure.
  bool open(const std::filesystem::path& path, std::string& error);
  // Appends `text`. When the file had to be created anew, `header` goes in first (a record's
  // start line, so a re-created record still says whose it is).
  bool append(const std::string& text, std::string& error, const std::string& header = {});
  void close();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  bool still_ours() const;
  bool write_all(const std::string& text, std::string& error);

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace treadd
