// SPDX-License-Identifier: Apache-2.0
// A drive twin served over Modbus TCP on loopback from a thread of the test, so a test can both
// drive it through treadd's ModbusDrive and see what the motor really does.
#pragma once

#include <modbus/modbus.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "tools/treadsim/twins/twin_server.hpp"

namespace treadd::testing {

class TwinRig {
 public:
  explicit TwinRig(const std::string& model, bool commissioned = true) : model_(model) {
    reset(commissioned);
    ctx_ = modbus_new_tcp("127.0.0.1", 0);
    listen_fd_ = ctx_ == nullptr ? -1 : modbus_tcp_listen(ctx_, 1);
    if (listen_fd_ < 0) throw std::runtime_error("cannot listen on loopback");
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TwinRig() {
    stop_ = true;
    thread_.join();
    if (client_fd_ >= 0) ::close(client_fd_);
    ::close(listen_fd_);
    modbus_free(ctx_);
  }

  int port() const { return port_; }
  // A fresh drive of the model: factory settings, or set up as the README's technician section says.
  void reset(bool commissioned) {
    std::lock_guard lock(mutex_);
    twin_ = twin::make_twin(model_);
    if (!twin_) throw std::runtime_error("no twin of " + model_);
    if (commissioned) twin_->commission();
    twin_->set_uptime(60);
    server_ = std::make_unique<twin::TwinServer>(*twin_);
  }
  // Everything done to the twin goes through here, under the lock the server answers under.
  template <class F>
  auto with(F f) {
    std::lock_guard lock(mutex_);
    return f(*twin_);
  }

 private:
  void serve() {
    auto last = std::chrono::steady_clock::now();
    std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    while (!stop_) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {client_fd_, POLLIN, 0}};
      poll(fds, 2, 2);
      std::lock_guard lock(mutex_);
      const auto now = std::chrono::steady_clock::now();
      twin_->step(std::chrono::duration<double>(now - last).count());
      last = now;
      if ((fds[0].revents & POLLIN) && client_fd_ < 0) client_fd_ = modbus_tcp_accept(ctx_, &listen_fd_);
      if (client_fd_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        modbus_set_socket(ctx_, client_fd_);
        const int rc = modbus_receive(ctx_, query);
        if (rc > 0) {
          server_->answer(ctx_, query, rc);
        } else if (rc < 0) {
          ::close(client_fd_);
          client_fd_ = -1;
        }
      }
    }
  }

  std::string model_;
  std::mutex mutex_;
  std::unique_ptr<twin::DriveTwin> twin_;
  std::unique_ptr<twin::TwinServer> server_;
  modbus_t* ctx_ = nullptr;
  int listen_fd_ = -1;
  int client_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace treadd::testing
