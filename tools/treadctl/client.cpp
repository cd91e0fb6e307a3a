// SPDX-License-Identifier: Apache-2.0
#include "tools/treadctl/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace treadctl {

Client::Client(const std::string& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) throw NotRunning("socket path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw NotRunning(std::string("cannot create a socket: ") + std::strerror(errno));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    std::string hint = err == EACCES ? " (permission denied: are you in the treadd-operator group?)"
                                     : " (is treadd running? try: systemctl status treadd)";
    throw NotRunning("cannot reach treadd at " + socket_path + ": " + std::strerror(err) + hint);
  }
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

void Client::send(const nlohmann::json& request) {
  std::string line = request.dump() + "\n";
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw NotRunning(std::string("the connection to treadd broke: ") + std::strerror(errno));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::optional<nlohmann::json> Client::receive(int timeout_ms) {
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) throw std::runtime_error("treadd sent a reply that is not JSON");
      return j;
    }
    pollfd pfd{fd_, POLLIN, 0};
    int r = ::poll(&pfd, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

nlohmann::json Client::call(const nlohmann::json& request, int timeout_ms) {
  send(request);
  auto reply = receive(timeout_ms);
  if (!reply) throw NotRunning("treadd did not answer within " + std::to_string(timeout_ms / 1000) + " s");
  return *reply;
}

}  // namespace treadctl
