// SPDX-License-Identifier: Apache-2.0
// A blocking client for the control socket: one JSON request line out, JSON reply lines in.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>

namespace treadctl {

class NotRunning : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Client {
 public:
  explicit Client(const std::string& socket_path);  // throws NotRunning
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send(const nlohmann::json& request);
  // The next reply line; nullopt when the daemon closed the connection or `timeout_ms` passed.
  std::optional<nlohmann::json> receive(int timeout_ms);
  // send + receive; throws NotRunning when no answer comes within `timeout_ms`.
  nlohmann::json call(const nlohmann::json& request, int timeout_ms = 5000);

 private:
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace treadctl
