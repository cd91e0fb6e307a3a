// SPDX-License-Identifier: Apache-2.0
// Start and stop real processes (no shell involved): end-to-end tests and the bench tool.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace treadd::proc {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Who a child runs as (tests running as root use it to try each role).
struct Credentials {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};

// Runs to completion (killed after `timeout`).
RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(20),
              const Credentials* as = nullptr);

// A background process whose stderr goes to `log_path`; killed with SIGKILL on destruction if still running.
class Background {
 public:
  // With `with_stdin`, the child's stdin is a pipe that write_stdin() feeds.
  // `env` entries ("NAME=value") are added to the child's environment.
  Background(const std::vector<std::string>& argv, const std::string& log_path, bool with_stdin = false,
             const std::vector<std::string>& env = {});
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  pid_t pid() const { return pid_; }
  // Sends `sig` and waits up to `timeout` for exit; returns the exit code, or -1 if it had to be killed.
  int stop(int sig, std::chrono::milliseconds timeout);
  bool running();
  void write_stdin(const std::string& text);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

std::string read_file(const std::string& path);
bool wait_for_path(const std::string& path, std::chrono::milliseconds timeout);

}  // namespace treadd::proc
