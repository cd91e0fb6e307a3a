// SPDX-License-Identifier: Apache-2.0
#include "daemon/commissioning/commissioning_guard.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "daemon/records/log.hpp"
#include "daemon/protocol/protocol.hpp"

namespace treadd {

namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, s);
  return set;
}

}  // namespace

CommissioningGuard::CommissioningGuard(MotorDrive& drive, const std::string& estop_socket_path)
    : drive_(drive), path_(estop_socket_path) {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (listen_fd_ < 0 || path_.size() >= sizeof addr.sun_path) {
    throw std::runtime_error("cannot open the e-stop socket " + path_ + ": path too long or no socket");
  }
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  ::unlink(path_.c_str());  // the service is stopped (the state lock says so): this path is ours now
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 16) != 0) {
    const std::string why = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("cannot open the e-stop socket " + path_ + ": " + why +
                             "; commissioning does not run the belt without its e-stop");
  }
  chmod(path_.c_str(), 0666);  // e-stop from anyone on the machine, as with the daemon
  estop_thread_ = std::thread([this] { listen_estop(); });
  signal_thread_ = std::thread([this] { wait_signals(); });
}

CommissioningGuard::~CommissioningGuard() {
  quit_ = true;
  if (estop_thread_.joinable()) estop_thread_.join();
  if (signal_thread_.joinable()) signal_thread_.join();
  ::close(listen_fd_);
  ::unlink(path_.c_str());
}

void CommissioningGuard::stop_belt(const std::string& why) {
  const bool first = !stopped_.exchange(true);  // before the fast stop: the run sees it (commissioning.cpp)
  drive_.emergency_stop();
  if (first) log::warning("commissioning stopped: " + why + "; the drive was told to fast-stop");
}

void CommissioningGuard::listen_estop() {
  while (!quit_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // One line, at most a second: the e-stop socket takes nothing else.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    char buf[512];
    while (line.find('\n') == std::string::npos && line.size() < protocol::max_line_bytes &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd c{fd, POLLIN, 0};
      if (poll(&c, 1, 100) <= 0) continue;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    const auto parsed = protocol::parse_request(line.substr(0, line.find('\n')));
    nlohmann::json reply;
    if (parsed.request && std::holds_alternative<EStopCmd>(*parsed.request)) {
      stop_belt("e-stop from the e-stop socket");
      reply = protocol::ok_reply("EMERGENCY STOP: commissioning stopped, the belt is stopping");
    } else {
      reply = protocol::error_reply("commissioning is running: this socket takes only an e-stop ({\"cmd\":\"estop\"})");
    }
    const std::string text = reply.dump() + "\n";
    [[maybe_unused]] const ssize_t w = ::write(fd, text.data(), text.size());
    ::close(fd);
  }
}

void CommissioningGuard::wait_signals() {
  const sigset_t set = stop_signals();
  while (!quit_) {
    timespec wait{0, 100'000'000};
    const int sig = sigtimedwait(&set, nullptr, &wait);
    if (sig <= 0) continue;
    stop_belt(std::string("signal ") + strsignal(sig));
    if (finished_) continue;
    // The run notices the stop between steps; a run blocked on a question at the terminal (Ctrl-C
    // while it asks) never will: leave once the belt is down, the drive told to stop.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!finished_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (finished_) continue;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (drive_.feedback().measured_kmh > 0.1 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    drive_.disconnect();  // sends the stop word and closes the link
    ::unlink(path_.c_str());
    std::_Exit(130);
  }
}

}  // namespace treadd
