// SPDX-License-Identifier: Apache-2.0
// The control socket: a Unix stream socket speaking one JSON object per line (docs/protocol.md).
// It never touches the drive; every request goes through the Controller and so the supervisor.
//
// Anyone on the machine may connect (an e-stop must never depend on group membership); what a
// peer may do is decided per request from SO_PEERCRED. No client can exhaust the daemon: each
// user holds at most `per_user` connections and all users together at most `total`; a new
// connection over a bound pushes out the least recently active one of the user with the most, so
// whoever connects now (to press e-stop) is always served. Connections that neither send a line
// nor watch for `idle_timeout` are closed, and accept errors back off instead of spinning.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "daemon/background_work.hpp"
#include "daemon/controller.hpp"
#include "daemon/protocol/peer_names.hpp"
#include "daemon/roles.hpp"

namespace treadd {

class Connection;

struct ConnectionLimits {
  std::size_t per_user = 16;
  std::size_t total = 128;
  std::chrono::milliseconds idle_timeout{30000};
};

// The e-stop socket (`<control socket>.estop`) takes one request only: an e-stop. A flood of
// clients on the control socket fills its accept queue and its handlers, never this one's.
inline constexpr ConnectionLimits estop_socket_limits{4, 32, std::chrono::milliseconds(5000)};

struct ConnectionCounters {
  std::uint64_t accepted = 0;
  std::uint64_t evicted = 0;       // pushed out by a newer connection over a bound
  std::uint64_t idle_closed = 0;   // closed after idle_timeout without a request
  std::uint64_t accept_errors = 0; // e.g. EMFILE, answered with a back-off
  std::uint64_t internal_errors = 0;  // a request that threw inside treadd: answered with an error, never fatal
};

class SocketServer {
 public:
  SocketServer(boost::asio::io_context& io, std::string path, Controller& controller, RoleGroups groups,
               ConnectionLimits limits = {});
  ~SocketServer();

  // Opens the control socket and the e-stop socket beside it. Throws std::system_error when a
  // socket cannot be created, std::runtime_error when a live daemon already answers on the path
  // (its socket is never removed).
  void start();
  void close();
  // Where reloads and record queries run, off the loop; without it they run inline (tests).
  void set_background(BackgroundWork* work) { background_ = work; }
  // Sends the current status to the watchers whose next update is due. One serialization per call.
  void publish(TimePoint now);
  std::size_t connections() const;
  const ConnectionCounters& counters() const { return counters_; }

  static std::string estop_path(const std::string& control_path) { return control_path + ".estop"; }

 private:
  struct Listener {
    Listener(boost::asio::io_context& io, std::string p, ConnectionLimits l, bool only_estop)
        : path(std::move(p)), acceptor(io), backoff(io), limits(l), estop_only(only_estop) {}
    std::string path;
    boost::asio::local::stream_protocol::acceptor acceptor;
    boost::asio::steady_timer backoff;
    std::list<std::weak_ptr<Connection>> connections;
    ConnectionLimits limits;
    bool estop_only;
  };
  void open(Listener& l);
  void accept(Listener& l);
  void accept_later(Listener& l);
  void make_room_for(Listener& l, uid_t uid);
  void close_idle(Listener& l, TimePoint now);
  friend class Connection;

  Controller& controller_;
  Listener control_;
  Listener estop_;
  uid_t own_uid_;
  RoleGroupIds group_ids_;
  PeerNames names_;
  ConnectionCounters counters_;
  BackgroundWork* background_ = nullptr;
  TimePoint next_idle_sweep_{};
  int spare_fd_ = -1;  // closed to accept-and-refuse when the process runs out of descriptors
};

}  // namespace treadd
